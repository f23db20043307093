"""Shapley values from coalition values: known games give their known values."""

from __future__ import annotations

import numpy as np
import pytest

from sim.experiments.shapley import check_players, design, estimate, interaction
from sim.scenario.errors import InputError
from tests.conftest import small


def values(plan, game, replications=6, noise=0.0, seed=0):
    """``replications × coalitions`` values of ``game`` (a function of a set of players)."""
    rng = np.random.default_rng(seed)
    return np.array(
        [
            [game(set(c)) + noise * rng.normal() for c in plan.coalitions]
            for _ in range(replications)
        ]
    )


def test_two_players_both_required_get_half_each():
    plan = design(["search", "rep"])
    found = estimate(plan.shapley, values(plan, lambda s: 10.0 * ({"search", "rep"} <= s)))
    assert found["mean"] == pytest.approx([5.0, 5.0])
    removal = estimate(plan.removal(), values(plan, lambda s: 10.0 * ({"search", "rep"} <= s)))
    assert removal["mean"] == pytest.approx([10.0, 10.0])  # each removal takes it all


def test_perfect_substitutes_split_evenly_and_a_dummy_gets_nothing():
    plan = design(["a", "b", "dummy"])
    game = values(plan, lambda s: 8.0 * bool(s & {"a", "b"}))
    found = estimate(plan.shapley, game)
    assert found["mean"] == pytest.approx([4.0, 4.0, 0.0])
    inter = interaction(plan, game)
    assert inter["sum_of_removals"] == 0.0  # each stands in for the other
    assert inter["sum_of_add_ones"] == pytest.approx(16.0)


def test_values_add_up_to_the_joint_effect_replication_by_replication():
    plan = design(list("abcd"))
    game = values(plan, lambda s: len(s) ** 1.7 + 3.0 * ("a" in s and "c" in s), noise=2.0)
    per_run = game @ plan.shapley.T
    assert per_run.sum(axis=1) == pytest.approx(game @ plan.total())


def test_an_additive_game_gives_each_player_its_own_effect_exactly():
    effects = {"a": 1.0, "b": 2.5, "c": -0.5}
    plan = design(list(effects))
    found = estimate(plan.shapley, values(plan, lambda s: sum(effects[p] for p in s)))
    assert found["mean"] == pytest.approx(list(effects.values()))
    assert found["low"] == pytest.approx(found["high"])  # no noise, no width


def test_sampled_orders_beyond_the_exact_limit_stay_efficient_and_close():
    players = [f"p{i}" for i in range(12)]
    weights = {p: 1.0 + i for i, p in enumerate(players)}
    game = lambda s: sum(weights[p] for p in s) + 5.0 * ("p0" in s and "p1" in s)  # noqa: E731
    plan = design(players, exact_up_to=10, orders=80, seed=3)
    assert not plan.exact and plan.orders.shape[0] == 80
    runs = values(plan, game, replications=4, noise=0.5)
    found = estimate(plan.shapley, runs, plan.orders)
    expected = [weights[p] + 2.5 * (p in ("p0", "p1")) for p in players]
    assert found["mean"].sum() == pytest.approx((runs @ plan.total()).mean())
    assert np.abs(found["mean"] - expected).max() < 1.0
    covered = (found["low"] <= expected) & (np.array(expected) <= found["high"])
    assert covered.mean() >= 0.75  # sampled orders add their error to the interval
    exact = design(players[:4])
    assert len(exact.coalitions) == 16 and exact.exact


def test_players_must_be_sources_the_market_can_switch_off():
    market = small(size=300, days=10)
    switchable = [*market.enabled_channels(), "rep"]
    assert check_players(market, ["webinar", "rep"], switchable) == ["webinar", "rep"]
    with pytest.raises(InputError, match="'tv' is not a source"):
        check_players(market, ["tv"], switchable)
    with pytest.raises(InputError, match="named twice"):
        check_players(market, ["webinar", "webinar"], switchable)
    with pytest.raises(InputError, match="no player"):
        check_players(market, [], switchable)
