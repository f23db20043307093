"""Ground truth for attribution: known effects come out as known, and the files are whole."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import sim
from sim.analysis.attribution_models import MODELS
from sim.experiments.truth import BASELINE, removals, run_variants, truth_table
from tests.conftest import BUSY, SCENARIOS, run_cli, small

RETARGETING = {  # a channel that only ever touches prospects who have bought already
    "cost_per_touch": 0.5,
    "budget": 3000,
    "reach_per_day": 0.5,
    "audience": "everyone",
    "stages": ["customer", "advocate"],
    "quality": {"mean": 1.0, "sd": 0.3},
    "trust": {"company": 1.0},
}
SEEDS = [101, 102, 103, 104, 105]


@pytest.fixture(scope="module")
def known():
    """Search/content is the only way to become aware (no word of mouth), and a
    retargeting channel touches only customers: the truth is every customer and 0."""
    raw = small(size=1200, days=100, **BUSY, **{"word_of_mouth.network": "none"}).model_dump()
    raw["channels"]["retargeting"] = RETARGETING
    scenario = sim.scenario_from_dict(raw)
    runs = run_variants(scenario, SEEDS, workers=1, progress=False)
    return scenario, runs, truth_table(runs).set_index("source")


def test_removals_are_the_scenarios_own_sources(known):
    scenario, _, truth = known
    expected = [*scenario.enabled_channels(), "rep", "reviews", "care"]  # no word of mouth
    assert [v.source for v in removals(scenario)] == list(truth.index) == expected


def test_the_only_way_to_awareness_won_every_customer(known):
    _, runs, truth = known
    base = runs.kpis[runs.kpis.variant == BASELINE].set_index("replication")["customers"]
    without = runs.kpis[runs.kpis.variant == "without search_content"]
    assert (without["customers"] == 0).all()
    assert base.min() > 5
    row = truth.loc["search_content"]
    assert row.customers == pytest.approx(base.mean())
    assert row.customers_low <= base.mean() <= row.customers_high


def test_a_channel_that_touches_only_customers_won_nobody(known):
    _, _, truth = known
    row = truth.loc["retargeting"]
    assert row.customers_low <= 0 <= row.customers_high
    assert abs(row.customers) < 0.2 * truth.loc["search_content"].customers


def test_the_last_tenth_of_a_budget_is_priced(known):
    _, runs, truth = known
    base = runs.kpis[runs.kpis.variant == BASELINE]
    for source in truth[truth.kind == "channel"].index:
        spent, used = base[f"spend_actual.{source}"].mean(), base[f"budget_used.{source}"].mean()
        saved = truth.loc[source, "last10_spend"]
        planned = base[f"spend_planned.{source}"].mean()
        assert -0.01 * spent <= saved <= 0.1 * planned + 1e-9, source  # never more than 10 %
        if used > 0.99:  # the budget binds: the last tenth is a tenth of the spend
            assert saved == pytest.approx(0.1 * spent, rel=0.02), source
    assert np.isnan(truth.loc["rep", "last10_customers"])  # reps are not trimmed


@pytest.fixture(scope="module")
def shipped():
    """The shipped touchpoint-management market, small, through the public API."""
    scenario = small(size=3000, days=180)
    return sim.attribution(scenario, replications=4, seed=3, workers=1, progress=False)


def test_public_api_returns_tables(shipped):
    for name in ("truth", "touches", "paths", "scoreboard", "ranking", "mmm", "runs"):
        assert isinstance(getattr(shipped, name), pd.DataFrame), name
    assert list(shipped.ranking.model) != [] and set(shipped.ranking.model) == set(MODELS)
    assert shipped.ranking.error.is_monotonic_increasing
    shares = shipped.scoreboard.groupby("model").share.sum()
    assert np.allclose(shares, 1.0)
    assert shipped.scoreboard.drop_duplicates("source").true_share.sum() == pytest.approx(1.0)


def test_last_touch_over_credits_the_reps(shipped):
    board = shipped.scoreboard.set_index(["model", "source"])
    last, truth = board.loc[("last_touch", "rep")], board.loc[("linear", "rep")].true_share
    assert last.share > 0.9
    assert last.share > truth + 0.3


def test_removals_interact(shipped):
    inter = shipped.interaction
    assert inter["sum_of_removals"] == pytest.approx(shipped.truth.customers.sum())
    assert inter["ratio"] > 1.2  # complements: awareness and the close are each necessary


def test_mmm_frame_has_each_channel_each_day(shipped):
    mmm = shipped.mmm
    channels = small().enabled_channels()
    assert set(mmm.channel) == set(channels)
    assert len(mmm) == 4 * 180 * len(channels)
    assert mmm.date.min() == pd.Timestamp("2025-01-06")
    assert (mmm.spend >= 0).all() and (mmm.touches >= 0).all()
    # the true contributions add up to each removal's effect
    per_channel = mmm.groupby(["channel", "replication"]).true_customers.sum().groupby("channel")
    truth = shipped.truth.set_index("source").customers
    for channel, total in per_channel.mean().items():
        assert total == pytest.approx(truth[channel]), channel


def test_cli_writes_every_file_and_rerun_reproduces_it(tmp_path):
    out = tmp_path / "attribution"
    args = ["--set", "population.size=800", "--set", "horizon_days=60", "--replications", "2"]
    tpm = str(SCENARIOS / "touchpoint_management.yaml")
    result = run_cli("attribution", tpm, *args, "--workers", "1", "--quiet", "--out", str(out))
    assert result.returncode == 0, result.stderr
    expected = {
        "truth.csv", "interaction.json", "paths.parquet", "paths.csv", "scoreboard.csv",
        "ranking.csv", "mmm.csv", "mmm.parquet", "runs.csv", "truth.png", "truth.svg",
        "scoreboard.png", "scoreboard.svg", "report.html", "provenance.json", "scenarios",
    }  # fmt: skip
    assert expected <= {p.name for p in out.iterdir()}
    assert "least wrong first" in result.stdout
    paths = pd.read_csv(out / "paths.csv")
    assert list(paths.columns) == [
        "path", "total_conversions", "total_conversion_value", "total_null",
    ]  # fmt: skip
    assert json.loads((out / "interaction.json").read_text())["customers"] >= 0
    page = (out / "report.html").read_text()
    assert "data:image/png;base64," in page and "Ground truth" in page
    again = run_cli("rerun", str(out), "--workers", "1", "--quiet")
    assert again.returncode == 0, again.stderr
    assert "reproduced: identical" in again.stdout


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--replications", "1"], "--replications"),
        (["--set", "channels.webinar.budget=-5"], "channels.webinar.budget"),
        (["--seed", "-1"], "--seed"),
    ],
)
def test_bad_input_is_one_line(tmp_path, args, named):
    out = tmp_path / "out"
    tpm = str(SCENARIOS / "touchpoint_management.yaml")
    result = run_cli("attribution", tpm, *args, "--out", str(out))
    assert result.returncode == 2
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1 and named in line and "Traceback" not in line
    assert not out.exists()
