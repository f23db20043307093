"""Output folders: a command never touches a folder holding anything Touchpoint did not write.

Every command writes only into a folder that is new, empty, or an earlier output of
the same kind (recognised by its marker file). Anything else is refused with one line
naming the folder, exit 2, and the folder is left byte for byte as it was.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import sim
from sim.analysis.folders import MARKER
from tests.conftest import ROOT, SCENARIOS, run_cli

TPM = str(SCENARIOS / "touchpoint_management.yaml")
AIDA = str(SCENARIOS / "aida_funnel.yaml")
TINY = ("--set", "population.size=300", "--set", "horizon_days=20")
RUN_ENTRIES = {
    MARKER,
    "daily.csv",
    "monthly.csv",
    "cohorts.csv",
    "ledger.csv",
    "summary.json",
    "provenance.json",
    "scenarios",
}


def _sweep_args(out: Path, *extra: str) -> list[str]:
    return [
        "sweep",
        TPM,
        *TINY,
        "--grid",
        "sales.reps=1,2",
        "--workers",
        "1",
        "--quiet",
        "--out",
        str(out),
        *extra,
    ]


COMMANDS: dict[str, Callable[[Path], list[str]]] = {
    "run": lambda out: ["run", TPM, *TINY, "--quiet", "--out", str(out)],
    "compare": lambda out: [
        "compare",
        TPM,
        AIDA,
        *TINY,
        "--replications",
        "2",
        "--workers",
        "1",
        "--quiet",
        "--out",
        str(out),
    ],
    "sweep": lambda out: _sweep_args(out),
    "sweep-fresh": lambda out: _sweep_args(out, "--fresh"),
    "sensitivity": lambda out: [
        "sensitivity",
        TPM,
        *TINY,
        "--param",
        "handoff.level=0.4:0.9",
        "--method",
        "morris",
        "--samples",
        "2",
        "--workers",
        "1",
        "--quiet",
        "--out",
        str(out),
    ],
    "attribution": lambda out: [
        "attribution",
        TPM,
        *TINY,
        "--replications",
        "2",
        "--workers",
        "1",
        "--quiet",
        "--out",
        str(out),
    ],
}


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry below ``folder`` (hidden ones too): file bytes, None for a folder."""
    return {
        p.relative_to(folder).as_posix(): None if p.is_dir() else p.read_bytes()
        for p in sorted(folder.rglob("*"))
    }


def user_folder(tmp_path: Path) -> Path:
    """A folder with a user's file and a user's subfolder holding a file."""
    folder = tmp_path / "mine"
    (folder / "drafts").mkdir(parents=True)
    (folder / "notes.txt").write_text("my notes, not Touchpoint's\n")
    (folder / "drafts" / "plan.csv").write_bytes(b"week,budget\n1,500\n")
    return folder


