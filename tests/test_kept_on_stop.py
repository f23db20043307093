"""A Ctrl-C during a resumable command stops it, wherever in the program it lands."""

from __future__ import annotations

import gc
import signal
import sys
import time
import weakref

import pytest

from sim.cli.resumable import kept_on_stop


class _Held:
    """Something with a weakref whose callback is interrupted (as SQLAlchemy's state is)."""


def _interrupted_in_a_callback(_ref) -> None:
    raise KeyboardInterrupt  # where Python cannot raise it: it would print it and go on


def test_a_ctrl_c_landing_in_a_weakref_callback_still_stops_the_command(capsys):
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in `run.py`
    try:
        with pytest.raises(KeyboardInterrupt), kept_on_stop("the plans tried are kept"):
            held = _Held()
            ref = weakref.ref(held, _interrupted_in_a_callback)
            del held
            gc.collect()
            assert ref() is None  # the callback ran, and Python swallowed its interrupt
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:  # the program's own code, where it lands
                pass
    finally:
        signal.signal(signal.SIGINT, previous)
    errors = capsys.readouterr().err
    assert "interrupted: the plans tried are kept" in errors
    assert "Exception ignored" not in errors


def _failing_in_a_callback(_ref) -> None:
    raise ValueError("a clean-up that failed")


def test_other_errors_that_cannot_be_raised_are_still_reported_and_the_hook_restored():
    seen = []
    previous, sys.unraisablehook = sys.unraisablehook, seen.append
    try:
        with kept_on_stop("kept"):
            held = _Held()
            ref = weakref.ref(held, _failing_in_a_callback)
            del held
            gc.collect()
        assert sys.unraisablehook == seen.append
    finally:
        sys.unraisablehook = previous
    assert ref() is None
    assert [type(u.exc_value) for u in seen] == [ValueError]
