"""Every output folder says what made it, and ``rerun DIR`` reproduces it from that alone."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

import sim
from sim.experiments.store import content_hash
from sim.model.version import model_hash
from tests.conftest import SCENARIOS, run_cli

SMALL = ["--set", "population.size=400", "--set", "horizon_days=30"]
TPM = str(SCENARIOS / "touchpoint_management.yaml")
AIDA = str(SCENARIOS / "aida_funnel.yaml")

COMMANDS = {
    "run": ["run", TPM, *SMALL, "--seed", "4"],
    "compare": ["compare", AIDA, TPM, *SMALL, "--replications", "2", "--workers", "1"],
    "sweep": ["sweep", TPM, *SMALL, "--grid", "sales.reps=1,3", "--workers", "1"],
    "sensitivity": ["sensitivity", TPM, *SMALL, "--param", "handoff.level=0.4:0.9",
                    "--method", "morris", "--samples", "2", "--replications", "2",
                    "--workers", "1"],
}  # fmt: skip


@pytest.mark.parametrize("command", list(COMMANDS))
def test_rerun_reproduces_a_folder_moved_away_from_its_scenarios(tmp_path, command):
    first = tmp_path / "first"
    result = run_cli(*COMMANDS[command], "--quiet", "--out", str(first))
    assert result.returncode == 0, result.stderr
    record = json.loads((first / "provenance.json").read_text())
    assert record["command"] == command
    assert record["model_hash"] == model_hash()
    assert record["seeds"] and all(isinstance(s, int) for s in record["seeds"])
    assert record["libraries"]["numpy"]
    # the folder alone suffices: move it where the scenario tree is out of reach
    moved = tmp_path / "elsewhere" / "kept"
    moved.parent.mkdir()
    shutil.move(first, moved)
    again = run_cli("rerun", str(moved), "--quiet")
    assert again.returncode == 0, again.stderr
    assert "reproduced: identical" in again.stdout
    assert (tmp_path / "elsewhere" / "kept-rerun" / "provenance.json").exists()


def test_the_recorded_scenario_is_the_one_run(tmp_path):
    """extends resolved and --set applied: the file loads to the very same scenario."""
    out = tmp_path / "out"
    result = run_cli(*COMMANDS["run"], "--set", "sales.reps=5", "--quiet", "--out", str(out))
    assert result.returncode == 0, result.stderr
    (path,) = (out / "scenarios").iterdir()
    text = yaml.safe_load(path.read_text())
    assert "extends" not in text and text["sales"]["reps"] == 5
    expected = sim.load_scenario(TPM, {"population.size": 400, "horizon_days": 30,
                                       "sales.reps": 5})  # fmt: skip
    assert content_hash(sim.load_scenario(path)) == content_hash(expected)


def test_rerun_refuses_a_folder_without_provenance(tmp_path, capsys):
    from sim.cli import main

    (tmp_path / "x").mkdir()
    assert main(["rerun", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "provenance.json: not found" in err