def refusal(result, folder: Path) -> str:
    """The one line of a refused command, checked to name ``folder``."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: output folder {folder}:"), lines[0]
    return lines[0]


@pytest.mark.parametrize("command", COMMANDS, ids=list(COMMANDS))
def test_a_users_folder_survives_every_command(tmp_path, command):
    folder = user_folder(tmp_path)
    before = snapshot(folder)
    assert set(before) == {"notes.txt", "drafts", "drafts/plan.csv"}
    loud = [arg for arg in COMMANDS[command](folder) if arg != "--quiet"]
    result = run_cli(*loud, cwd=tmp_path)
    line = refusal(result, folder)  # alone: no estimate printed before it
    assert "notes.txt" in line or "drafts" in line
    assert result.stdout == ""
    assert snapshot(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]  # nothing written beside it


def test_rerun_into_own_output_replaces_it(tmp_path, tmp_out):
    first = run_cli(*COMMANDS["run"](tmp_out), "--seed", "1", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    second = run_cli(*COMMANDS["run"](tmp_out), "--seed", "2", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert {p.name for p in tmp_out.iterdir()} == RUN_ENTRIES
    marker = json.loads((tmp_out / MARKER).read_text())
    assert marker["kind"] == "run"
    assert {entry.split("/")[0] for entry in marker["entries"]} == RUN_ENTRIES - {MARKER}
    assert json.loads((tmp_out / "summary.json").read_text())["seed"] == 2  # replaced
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temporary folder left


def test_output_of_another_kind_is_refused(tmp_path, tmp_out):
    assert run_cli(*COMMANDS["run"](tmp_out), cwd=tmp_path).returncode == 0
    before = snapshot(tmp_out)
    result = run_cli(*COMMANDS["compare"](tmp_out), cwd=tmp_path)
    line = refusal(result, tmp_out)
    assert "'run'" in line and "'compare'" in line
    assert snapshot(tmp_out) == before


def test_a_users_file_added_to_an_earlier_output_is_kept(tmp_path, tmp_out):
    assert run_cli(*COMMANDS["run"](tmp_out), cwd=tmp_path).returncode == 0
    (tmp_out / "my-analysis.txt").write_text("conclusions I wrote\n")
    before = snapshot(tmp_out)
    result = run_cli(*COMMANDS["run"](tmp_out), "--seed", "3", cwd=tmp_path)
    line = refusal(result, tmp_out)
    assert "'my-analysis.txt'" in line
    assert snapshot(tmp_out) == before
    assert (tmp_out / "my-analysis.txt").read_text() == "conclusions I wrote\n"


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_out_that_is_a_file_is_refused(tmp_path, command):
    target = tmp_path / "report.txt"
    target.write_text("a file, not a folder\n")
    result = run_cli(*COMMANDS[command](target), cwd=tmp_path)
    line = refusal(result, target)
    assert "is not a folder" in line
    assert target.read_text() == "a file, not a folder\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"]


def test_save_refuses_a_folder_with_a_users_file(tmp_path):
    folder = user_folder(tmp_path)
    before = snapshot(folder)
    scenario = sim.load_scenario(TPM, {"population.size": 300, "horizon_days": 20})
    result = sim.simulate(scenario, seed=1)
    with pytest.raises(sim.InputError, match="output folder") as caught:
        result.save(folder)
    assert str(folder) in str(caught.value)
    assert snapshot(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]
    saved = result.save(tmp_path / "fresh")  # the same result saves fine into a new folder
    assert {p.name for p in saved.iterdir()} == RUN_ENTRIES


# --- subfolders, run stores and temporary names ---------------------------------------


def test_a_users_file_in_a_subfolder_of_an_earlier_output_is_kept(tmp_path):
    out = tmp_path / "sweep"
    assert run_cli(*_sweep_args(out)).returncode == 0
    mine = out / "plots" / "mine.txt"
    mine.write_text("mine")
    again = run_cli(*_sweep_args(out))
    assert again.returncode == 2 and "plots/mine.txt" in again.stderr
    assert mine.read_text() == "mine"


def test_fresh_keeps_a_users_file_in_the_run_store(tmp_path):
    out = tmp_path / "sweep"
    assert run_cli(*_sweep_args(out)).returncode == 0
    notes = out / "runs" / "my-notes.json"
    notes.write_text('{"notes": 1}')
    fresh = run_cli(*_sweep_args(out, "--set", "population.size=301", "--fresh"))
    assert fresh.returncode == 2 and "runs/my-notes.json" in fresh.stderr
    assert notes.read_text() == '{"notes": 1}'


USERS_TEMPORARY_LOOKALIKES = {
    ".touchpoint-notes.markdown": b"my notes\n",
    ".touchpoint-results.20241207/summary.json": b'{"mine": true}\n',
    ".touchpoint-x.tmp": b"scratch\n",
    ".touchpoint-backup.old-2024/thesis.docx": b"PK three years of work",
}
"""A user's entries named like Touchpoint's temporaries (the four of issue 25)."""

AIDA_RUN = ("run", AIDA, "--set", "population.size=2000", "--set", "horizon_days=30", "--quiet")


@pytest.fixture(scope="module")
def earlier_run(tmp_path_factory) -> Path:
    """An earlier `run` output (the market of issue 25), made once for this file."""
    out = tmp_path_factory.mktemp("earlier") / "out"
    made = run_cli(*AIDA_RUN, "--out", str(out))
    assert made.returncode == 0, made.stderr
    return out


@pytest.fixture(scope="module")
def earlier_sweep(tmp_path_factory) -> Path:
    """An earlier `sweep` output, made once for this file."""
    out = tmp_path_factory.mktemp("earlier") / "sweep"
    made = run_cli(*_sweep_args(out))
    assert made.returncode == 0, made.stderr
    return out


@pytest.mark.parametrize("entry", USERS_TEMPORARY_LOOKALIKES)
def test_a_users_entry_named_like_a_temporary_one_is_kept(tmp_path, earlier_run, entry):
    out = Path(shutil.copytree(earlier_run, tmp_path / "out"))
    mine = out / entry
    mine.parent.mkdir(exist_ok=True)
    mine.write_bytes(USERS_TEMPORARY_LOOKALIKES[entry])
    before = snapshot(out)
    result = run_cli(*AIDA_RUN, "--out", str(out), cwd=tmp_path)
    line = refusal(result, out)
    assert repr(entry.split("/")[0]) in line
    assert mine.read_bytes() == USERS_TEMPORARY_LOOKALIKES[entry]
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # nothing built beside it


KILLED = """
import os, sys
from pathlib import Path
from sim.analysis.folders import add_entry, add_folder, replace_folder
out, where = Path(sys.argv[1]), sys.argv[2]
def die(tmp):
    (tmp / "half.png").write_bytes(b"half") if tmp.is_dir() else tmp.write_text("half")
    os._exit(9)  # killed outright: no clean-up runs
