"""Issue 25, defects 8 and 13: estimates before a run, refusals before heavy imports.

Every command that runs the model prints one line estimating its time and peak memory
before it starts, refuses a job that will not fit in memory unless ``--force``, and
refuses bad arguments before it imports the model, numba or the optional libraries.
"""

from __future__ import annotations

import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli.main import main
from sim.model.cost import Runs, estimate

ROOT = Path(__file__).resolve().parents[1]
FUNNEL = str(ROOT / "scenarios" / "sales_funnel.yaml")
AIDA = str(ROOT / "scenarios" / "aida_funnel.yaml")
ESTIMATE = re.compile(
    r"^estimate: (?P<runs>[\d,]+) runs? x (?P<prospects>[\d,]+) prospects x "
    r"(?P<days>[\d,]+) days ≈ \S+ (s|min|h|days) (in this process|on \d+ workers), "
    r"peak memory ≈ (?P<gb>[\d.]+) GB$"
)
HEAVY = ("numba", "sim.model.model", "sim.experiments", "optuna", "pyabc", "SALib", "matplotlib")
"""Modules a refusal of bad arguments must not have imported."""

BAD_ARGUMENTS = {
    "run": ["run", FUNNEL, "--seed", "-1"],
    "compare": ["compare", FUNNEL, AIDA, "--seed", "-1"],
    "sweep": ["sweep", FUNNEL, "--grid", "population.size=100,200", "--seed", "-1"],
    "sensitivity": ["sensitivity", FUNNEL, "--param", "sales.reps=1:3", "--replications", "0"],
    "calibrate": ["calibrate", FUNNEL, "--targets", "t.yaml", "--param", "a=1:2", "--seed", "-1"],
    "optimise": ["optimise", FUNNEL, "--trials", "0"],
    "attribution": ["attribution", FUNNEL, "--replications", "0"],
    "attribution seed": ["attribution", FUNNEL, "--seed", "-1"],
}


