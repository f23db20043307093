"""One command per output folder, and no output folder where it would swallow the ground.

A command holds its output folder for its whole duration: a second command given the
same folder meanwhile is refused at once, in one line naming the holder, and the first
finishes untouched. A killed holder blocks nothing. An output folder that is the working
folder, holds it, or holds a file the command reads is refused before any work.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.analysis.folder_lock import lock_path
from sim.analysis.folders import MARKER
from tests.conftest import ROOT, SCENARIOS, run_cli

TPM = str(SCENARIOS / "touchpoint_management.yaml")
SMALL = ("--set", "population.size=2000", "--set", "horizon_days=30")
"""A small job; without ``--quiet``, so a refusal printed after the estimate would show."""

FIRST = {
    "run": lambda out: ["run", TPM, *SMALL, "--out", str(out)],
    "sweep": lambda out: [
        "sweep",
        TPM,
        *SMALL,
        "--grid",
        "sales.reps=1,2",
        "--workers",
        "1",
        "--out",
        str(out),
    ],  # fmt: skip
}
"""The commands tested in parallel with themselves (the two of issue 25)."""

RESULT = {"run": "summary.json", "sweep": "sweep.csv"}


def _start_and_pause(args: list[str]) -> subprocess.Popen:
    """Start a command (quiet), wait until it holds its output folder, then pause it there."""
    out = Path(args[args.index("--out") + 1])
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "run.py"), *args, "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 300
    while _holder_pid(out) != proc.pid:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the command never took its output folder"
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGSTOP)
    assert _holder_pid(out) == proc.pid and proc.poll() is None  # paused while holding it
    return proc


def _holder_pid(out: Path) -> int | None:
    try:
        return json.loads(lock_path(out).read_text())["pid"]
    except (OSError, ValueError, KeyError):
        return None


def _one_line(result: subprocess.CompletedProcess, out: Path) -> str:
    """The refusal of ``out``, alone on stderr (no estimate before it, no traceback)."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith(f"error: output folder {out}:"), lines[0]
    return lines[0]


@pytest.mark.parametrize("command", FIRST)
def test_a_second_command_on_a_held_folder_is_refused_and_the_first_finishes(tmp_path, command):
    out = tmp_path / "out"
    first = _start_and_pause(FIRST[command](out))
    try:
        second = run_cli(*FIRST[command](out), cwd=tmp_path)
    finally:
        os.kill(first.pid, signal.SIGCONT)
    line = _one_line(second, out)  # without --quiet: the estimate is not printed before it
    assert f"in use by `run.py {command} " in line and f"(pid {first.pid}) since " in line
    assert line.endswith("wait for it or choose another --out")
    assert second.stdout == ""
    stdout, stderr = first.communicate(timeout=600)
    assert first.returncode == 0, stderr
    assert f"wrote {out}" in stdout
    assert json.loads((out / MARKER).read_text())["kind"] == command
    assert (out / RESULT[command]).stat().st_size > 0
    assert not lock_path(out).exists()  # released, and its file gone
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # nothing beside the folder


def test_a_killed_holder_blocks_nothing(tmp_path):
    out = tmp_path / "out"
    holder = _start_and_pause(FIRST["run"](out))
    os.kill(holder.pid, signal.SIGKILL)
    holder.communicate()
    again = run_cli(*FIRST["run"](out), cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert (out / "summary.json").is_file()
    assert not lock_path(out).exists()  # the next command took the stale file and removed it


@pytest.mark.parametrize("cwd_is", ["empty", "an earlier output"])
def test_out_dot_is_refused_before_any_work(tmp_path, cwd_is):
    here = tmp_path / "here"
    if cwd_is == "empty":
        here.mkdir()
    else:
        assert run_cli(*FIRST["run"](here)).returncode == 0
    before = sorted(p.name for p in here.iterdir())
    result = run_cli(*FIRST["run"]("."), cwd=here)
    line = _one_line(result, Path("."))
    assert f"is the working folder {here.resolve()} or holds it" in line
    assert sorted(p.name for p in here.iterdir()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["here"]


def test_out_above_the_working_folder_is_refused(tmp_path):
    here = tmp_path / "work"
    here.mkdir()
    line = _one_line(run_cli(*FIRST["sweep"](".."), cwd=here), Path(".."))
    assert "or holds it" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]


def test_out_holding_the_scenario_file_is_refused(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(SCENARIOS, project / "scenarios")
    scenario = project / "scenarios" / "touchpoint_management.yaml"
    for out in (project, project / "scenarios"):
        result = run_cli("run", str(scenario), *SMALL, "--out", str(out), cwd=tmp_path)
        line = _one_line(result, out)
        assert f"holds {scenario}, which this command reads" in line
    assert sorted(p.name for p in project.iterdir()) == ["scenarios"]
