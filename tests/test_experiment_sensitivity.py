"""Global sensitivity analysis: Sobol and Morris indices of the KPIs, and the CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim import experiments as experiment
from sim.cli import main
from tests.conftest import BUSY, SCENARIOS, run_cli, small

FILE = SCENARIOS / "touchpoint_management.yaml"
PARAMS = {
    "handoff.level": (0.4, 0.9),
    "sales.reps": (1, 4),
    "channels.advertising.budget": (0, 20000),  # advertising is off here: no effect at all
}


@pytest.fixture(scope="module")
def base():
    return small(size=500, days=30, **BUSY)


@pytest.fixture(scope="module")
def sobol(base):
    return experiment.run_sensitivity(
        base, PARAMS, "sobol", samples=8, seed=2, replications=3, workers=1, progress=False
    )


def test_sobol_indices_table(sobol):
    indices = sobol.indices
    assert list(indices.columns) == [
        *("kpi", "param", "S1", "S1_conf", "ST", "ST_conf", "S1_noise", "ST_noise"),
        "above_noise",
    ]
    cos = indices[indices.kpi == "cost_of_sale"].set_index("param")
    assert list(cos.index) == list(PARAMS)
    assert np.isfinite(cos[["S1", "S1_conf", "ST", "ST_conf"]].to_numpy()).all()
    # a parameter that changes nothing has total index exactly 0 (common random numbers)
    assert cos.loc["channels.advertising.budget", "ST"] == 0
    assert cos.loc["handoff.level", "ST"] > 0
    assert len(sobol.runs) == 8 * (3 + 2) * 3
    assert sobol.runs["param.sales.reps"].dtype == np.int64  # integer field: rounded
    assert set(sobol.runs["param.sales.reps"]) <= {1, 2, 3, 4}
    # the same three seeds at every sample (common random numbers)
    assert sobol.runs.seed.nunique() == 3
    assert (sobol.runs.groupby("sample").seed.apply(tuple).nunique()) == 1


def test_public_sensitivity_matches_and_selects_kpis(base, sobol):
    indices = experiment.sensitivity(
        base,
        PARAMS,
        "sobol",
        samples=8,
        seed=2,
        replications=3,
        kpis=["cost_of_sale", "customers"],
        workers=1,
        progress=False,
    )
    assert set(indices.kpi) == {"cost_of_sale", "customers"}
    expected = pd.concat(
        [sobol.indices[sobol.indices.kpi == k] for k in ("cost_of_sale", "customers")]
    )
    pd.testing.assert_frame_equal(indices.reset_index(drop=True), expected.reset_index(drop=True))


def test_morris(base):
    indices = experiment.sensitivity(
        base, PARAMS, "morris", samples=4, seed=1, kpis=["cost_of_sale"], workers=1, progress=False
    )
    assert list(indices.columns) == [
        *("kpi", "param", "mu", "mu_star", "mu_star_conf", "sigma", "mu_star_noise"),
        "above_noise",
    ]
    row = indices.set_index("param").loc["channels.advertising.budget"]
    assert row.mu_star == 0 and row.sigma == 0 and not row.above_noise


@pytest.mark.parametrize(
    ("params", "kwargs", "needle"),
    [
        ({"handoff.level": (0.9, 0.4)}, {}, "LOW must be below HIGH"),
        ({"handoff.nope": (0, 1)}, {}, "param handoff.nope: no such field"),
        ({"handoff.rule": (0, 1)}, {}, "not a number field"),
        ({"handoff.level": (0.4, 1.5)}, {}, "handoff.level (override)"),
        ({"handoff.level": (0.4, 0.9)}, {"samples": 50}, "power of 2"),
        ({"handoff.level": (0.4, 0.9)}, {"method": "fast"}, "sobol or morris"),
        ({"handoff.level": (0.4, 0.9)}, {"kpis": ["nope"]}, "no such KPI"),
    ],
)
def test_bad_input(base, params, kwargs, needle):
    kwargs = {"samples": 2, "workers": 1, "progress": False, **kwargs}
    with pytest.raises(sim.InputError) as info:
        experiment.sensitivity(base, params, **kwargs)
    assert needle in str(info.value)


def test_cli_bad_input_writes_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    for args in (
        ["--param", "handoff.level=0.9:0.4"],
        ["--param", "handoff.level"],
        ["--param", "handoff.nope=0:1"],
        ["--param", "handoff.level=0.4:0.9", "--samples", "3"],
    ):
        code = main(["sensitivity", str(FILE), "--out", str(out), *args])
        err = capsys.readouterr().err.strip()
        assert code == 2 and len(err.splitlines()) == 1, err
        assert not out.exists()


def test_cli_sensitivity(tmp_path, sobol):
    out = tmp_path / "out"
    result = run_cli(
        "sensitivity",
        str(FILE),
        "--set",
        "population.size=500",
        "--set",
        "horizon_days=30",
        *[a for k, v in BUSY.items() for a in ("--set", f"{k}={v}")],
        *[a for k, (lo, hi) in PARAMS.items() for a in ("--param", f"{k}={lo}:{hi}")],
        "--samples",
        "8",
        "--seed",
        "2",
        "--replications",
        "3",
        "--workers",
        "2",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert "cost_of_sale" in result.stdout and "S1" in result.stdout
    indices = pd.read_csv(out / "indices.csv")
    pd.testing.assert_frame_equal(indices, sobol.indices, check_exact=False, rtol=1e-12)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), sobol.runs)
    assert (out / "sensitivity.png").stat().st_size > 0
    again = run_cli(
        "sensitivity",
        str(FILE),
        "--set",
        "population.size=500",
        "--set",
        "horizon_days=30",
        *[a for k, v in BUSY.items() for a in ("--set", f"{k}={v}")],
        *[a for k, (lo, hi) in PARAMS.items() for a in ("--param", f"{k}={lo}:{hi}")],
        "--samples",
        "8",
        "--seed",
        "2",
        "--replications",
        "3",
        "--workers",
        "2",
        "--out",
        str(out),
    )
    assert again.returncode == 0 and "to run" in again.stderr and "0 to run" in again.stderr


def test_sensitivity_figure(sobol):
    from sim.outputs.experiment_figures import sensitivity_figure

    fig = sensitivity_figure(sobol.indices, ["cost_of_sale", "customers"])
    assert [ax.get_title() for ax in fig.axes] == ["cost_of_sale", "customers"]


@pytest.fixture(scope="module")
def morris(base):
    return experiment.run_sensitivity(
        base,
        {**PARAMS, "channels.webinar.budget": (0, 20000)},
        "morris",
        samples=6,
        seed=1,
        replications=4,
        kpis=["customers", "cost_of_sale"],
        workers=1,
        progress=False,
    )


def test_morris_is_signed_and_measured_against_seed_noise(morris):
    table = morris.indices.set_index(["kpi", "param"])
    # signed: a higher hand-off bar loses customers; more reps cost more per sale
    assert table.loc[("customers", "handoff.level"), "mu"] < 0
    assert table.loc[("cost_of_sale", "sales.reps"), "mu"] > 0
    # a strong lever stands above the seed-noise floor; one that is switched off does not
    assert table.loc[("customers", "handoff.level"), "above_noise"]
    assert not table.loc[("customers", "channels.advertising.budget"), "above_noise"]
    floor = table.loc[("cost_of_sale", "channels.webinar.budget")]
    assert floor.mu_star_noise > 0
    assert floor.above_noise == (floor.mu_star - floor.mu_star_conf > floor.mu_star_noise)
    assert morris.runs.groupby("sample").replication.nunique().eq(4).all()


def test_one_replication_warns_that_noise_is_unmeasured(base):
    result = experiment.run_sensitivity(
        base, PARAMS, "morris", samples=2, seed=1, replications=1, workers=1, progress=False
    )
    assert result.indices.mu_star_noise.isna().all()
    assert not result.indices.above_noise.any()
    assert "seed noise is not measured" in result.warnings()[0]


def test_a_kpi_undefined_in_some_run_is_named(base):
    result = experiment.run_sensitivity(
        base,
        {"channels.search_content.budget": (0, 6000), "channels.free_trial.budget": (0, 5000)},
        "morris", samples=2, seed=1, replications=2, kpis=["cost_of_sale"], workers=1,
        progress=False,
    )  # fmt: skip
    assert result.runs.cost_of_sale.isna().any()  # no search budget, no customers, in 30 days
    assert result.indices.mu_star.isna().all()
    assert any("cost_of_sale: undefined in" in line for line in result.warnings())


def test_an_index_is_above_noise_only_when_its_interval_clears_the_floor():
    from sim.experiments.salib import above_noise

    assert above_noise(0.382, 0.1, 0.2)
    assert not above_noise(0.382, 0.566, 0.2)  # the interval reaches below the floor
    assert not above_noise(0.382, float("nan"), 0.2)  # no interval: cannot tell
    assert not above_noise(0.382, 0.1, float("nan"))  # no floor measured
