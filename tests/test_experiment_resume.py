"""A sweep killed midway (Ctrl-C, or SIGKILL) keeps its finished runs and resumes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.experiments.store import MANIFEST
from tests.conftest import ROOT, SCENARIOS, run_cli

ARGS = [
    "sweep",
    str(SCENARIOS / "touchpoint_management.yaml"),
    "--set",
    "population.size=2000",
    "--set",
    "horizon_days=90",
    "--grid",
    "channels.free_trial.budget=0:44000:12",
    "--seed",
    "5",
]
TOTAL = 12


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> pd.DataFrame:
    """The same sweep, uninterrupted and serial."""
    out = tmp_path_factory.mktemp("reference") / "out"
    result = run_cli(*ARGS, "--workers", "1", "--quiet", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return pd.read_parquet(out / "sweep.parquet")


def _finished(out: Path) -> list[Path]:
    runs = out / "runs"
    return sorted(p for p in runs.glob("*.json") if p.name != MANIFEST) if runs.is_dir() else []


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _kill_midway(out: Path, sig: signal.Signals) -> tuple[subprocess.CompletedProcess, list[int]]:
    """Start the sweep on 2 processes, and send ``sig`` once 3 runs are stored."""
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "run.py"),
            *ARGS,
            "--workers",
            "2",
            "--quiet",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while len(_finished(out)) < 3 and proc.poll() is None and time.monotonic() < deadline:
            workers = _children(proc.pid) or workers
            time.sleep(0.02)
        workers = _children(proc.pid) or workers
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr), workers


def _resume_and_check(out: Path, reference: pd.DataFrame) -> None:
    """Run the same sweep again, in one process: the stop needed a pool, the resume does
    not (which runs are kept, and that none is redone, does not depend on the workers;
    a pool's two spawned workers would only add their start-up to every test)."""
    kept = _finished(out)
    assert 3 <= len(kept) < TOTAL, "the sweep was not stopped midway"
    stamps = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in kept}
    again = run_cli(*ARGS, "--workers", "1", "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert f"resuming: {len(kept)} of {TOTAL} runs already in" in again.stderr
    assert f"{TOTAL}/{TOTAL}" in again.stderr
    for path in kept:  # finished runs were skipped, not redone
        assert (path.stat().st_ino, path.stat().st_mtime_ns) == stamps[path.name]
    assert len(_finished(out)) == TOTAL
    pd.testing.assert_frame_equal(pd.read_parquet(out / "sweep.parquet"), reference)


def test_ctrl_c_midway_then_resume(tmp_path, reference):
    out = tmp_path / "out"
    stopped, _ = _kill_midway(out, signal.SIGINT)
    assert stopped.returncode == 130, stopped.stderr
    assert "finished runs are kept in" in stopped.stderr and "Traceback" not in stopped.stderr
    assert "leaked" not in stopped.stderr
    assert not (out / "sweep.parquet").exists()  # no final table from a partial sweep
    _resume_and_check(out, reference)


def test_sigkill_midway_then_resume(tmp_path, reference):
    out = tmp_path / "out"
    stopped, workers = _kill_midway(out, signal.SIGKILL)
    assert stopped.returncode == -signal.SIGKILL
    try:
        deadline = time.monotonic() + 10  # orphaned pool workers notice and exit
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [w for w in workers if _alive(w)]
    finally:
        for w in workers:
            if _alive(w):
                os.kill(w, signal.SIGKILL)
    leftovers = [p.name for p in (out / "runs").iterdir() if not p.name.endswith(".json")]
    assert all(name.startswith(".") and name.endswith(".tmp") for name in leftovers)
    _resume_and_check(out, reference)