if where == "add_folder":
    with add_folder(out, "plots") as tmp:
        die(tmp)
elif where == "write_file":
    add_entry(out, "summary.csv", die)
else:
    with replace_folder(out, sys.argv[3]) as tmp:
        die(tmp)
"""
"""Kills a process inside one of the folder functions, leaving what a killed command leaves."""


def _killed_inside(where: str, out: Path, kind: str = "") -> None:
    code = subprocess.run(
        [sys.executable, "-c", KILLED, str(out), where, kind], cwd=ROOT
    ).returncode
    assert code == 9


@pytest.mark.parametrize("where", ["add_folder", "write_file"])
def test_leftovers_of_a_killed_sweep_are_recognised_and_removed(tmp_path, earlier_sweep, where):
    out = Path(shutil.copytree(earlier_sweep, tmp_path / "sweep"))
    _killed_inside(where, out)
    assert list(out.glob(".touchpoint-*"))  # the kill left its temporary behind
    again = run_cli(*_sweep_args(out))
    assert again.returncode == 0, again.stderr
    assert [p.name for p in out.rglob(".*")] == [MARKER]  # the leftovers are gone
    assert (out / "plots").is_dir() and (out / "sweep.csv").is_file()


def test_a_killed_replacement_does_not_block_the_next_run(tmp_path, earlier_run):
    out = Path(shutil.copytree(earlier_run, tmp_path / "out"))
    _killed_inside("replace_folder", out, "run")
    left = [p.name for p in tmp_path.iterdir() if p.name != "out"]
    assert len(left) == 1 and left[0].startswith(".touchpoint-out.")  # its half-built folder
    again = run_cli(*AIDA_RUN, "--out", str(out), cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert {p.name for p in out.iterdir()} == RUN_ENTRIES


def test_a_tampered_marker_cannot_make_anything_outside_the_folder_go(tmp_path, earlier_sweep):
    out = Path(shutil.copytree(earlier_sweep, tmp_path / "sweep"))
    victim = tmp_path / ".touchpoint-victim.tmp"
    victim.write_text("not Touchpoint's")
    marker = json.loads((out / MARKER).read_text())
    marker["temporary"] += ["../.touchpoint-victim.tmp", str(victim)]
    (out / MARKER).write_text(json.dumps(marker))
    assert run_cli(*_sweep_args(out)).returncode == 0
    assert victim.read_text() == "not Touchpoint's"
