"""``optimise`` stopped and continued is the uninterrupted search, plan for plan.

A real process is stopped while a batch of plans is being run (Ctrl-C, then kill -9),
and the same command continues it; its ``trials.csv`` (plans, numbering, values) must
equal that of a search never stopped, with the same seed on one worker.
"""

from __future__ import annotations

import contextlib
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, SCENARIOS

pytest.importorskip("optuna")

TRIALS = 8


def _command(out) -> list[str]:
    return [sys.executable, str(ROOT / "run.py"), "optimise",
            str(SCENARIOS / "touchpoint_management.yaml"),
            "--set", "population.size=300", "--set", "horizon_days=30",
            "--lever", "channels.search_content.budget", "--lever", "channels.webinar.budget",
            "--lever", "sales.response_time_hours=1:48", "--trials", str(TRIALS),
            "--replications", "2", "--confirm", "1", "--confirm-replications", "2",
            "--workers", "1", "--out", str(out)]  # fmt: skip


def _states(out) -> dict[str, int]:
    """Trials in optuna's study by state (nothing before the study is made)."""
    db = out / "optuna" / "study.db"
    if not db.exists():
        return {}
    with contextlib.closing(sqlite3.connect(db, timeout=1)) as con:
        try:
            rows = con.execute("select state, count(*) from trials group by state").fetchall()
        except sqlite3.OperationalError:  # the schema is being made, or the file locked
            return {}
    return dict(rows)


def _stop_during_a_batch(out, done: int, how: signal.Signals) -> tuple[int, str]:
    """Start the search; once ``done`` plans are told, stop it while plans are running."""
    with subprocess.Popen(_command(out), stderr=subprocess.PIPE, text=True, cwd=ROOT) as run:
        deadline = time.monotonic() + 300
        while True:
            states = _states(out)
            if states.get("COMPLETE", 0) >= done and states.get("RUNNING", 0):
                break
            assert run.poll() is None and time.monotonic() < deadline, run.stderr.read()
            time.sleep(0.02)
        run.send_signal(how)
        _, errors = run.communicate(timeout=120)
    return run.returncode, errors


def test_a_search_stopped_twice_and_continued_is_the_uninterrupted_search(tmp_path):
    reference = tmp_path / "reference"
    whole = subprocess.run(_command(reference), capture_output=True, text=True, cwd=ROOT)
    assert whole.returncode == 0, whole.stderr

    out = tmp_path / "stopped"
    code, errors = _stop_during_a_batch(out, 0, signal.SIGINT)  # random plans being run
    assert code == 130, errors
    assert "plans tried are kept" in errors and "Traceback" not in errors
    assert not (out / "trials.csv").exists()
    code, errors = _stop_during_a_batch(out, 4, signal.SIGKILL)  # TPE's plans being run
    assert code == -signal.SIGKILL, errors
    interrupted = _states(out)
    again = subprocess.run(_command(out), capture_output=True, text=True, cwd=ROOT)
    assert again.returncode == 0, again.stderr

    print(f"killed with {interrupted}")
    assert interrupted.get("RUNNING", 0) >= 1  # plans were being run when it was killed
    assert (out / "trials.csv").read_text() == (reference / "trials.csv").read_text()
    assert _states(out) == _states(reference)
