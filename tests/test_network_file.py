"""A real network from an edge list: read inside the scenario tree, checked, reproducible."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import sim
from sim.model.model import JourneyModel
from tests.conftest import SCENARIOS, run_cli

SIZE = 300


@pytest.fixture
def tree(tmp_path):
    """A scenario tree with the shipped files, a network file and a scenario naming it."""
    root = tmp_path / "scenarios"
    shutil.copytree(SCENARIOS / "base", root / "base")
    shutil.copy(SCENARIOS / "touchpoint_management.yaml", root / "tpm.yaml")
    (root / "nets").mkdir()
    ring = "\n".join(f"{i},{(i + 1) % SIZE}" for i in range(SIZE))
    (root / "nets" / "ring.csv").write_text("from,to\n" + ring + "\n")
    (root / "mine.yaml").write_text(
        "name: mine\nextends: tpm.yaml\npopulation: {size: 300}\nhorizon_days: 30\n"
        "word_of_mouth: {network: file, network_file: nets/ring.csv}\n"
    )
    return root


def test_the_model_runs_on_the_network_in_the_file(tree):
    model = JourneyModel(sim.load_scenario(tree / "mine.yaml"), seeds=[1, 2])
    degrees = model.graph.degrees()
    assert (degrees == 2).all() and degrees.size == 2 * SIZE  # the ring, in each replication
    model.run()


@pytest.mark.parametrize(
    ("network_file", "content", "needle"),
    [
        ("nets/missing.csv", None, "network_file: 'nets/missing.csv': file not found"),
        ("../outside.csv", "0,1\n", "outside the scenario tree"),
        ("nets/ring.txt", "0,1\n", "not a .csv or .parquet file"),
        ("nets/bad.csv", "0,1\n2,x\n", "row 2: expected two prospect numbers 0..299"),
        ("nets/big.csv", "0,1\n2,300\n", "(population.size 300); got 2, 300"),
        ("nets/one.csv", "0\n1\n", "expected two columns"),
    ],
)
def test_a_bad_network_file_is_one_line(tree, network_file, content, needle):
    if content is not None:
        (tree / network_file).parent.mkdir(parents=True, exist_ok=True)
        (tree / network_file).write_text(content)
    result = run_cli("validate", str(tree / "mine.yaml"),
                     "--set", f"word_of_mouth.network_file={network_file}")  # fmt: skip
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert needle in line


def test_file_and_network_go_together(tree):
    result = run_cli("validate", str(tree / "mine.yaml"), "--set", "word_of_mouth.network=graph")
    assert result.returncode == 2 and "give it exactly when network is 'file'" in result.stderr


def test_a_run_on_a_network_file_reruns_from_its_folder(tree, tmp_path):
    out = tmp_path / "out"
    first = run_cli("run", str(tree / "mine.yaml"), "--quiet", "--out", str(out))
    assert first.returncode == 0, first.stderr
    assert (out / "scenarios" / "0-mine-network.csv").exists()
    shutil.rmtree(tree)  # the scenario tree is gone: the folder holds all a rerun reads
    again = run_cli("rerun", str(out), "--quiet")
    assert again.returncode == 0, again.stderr
    assert "reproduced: identical" in again.stdout
    np.testing.assert_array_equal(  # the copy is the file that was read
        np.loadtxt(out / "scenarios" / "0-mine-network.csv", delimiter=",", skiprows=1).shape,
        (SIZE, 2),
    )


def test_a_network_file_named_in_python_is_checked_before_it_is_opened(tmp_path):
    os.mkfifo(tmp_path / "ties.csv")  # opened for reading, a named pipe blocks forever
    read = (
        f"from sim.scenario.edges import read_edges; read_edges({str(tmp_path / 'ties.csv')!r}, 9)"
    )
    result = subprocess.run(
        [sys.executable, "-c", read], capture_output=True, text=True, timeout=60
    )
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("sim.scenario.errors.ScenarioError: ")
    assert "ties.csv: network file is a named pipe, not a regular file; refused" in last
