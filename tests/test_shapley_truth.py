"""The Shapley truth on markets whose answer is known from their mechanisms.

Tiny versions of the research markets (``scenarios/research/``): two identical search
engines split the credit equally; two channels that are both required get half each; a
channel that only touches people who have already bought gets nothing and changes no one
else's value; the values add up to what the players win together, replication by
replication; and each shipped research market names the players its paragraph says.
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.analysis.stats import paired_difference
from sim.experiments.shapley import coalition_name, default_players, design
from tests.conftest import SCENARIOS

RESEARCH = SCENARIOS / "research"
TINY = {"population.size": 2000, "horizon_days": 90}
QUICK = {"workers": 1, "progress": False, "curves": False, "holdout_share": 0.0}

CLAIMED = {
    "substitutes.yaml": ["engine_a", "engine_b"],
    "complements.yaml": ["display", "free_trial"],
    "saturation.yaml": ["trade_banners", "search"],
    "targeting_bias.yaml": ["content", "retargeting"],
    "upstream.yaml": ["display", "search"],
}
"""Each research market's players, as its header paragraph names them."""

REGIONS = ["central", "east", "north", "south", "west"]

NEWSLETTER = {  # a customer newsletter: it only ever touches people who have bought
    "budget": 600,
    "cost_per_touch": 0.1,
    "reach_per_day": 0.5,
    "audience": "everyone",
    "stages": ["customer", "advocate"],
    "quality": {"mean": 1.0, "sd": 0.3},
    "trust": {"rep": 1.0, "subject": 1.0, "company": 1.0, "product": 1.0},
}


def research(name: str, **overrides: object) -> sim.Scenario:
    """A research market shrunk to a tiny one."""
    return sim.load_scenario(RESEARCH / name, {**TINY, **overrides})


def coalition_values(found: sim.Attribution, coalitions: tuple) -> np.ndarray:
    """``replications × coalitions`` customers, from the runs table."""
    players = tuple(found.players)
    runs = found.runs.set_index(["variant", "replication"])["customers"]
    return np.column_stack([runs.loc[coalition_name(c, players)].sort_index() for c in coalitions])


def test_two_identical_engines_get_equal_shares():
    found = sim.attribution(research("substitutes.yaml"), replications=6, seed=0, **QUICK)
    alone_a, alone_b = coalition_values(found, (("engine_a",), ("engine_b",))).T
    # With two players the difference of their Shapley values is v({a}) - v({b}), per run;
    # its 95 % interval contains 0 (at 30 replications of the full market: +0.9 [-8.6, 10.3]).
    difference = paired_difference(alone_b, alone_a)
    assert difference["diff_low"] <= 0 <= difference["diff_high"], difference
    truth = found.truth.set_index("player")
    for one, other in (("engine_a", "engine_b"), ("engine_b", "engine_a")):
        assert truth.customers_low[one] <= truth.customers[other] <= truth.customers_high[one]
    assert truth.share.sum() == pytest.approx(1.0)
    # Substitutes: each removal loses only what the other cannot reach; alone, most of the whole.
    joint = found.interaction["joint"]
    assert (truth.removal_customers < 0.5 * joint).all()
    assert (truth.add_one_customers > 0.5 * joint).all()
    assert found.interaction["ratio"] < 1


def test_two_required_channels_get_half_each():
    found = sim.attribution(research("complements.yaml"), replications=4, seed=1, **QUICK)
    truth = found.truth.set_index("player")
    joint = found.interaction["joint"]
    assert joint > 50  # the pair wins customers
    assert truth.share.to_dict() == pytest.approx({"display": 0.5, "free_trial": 0.5})
    assert ((truth.customers_low <= joint / 2) & (joint / 2 <= truth.customers_high)).all()
    assert (truth.add_one_customers == 0).all()  # neither wins anyone alone
    assert truth.removal_customers.to_numpy() == pytest.approx([joint, joint])
    assert found.interaction["ratio"] == pytest.approx(2.0)


def test_a_channel_that_only_touches_buyers_is_worth_nothing():
    plain = research("substitutes.yaml")
    raw = plain.model_dump()
    raw["channels"]["newsletter"] = NEWSLETTER
    with_newsletter = sim.scenario_from_dict(raw)
    found = sim.attribution(with_newsletter, replications=3, seed=2, **QUICK)
    baseline = sim.attribution(plain, replications=3, seed=2, **QUICK)
    assert found.players == ["engine_a", "engine_b", "newsletter"]
    assert found.runs.loc[found.runs.variant == "all players", "spend_actual.newsletter"].min() > 0
    newsletter = found.truth.set_index("player").loc["newsletter"]
    for outcome in ("customers", "revenue"):
        for prefix in ("", "removal_", "add_one_"):
            for suffix in ("", "_low", "_high"):
                found_value = newsletter[f"{prefix}{outcome}{suffix}"]
                assert found_value == pytest.approx(0, abs=1e-9), f"{prefix}{outcome}{suffix}"
    # A null player changes no one else's value (common random numbers: to the last customer).
    engines = found.truth.set_index("player").loc[["engine_a", "engine_b"], "customers"]
    alone = baseline.truth.set_index("player")["customers"]
    assert engines.to_dict() == pytest.approx(alone.to_dict(), abs=1e-9)


@pytest.mark.parametrize("exact_up_to", [10, 2], ids=["every coalition", "sampled orders"])
def test_values_add_up_to_the_joint_effect_run_by_run(exact_up_to):
    regions = sorted((RESEARCH / "regional").glob("*.yaml"))
    market = sim.load_scenario(regions[0], TINY)
    found = sim.attribution(market, replications=3, seed=4, exact_up_to=exact_up_to, **QUICK)
    assert found.exact is (exact_up_to == 10)
    used = design(found.players, exact_up_to=exact_up_to, seed=4)
    values = coalition_values(found, used.coalitions)
    per_run = values @ used.shapley.T  # replications × players
    joint = values[:, used.index(set(found.players))] - values[:, used.index(())]
    assert joint.min() > 0
    np.testing.assert_allclose(per_run.sum(axis=1), joint)
    np.testing.assert_allclose(per_run.mean(axis=0), found.truth.customers)
    assert found.truth.customers.sum() == pytest.approx(found.interaction["joint"])
    assert found.interaction["sum_of_shapley"] == pytest.approx(joint.mean())


@pytest.mark.parametrize("name", sorted(CLAIMED))
def test_each_research_market_names_its_players(name):
    path = RESEARCH / name
    scenario = sim.load_scenario(path)
    assert default_players(scenario) == CLAIMED[name]
    header = path.read_text().split("\nname:")[0]
    for player in CLAIMED[name]:
        assert player.replace("_", " ") in header.replace("_", " "), player


def test_the_regions_are_one_market_with_flighted_channels():
    files = sorted((RESEARCH / "regional").glob("*.yaml"))
    assert [f.stem for f in files] == REGIONS
    markets = [sim.load_scenario(f) for f in files]
    assert [m.name for m in markets] == REGIONS
    assert {tuple(default_players(m)) for m in markets} == {("search", "display", "webinar")}
    assert len({m.population.size for m in markets}) == len(markets)
    for channel in ("search", "display", "webinar"):
        assert len({m.channels[channel].budget for m in markets}) == len(markets), channel
        assert all(m.channels[channel].flighting for m in markets), channel