@pytest.mark.parametrize("argv", BAD_ARGUMENTS.values(), ids=BAD_ARGUMENTS.keys())
def test_bad_arguments_are_refused_before_anything_heavy_is_imported(argv, tmp_path):
    code = (
        "import sys; from sim.cli.main import main; status = main(sys.argv[1:]); "
        f"print(status, [m for m in {HEAVY!r} if m in sys.modules])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *argv, "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.stdout.strip() == "2 []", done.stdout + done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stderr.startswith("error: --")
    assert not (tmp_path / "out").exists()


def _estimate_line(stderr: str) -> re.Match[str]:
    lines = [line for line in stderr.splitlines() if line.startswith("estimate:")]
    assert len(lines) == 1, stderr
    found = ESTIMATE.match(lines[0])
    assert found, lines[0]
    return found


def test_run_prints_an_estimate_that_grows_with_the_market(tmp_path, capsys):
    figures = []
    for size in (1000, 300_000):
        out = tmp_path / str(size)
        argv = ["run", FUNNEL, "--set", f"population.size={size}", "--set", "horizon_days=2"]
        assert main([*argv, "--out", str(out)]) == 0
        found = _estimate_line(capsys.readouterr().err)
        assert (found["runs"], found["prospects"], found["days"]) == ("1", f"{size:,}", "2")
        figures.append(float(found["gb"]))
    assert figures[1] > figures[0]


def test_compare_prints_its_runs_and_quiet_hides_the_estimate(tmp_path, capsys):
    argv = ["compare", FUNNEL, AIDA, "--set", "population.size=500", "--set", "horizon_days=5"]
    argv += ["--replications", "3", "--workers", "1"]
    assert main([*argv, "--out", str(tmp_path / "a")]) == 0
    found = _estimate_line(capsys.readouterr().err)
    assert (found["runs"], found["prospects"], found["days"]) == ("6", "500", "5")
    assert main([*argv, "--out", str(tmp_path / "b"), "--quiet"]) == 0
    assert "estimate" not in capsys.readouterr().err


def test_estimates_scale_with_runs_prospects_days_and_kept_tables():
    small = estimate([Runs(10, 10_000, 365)], workers=1)
    assert estimate([Runs(20, 10_000, 365)], 1).seconds > small.seconds
    assert estimate([Runs(10, 100_000, 365)], 1).seconds > small.seconds
    assert estimate([Runs(10, 10_000, 730)], 1).seconds > small.seconds
    assert estimate([Runs(10, 1_000_000, 365)], 1).peak_bytes > small.peak_bytes
    kept = estimate([Runs(10, 10_000, 365)], 1, keeps_daily=True)
    assert kept.peak_bytes > small.peak_bytes
    assert estimate([Runs(100, 10_000, 365)], workers=2).workers == 2
    assert estimate([Runs(1, 10_000, 365)], workers=2).workers == 1  # one batch: no pool


def _limited_memory() -> None:
    limit = 3 * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


@pytest.mark.parametrize("quiet", [[], ["--quiet"]], ids=["", "quiet"])
@pytest.mark.parametrize("command", ["run", "compare"])
def test_ten_million_prospects_are_refused_in_one_line_when_memory_is_short(
    command, quiet, tmp_path
):
    files = [FUNNEL] if command == "run" else [FUNNEL, AIDA]
    argv = [command, *files, "--set", "population.size=10000000", *quiet]
    done = subprocess.run(
        [sys.executable, str(ROOT / "run.py"), *argv, "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        preexec_fn=_limited_memory,  # ulimit -v 3 GB: the refusal must not depend on this machine
        check=False,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.strip().splitlines()  # the refusal alone: no estimate printed before it
    assert line.startswith("error: population.size 10,000,000:")
    assert "GB of memory" in line and "--force" in line
    assert not (tmp_path / "out").exists()


def test_the_runner_hashes_each_scenario_once_not_once_per_run(monkeypatch):
    from sim.experiments import runner, store
    from sim.experiments.specs import RunSpec
    from sim.scenario.loading import load_scenario

    calls = []
    real = store.content_hash

    def counted(scenario):
        calls.append(1)
        return real(scenario)

    monkeypatch.setattr(store, "content_hash", counted)
    monkeypatch.setattr(runner, "content_hash", counted)
    scenarios = [load_scenario(FUNNEL), load_scenario(AIDA)]
    specs = [RunSpec(s, seed, seed, s.name) for s in scenarios for seed in range(500)]
    hashes = runner.scenario_hashes(specs)
    groups = runner.batches(specs)
    assert len(calls) == 4  # two scenarios, twice: once each for the hashes and the batches
    assert sum(len(g) for g in groups) == 1000
    assert store.run_key(scenarios[0], 7, scenario_hash=hashes[0]) == store.run_key(scenarios[0], 7)


def test_the_default_workers_are_the_cores_this_process_may_use():
    """A process pinned to one core (taskset, a cluster's cpuset) runs serially by default."""
    import os
    import subprocess
    import sys

    one = min(os.sched_getaffinity(0))
    code = "from sim.model.cost import available_cores; print(available_cores())"
    pinned = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        preexec_fn=lambda: os.sched_setaffinity(0, {one}),
    )
    assert pinned.stdout.strip() == "1"


def test_a_batch_of_replications_is_estimated_at_what_a_batch_costs():
    """Replications share a batch's days (``benchmarks/estimate_costs.py``: 30 runs of
    10,000 × 365 in one batch took 3.5 s against 0.54 s for one run alone)."""
    one = estimate([Runs(1, 10_000, 365)], workers=1).seconds
    batch = estimate([Runs(30, 10_000, 365)], workers=1).seconds
    assert 3 * one < batch < 10 * one
    pool = estimate([Runs(30, 10_000, 365)] * 4, workers=2)
    assert pool.workers == 2
    assert pool.seconds > 2 * batch  # four batches on two workers: two rounds, and a start
