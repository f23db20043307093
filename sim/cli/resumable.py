"""A command's own database in its output folder: kept on Ctrl-C, refused if made otherwise.

``calibrate`` (pyabc's database) and ``optimise`` (optuna's study) continue where they
stopped when the same command is given again. The settings the database was made with
are recorded beside it; a command with other settings is refused unless ``--fresh``.
"""

from __future__ import annotations

import _thread
import contextlib
import json
import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from sim.scenario.errors import InputError


def check_settings(
    folder: Path, database: str, settings: dict, fresh: bool, what: str, made_of: str
) -> None:
    """Refuse ``folder/database`` made with other settings, unless ``fresh`` (then drop it).

    Args:
        folder: The database's folder (``OUT/abc``, ``OUT/optuna``).
        database: Its file name; its journal and ``settings.json`` go with it.
        settings: What the database's contents depend on.
        fresh: Drop a database made otherwise instead of refusing it.
        what: What it holds, for the message ("a calibration").
        made_of: The settings in words, for the message.
    """
    if not (folder / database).exists():
        return
    try:
        same = json.loads((folder / "settings.json").read_text(encoding="utf-8")) == settings
    except (OSError, ValueError):
        same = False
    if same:
        return
    if not fresh:
        raise InputError(
            f"{folder}: holds {what} made with other settings ({made_of}): use --fresh to "
            "start afresh or another --out"
        )
    for name in (database, f"{database}-journal", "settings.json"):
        (folder / name).unlink(missing_ok=True)


def record_settings(folder: Path, settings: dict) -> None:
    """Write the settings beside the database, before any of it is made."""
    folder.mkdir(exist_ok=True)
    (folder / "settings.json").write_text(json.dumps(settings, indent=1), encoding="utf-8")


AGAIN_AFTER = 0.01
"""Seconds before a swallowed Ctrl-C is sent again (once the hook has returned)."""


@contextlib.contextmanager
def kept_on_stop(kept: str) -> Iterator[None]:
    """On Ctrl-C, say what is kept and that the same command continues; then stop.

    A Ctrl-C that lands while the database is being read makes SQLAlchemy log "Error
    closing cursor" with a traceback as the interrupt passes; the interrupt is the
    user's, so that log is not printed (the one line below says what happened). One that
    lands in a weakref callback or a finaliser (SQLAlchemy's state clean-up) cannot be
    raised there, and Python would print it and carry on: it is raised again as soon
    as the program is back in its own code (:func:`_interrupt_again`).
    """
    database_log = logging.getLogger("sqlalchemy")
    silence = logging.NullHandler()
    database_log.addHandler(silence)
    unraisable = sys.unraisablehook
    sys.unraisablehook = _interrupt_again(unraisable)
    try:
        yield
    except KeyboardInterrupt:
        print(f"interrupted: {kept}; run the same command again to continue", file=sys.stderr)
        raise
    finally:
        sys.unraisablehook = unraisable
        database_log.removeHandler(silence)


def _interrupt_again(otherwise):
    """An unraisable hook that turns a swallowed Ctrl-C into a new one on the main thread.

    The new one is sent from another thread a moment later: sent from here, or before
    this hook returns, it would be raised in the hook and swallowed again. Should it land
    in a callback again, it is sent again.
    """

    def hook(unraisable) -> None:
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            again = threading.Timer(AGAIN_AFTER, _thread.interrupt_main)
            again.daemon = True  # a program that ends first is not held up by it
            again.start()
        else:
            otherwise(unraisable)

    return hook
