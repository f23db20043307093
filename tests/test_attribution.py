"""Ground truth for attribution: known effects come out as known, and the files are whole."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import sim
from sim.analysis.attribution_models import MODELS
from sim.experiments.curves import MULTIPLES, curve_table
from sim.experiments.truth import removals
from sim.outputs.attribution import FILES
from sim.outputs.mmm_exports import lift_tests
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
PLAYERS = ["search_content", "webinar", "retargeting"]


@pytest.fixture(scope="module")
def known():
    """Search/content is the only way to become aware (no word of mouth), and a
    retargeting channel touches only customers: its truth is 0, search's every customer."""
    raw = small(size=1200, days=100, **BUSY, **{"word_of_mouth.network": "none"}).model_dump()
    raw["channels"]["retargeting"] = RETARGETING
    scenario = sim.scenario_from_dict(raw)
    found = sim.attribution(
        scenario, replications=4, seed=5, players=PLAYERS, curves=False, holdout_share=0.0,
        workers=1, progress=False,
    )  # fmt: skip
    return scenario, found


def test_removals_are_the_scenarios_own_sources(known):
    scenario, found = known
    expected = [*scenario.enabled_channels(), "rep", "reviews", "care"]  # no word of mouth
    assert [v.source for v in removals(scenario)] == expected
    assert list(found.truth.player) == PLAYERS
    others = [s for s in expected if s not in PLAYERS]
    assert list(found.others.source) == others  # reported by removal, not scored


def test_the_only_way_to_awareness_is_needed_by_every_customer(known):
    _, found = known
    runs = found.runs
    without = runs[~runs.variant.str.contains("search_content") & (runs.variant != "all players")]
    without = without[without.variant.str.startswith(("only", "no player"))]
    assert len(without) == 4 * 4  # the four coalitions without it, four replications each
    assert (without.customers == 0).all()
    row = found.truth.set_index("player").loc["search_content"]
    assert row.removal_customers == pytest.approx(found.interaction["customers"])
    assert found.interaction["without_players"] == 0


def test_a_channel_that_touches_only_customers_won_nobody(known):
    _, found = known
    row = found.truth.set_index("player").loc["retargeting"]
    values = row[["customers", "customers_low", "customers_high", "removal_customers"]]
    assert np.allclose(values.astype(float), 0.0, atol=1e-9)  # exactly 0, run by run
    assert row.add_one_customers == 0


def test_shapley_values_add_up_to_what_the_players_won_together(known):
    _, found = known
    inter = found.interaction
    assert found.truth.customers.sum() == pytest.approx(inter["joint"])
    assert inter["sum_of_shapley"] == pytest.approx(inter["joint"])
    assert inter["joint"] == pytest.approx(inter["customers"] - inter["without_players"])
    assert found.truth.share.sum() == pytest.approx(1.0)


@pytest.fixture(scope="module")
def shipped():
    """The shipped touchpoint-management market, small, three players, through the API."""
    scenario = small(size=2000, days=120, **BUSY)
    players = ["search_content", "free_trial", "live_chat"]
    return sim.attribution(
        scenario, replications=3, seed=3, players=players, workers=1, progress=False
    )


def test_public_api_returns_tables(shipped):
    for name in ("truth", "others", "curves", "lifts", "touches", "paths", "scoreboard"):
        assert isinstance(getattr(shipped, name), pd.DataFrame), name
    assert set(shipped.ranking.model) == set(MODELS)
    assert shipped.ranking.error.is_monotonic_increasing
    shares = shipped.scoreboard.groupby("model").share.sum()
    assert np.allclose(shares, 1.0)
    assert shipped.scoreboard.drop_duplicates("source").true_share.sum() == pytest.approx(1.0)
    assert shipped.exact and shipped.regions == [small().name]


def test_only_the_players_touches_are_scored(shipped):
    assert set(shipped.scoreboard.source) == set(shipped.players)
    assert set(shipped.touches.source) > set(shipped.players)  # every touch is kept


def test_a_curve_starts_at_zero_and_spends_more_with_more_budget(shipped):
    for channel, curve in shipped.curves.groupby("channel"):
        assert list(curve.multiple) == list(MULTIPLES), channel
        zero = curve[curve.multiple == 0].iloc[0]
        assert zero.spend == 0 and zero.customers == 0 and np.isnan(zero.roas)
        assert curve.spend.is_monotonic_increasing, channel
    truth = shipped.truth.set_index("player")
    at_budget = shipped.curves[shipped.curves.multiple == 1].set_index("channel")
    for channel, row in at_budget.iterrows():  # 1x against 0x is the removal effect
        assert row.customers == pytest.approx(truth.loc[channel, "removal_customers"]), channel


def test_lift_tests_estimate_the_removal_effect(shipped):
    lifts = shipped.lifts.set_index("channel")
    assert set(lifts.index) == set(shipped.players) and set(lifts.design) == {"holdout"}
    truth = shipped.truth.set_index("player").removal_customers
    assert (lifts.truth == truth.reindex(lifts.index)).all()
    assert (lifts.low <= lifts.estimate).all() and (lifts.estimate <= lifts.high).all()
    assert (lifts.experiments == 3).all()


