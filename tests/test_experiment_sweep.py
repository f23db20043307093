"""Sweeps: the tidy table, engines that agree, validation up front, the CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import sim
from sim import experiments as experiment
from sim.analysis.folders import MARKER
from sim.cli import main
from sim.cli.experiments import parse_param
from sim.cli.sweep import parse_grid
from sim.experiments.store import MANIFEST, RunStore
from sim.scenario import with_overrides
from tests.conftest import SCENARIOS, run_cli, small

FILE = SCENARIOS / "touchpoint_management.yaml"
GRID = {"population.size": [400, 600.0], "channels.free_trial.budget": [0, 20000]}


@pytest.fixture(scope="module")
def base():
    return small(size=500, days=30)


@pytest.fixture(scope="module")
def serial_table(base):
    return experiment.sweep(base, GRID, replications=2, seed=3, workers=1, progress=False)


def test_sweep_is_a_tidy_table(serial_table):
    table = serial_table
    assert len(table) == 2 * 2 * 2
    assert list(table.columns[:4]) == [
        "param.population.size",
        "param.channels.free_trial.budget",
        "replication",
        "seed",
    ]
    assert {"cost_of_sale", "customers", "clv_to_cac", "roi"} <= set(table.columns)
    assert table["param.population.size"].dtype == np.int64  # integer field: ints
    assert table["param.channels.free_trial.budget"].dtype == np.float64
    assert table["cost_of_sale"].dtype == np.float64
    # common random numbers: replication k has the same seed at every grid point
    seeds = table.groupby("replication")["seed"].nunique()
    assert (seeds == 1).all()
    assert list(table.seed.iloc[:2]) == experiment.replication_seeds(3, 2)
    # grid order: the last key varies fastest, replications innermost
    assert list(table["param.channels.free_trial.budget"].iloc[:4]) == [0, 0, 20000, 20000]


def test_three_engines_give_equal_tables(base, serial_table):
    pooled = experiment.sweep(base, GRID, replications=2, seed=3, workers=2, progress=False)
    pd.testing.assert_frame_equal(serial_table, pooled)
    with experiment.dask_executor("local") as cluster:
        dasked = experiment.sweep(
            base, GRID, replications=2, seed=3, executor=cluster, progress=False
        )
    pd.testing.assert_frame_equal(serial_table, dasked)


def test_same_numbers_as_a_single_run(base, serial_table):
    row = serial_table.iloc[5]
    scenario = with_overrides(base, {"population.size": 600, "channels.free_trial.budget": 0.0})
    result = sim.simulate(scenario, int(row.seed))
    assert result.kpis["customers"] == row.customers
    assert result.kpis["cost_of_sale"] == pytest.approx(row.cost_of_sale, rel=0, abs=0)


def test_store_resumes_and_skips_finished_runs(base, serial_table, tmp_path, capsys):
    out = tmp_path / "sweep"
    first = experiment.sweep(
        base, GRID, replications=2, seed=3, workers=1, progress=False, store=out
    )
    pd.testing.assert_frame_equal(first, serial_table)
    files = sorted(p for p in (out / "runs").glob("*.json") if p.name != MANIFEST)
    assert len(files) == 8
    stamps = {f.name: f.stat().st_mtime_ns for f in files}
    record = json.loads(files[0].read_text())
    assert {"key", "params", "seed", "kpis", "scenario_hash"} <= set(record)
    # a torn temp file and a corrupt record are ignored; the corrupt run is done again
    (out / "runs" / f".touchpoint-{'0' * 32}.json.tmp").write_text('{"key": ')  # as put names it
    files[0].write_text("{not json")
    again = experiment.sweep(
        base, GRID, replications=2, seed=3, workers=1, progress=True, store=out
    )
    pd.testing.assert_frame_equal(again, serial_table)
    assert "resuming: 7 of 8 runs" in capsys.readouterr().err
    changed = [f.name for f in files if f.stat().st_mtime_ns != stamps[f.name]]
    assert changed == [files[0].name]
    assert len(RunStore(out).load()) == 8


def test_unknown_key_fails_before_any_run(base, tmp_path):
    out = tmp_path / "sweep"
    with pytest.raises(sim.ScenarioError, match=r"channels\.nope\.budget.*no such field"):
        experiment.sweep(
            base, {"channels.nope.budget": [1, 2]}, workers=1, progress=False, store=out
        )
    with pytest.raises(sim.ScenarioError, match=r"population\.size \(override\).*got -5"):
        experiment.sweep(base, {"population.size": [100, -5]}, workers=1, progress=False, store=out)
    assert not out.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("population.size=1000,5000", ("population.size", [1000, 5000])),
        (
            "channels.free_trial.budget=0:50000:11",
            ("channels.free_trial.budget", (0.0, 50000.0, 11)),
        ),
        ("handoff.rule=mean,min", ("handoff.rule", ["mean", "min"])),
        ("handoff.qualify=true", ("handoff.qualify", [True])),
    ],
)
def test_parse_grid(text, expected):
    assert parse_grid(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "population.size",
        "=1,2",
        "population.size=",
        "a=1,,2",
        "a=5:1:3",
        "a=0:x:3",
        "a=0:1:1",
        "a=0:1:2.5",
        "a=1,1",
        "a=.nan",
        "a=.inf,1",
    ],
)
def test_parse_grid_rejects(text):
    with pytest.raises(sim.InputError, match="--grid"):
        parse_grid(text)


def test_parse_param():
    assert parse_param("handoff.level=0.4:0.9") == ("handoff.level", (0.4, 0.9))
    for bad in ("handoff.level=0.9:0.4", "handoff.level=0.4", "handoff.level=a:1", "x=1:1"):
        with pytest.raises(sim.InputError, match="--param"):
            parse_param(bad)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--grid", "population.size"], "--grid population.size: expected KEY="),
        (["--grid", "population.size=5000:1000:3"], "LOW must not exceed HIGH"),
        (
            ["--grid", "channels.nope.budget=1,2"],
            "channels.nope.budget (from --grid): no such field",
        ),
        (["--grid", "population.size=1,3:4"], "population.size (from --grid)"),
        (["--grid", "population.size=1,abc"], "population.size (from --grid)"),
        (["--grid", "population.size=1:3:5"], "repeat values"),
        (["--grid", "population.size=100,200", "--kpi", "nope"], "--kpi nope: no such KPI"),
        (["--grid", "population.size=100", "--replications", "0"], "--replications: must be >= 1"),
        (["--grid", "population.size=100", "--workers", "0"], "--workers: must be >= 1"),
    ],
)
def test_sweep_cli_bad_input(args, needle, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["sweep", str(FILE), "--set", "population.size=500", "--out", str(out), *args])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1 and needle in err, err
    assert not out.exists()


def test_sweep_cli_refuses_a_foreign_folder(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    code = main(["sweep", str(FILE), "--grid", "population.size=100", "--out", str(tmp_path)])
    assert code == 2 and "did not write" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_sweep_cli_writes_table_summary_and_plots(base, tmp_path):
    out = tmp_path / "out"
    result = run_cli(
        "sweep",
        str(FILE),
        "--set",
        "population.size=500",
        "--set",
        "horizon_days=30",
        "--grid",
        "population.size=400,600",
        "--grid",
        "channels.free_trial.budget=0:20000:2",
        "--replications",
        "2",
        "--seed",
        "3",
        "--workers",
        "1",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert "cost_of_sale" in result.stdout and "8/8" in result.stderr  # bar: done / total
    table = pd.read_parquet(out / "sweep.parquet")
    expected = experiment.sweep(base, GRID, replications=2, seed=3, workers=1, progress=False)
    pd.testing.assert_frame_equal(table, expected)
    csv = pd.read_csv(out / "sweep.csv")
    assert list(csv.columns) == list(table.columns) and len(csv) == 8
    summary = pd.read_csv(out / "summary.csv")
    assert {"kpi", "mean", "ci_low", "ci_high", "n"} <= set(summary.columns)
    assert sorted(p.name for p in (out / "plots").iterdir()) == [
        "clv_to_cac.png",
        "cost_of_sale.png",
        "customers.png",
    ]
    assert [p.name for p in out.rglob(".*")] == [MARKER]  # no temp files left
    quiet = run_cli(
        "sweep",
        str(FILE),
        "--set",
        "population.size=500",
        "--set",
        "horizon_days=30",
        "--grid",
        "population.size=400,600",
        "--grid",
        "channels.free_trial.budget=0:20000:2",
        "--replications",
        "2",
        "--seed",
        "3",
        "--workers",
        "1",
        "--out",
        str(out),
        "--quiet",
        "--kpi",
        "roi",
    )
    # quiet: no progress, no notes; what the numbers hide (underspent budgets) still shows
    assert quiet.returncode == 0
    assert all(line.startswith("warning: ") for line in quiet.stderr.splitlines())
    assert (out / "plots" / "roi.png").exists()


def test_sweep_figure(serial_table):
    from sim.outputs.experiment_figures import sweep_figure

    fig = sweep_figure(serial_table, "cost_of_sale")
    assert len(fig.axes) == 2
    assert fig.axes[0].get_xlabel() == "population.size"


def test_compare_still_works_on_an_executor(base):
    other = with_overrides(base, {"name": "other", "handoff.level": 0.5})
    serial = experiment.compare([base, other], replications=2, seed=1, workers=1, progress=False)
    pooled = experiment.compare([base, other], replications=2, seed=1, workers=2, progress=False)
    pd.testing.assert_frame_equal(serial.kpis, pooled.kpis)
    assert set(serial.summary().scenario) == {base.name, "other"}