def test_mmm_frame_has_each_channel_each_day_and_the_true_shares(shipped):
    mmm = shipped.mmm
    channels = small().enabled_channels()
    assert set(mmm.channel) == set(channels)
    assert len(mmm) == 3 * 120 * len(channels)
    assert mmm.date.min() == pd.Timestamp("2025-01-06")
    assert (mmm.spend >= 0).all() and (mmm.touches >= 0).all()
    per_channel = mmm.groupby(["channel", "replication"]).true_customers.sum().groupby("channel")
    truth = shipped.truth.set_index("player").customers
    for channel, total in per_channel.mean().items():
        if channel in shipped.players:  # the daily Shapley shares add up to the value
            assert total == pytest.approx(truth[channel]), channel
        else:
            assert np.isnan(total) or total == 0, channel


def test_regions_add_up_and_give_a_geo_holdout():
    regions = [
        sim.load_scenario(
            SCENARIOS / "touchpoint_management.yaml",
            {"population.size": 500 + 100 * i, "horizon_days": 60, "name": f"region_{i}", **BUSY},
        )
        for i in range(4)
    ]
    found = sim.attribution(
        regions, replications=2, players=["search_content", "live_chat"], curves=False,
        workers=1, progress=False,
    )  # fmt: skip
    assert found.regions == [f"region_{i}" for i in range(4)]
    assert set(found.mmm.geo) == set(found.regions)
    geo = found.lifts[found.lifts.design == "geo"]
    assert set(geo.channel) == {"search_content", "live_chat"} and set(geo.geo) == {"all regions"}
    holdouts = found.lifts[found.lifts.design == "holdout"]
    assert set(holdouts.geo) == {"all regions", *found.regions}
    whole = holdouts.geo == "all regions"
    market = holdouts[whole].set_index("channel").truth
    by_region = holdouts[~whole].groupby("channel").truth.sum()
    assert by_region.to_numpy() == pytest.approx(market.reindex(by_region.index).to_numpy())
    tests = lift_tests(found)  # one per region and channel: MMM(dims=("geo",)) reads them
    assert list(tests.columns) == ["geo", "channel", "x", "delta_x", "delta_y", "sigma"]
    assert len(tests) == 4 * 2 and (tests.x > 0).all() and (tests.delta_x == -tests.x).all()
    assert found.truth.customers.sum() == pytest.approx(found.interaction["joint"])
    populations = found.mmm.drop_duplicates("geo").set_index("geo").population
    assert list(populations) == [500, 600, 700, 800]


def test_regions_must_share_their_channels():
    other = small(name="aida_funnel", size=300, days=20)
    with pytest.raises(sim.InputError, match="same channels"):
        sim.attribution([small(size=300, days=20), other], replications=2, progress=False)


def test_cli_writes_every_file_and_rerun_reproduces_it(tmp_path):
    out = tmp_path / "attribution"
    args = ["--set", "population.size=800", "--set", "horizon_days=60", "--replications", "2"]
    players = ["--players", "search_content,webinar", "--holdout-share", "0.3"]
    tpm = str(SCENARIOS / "touchpoint_management.yaml")
    result = run_cli(
        "attribution", tpm, *args, *players, "--workers", "1", "--quiet", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    expected = {*FILES, "curves.png", "provenance.json", "scenarios"}  # curves.png: --players
    assert expected <= {p.name for p in out.iterdir()}
    assert "least wrong first" in result.stdout
    assert list(pd.read_csv(out / "truth.csv").player) == ["search_content", "webinar"]
    paths = pd.read_csv(out / "paths.csv")
    assert list(paths.columns) == [
        "path", "total_conversions", "total_conversion_value", "total_null",
    ]  # fmt: skip
    assert list(pd.read_csv(out / "lift_tests.csv").columns) == [
        "channel", "x", "delta_x", "delta_y", "sigma",
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
        (["--players", "search_content,tv"], "--players"),
        (["--players", "webinar,webinar"], "--players"),
        (["--holdout-share", "1.5"], "--holdout-share"),
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


def test_a_roas_needs_a_material_spend_step():
    def runs(spend, revenue):
        return pd.DataFrame(
            {"spend_actual.chat": [spend] * 3, "revenue": [revenue] * 3,
             "customers": [revenue / 100] * 3, "lifetime_profit": [revenue / 2] * 3}
        )  # fmt: skip

    points = {"chat": {0.0: runs(0, 0), 1.0: runs(1000, 4000), 2.0: runs(1010, 4600)}}
    table = curve_table(points, {"chat": 100.0}).set_index("multiple")
    assert table.loc[1.0, "roas"] == pytest.approx(4.0)
    assert table.loc[1.0, "marginal_roas"] == pytest.approx(4.0)
    assert np.isnan(table.loc[2.0, "marginal_roas"])  # 10 more spent: 1 %, not material
    assert table.loc[2.0, "roas"] == pytest.approx(4600 / 1010)
