"""Channel budgets per replication: a batch of coalitions gives what each run alone gives."""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.results import simulate_batch
from sim.experiments.runner import batches, run_specs
from sim.experiments.specs import RunSpec
from sim.experiments.store import run_key
from sim.model.agents import held_out
from sim.model.budgets import Budgets
from sim.model.replicas import Replicas
from sim.scenario.loading import with_overrides
from tests.conftest import BUSY, small

SEED = 11


@pytest.fixture(scope="module")
def market():
    """Touchpoint management with a fixed cost on one channel and a free one beside."""
    return small(
        size=1500, days=80, **BUSY,
        **{"channels.webinar.fixed_cost_per_month": 900.0, "channels.tutorial.cost_per_touch": 0.0},
    )  # fmt: skip


CASES = [
    ({}, {}),
    ({"webinar": 0.0}, {"channels.webinar.enabled": False}),  # a fixed cost switched off too
    ({"tutorial": 0.0}, {"channels.tutorial.enabled": False}),  # a free channel off
    ({"free_trial": 0.5, "live_chat": 2.0}, {"channels.free_trial.budget": 1250.0,
                                             "channels.live_chat.budget": 3000.0}),
]  # fmt: skip


def test_each_replication_gives_the_numbers_of_its_scenario_run_alone(market):
    scales = [scale for scale, _ in CASES]
    batch = simulate_batch(market, [SEED] * len(CASES), budget_scales=scales)
    for result, (scale, changes) in zip(batch, CASES, strict=True):
        (alone,) = simulate_batch(with_overrides(market, changes, "alone"), [SEED])
        shared = [k for k in alone.kpis if k in result.kpis]
        assert len(shared) > 100, scale
        for key in shared:
            a, b = alone.kpis[key], result.kpis[key]
            assert a == b or (np.isnan(a) and np.isnan(b)), (scale, key, a, b)
        assert result.spec == with_overrides(market, changes, market.name) or not changes


def test_a_channel_at_zero_spends_nothing_and_pays_no_fixed_cost(market):
    on, off = simulate_batch(market, [SEED, SEED], budget_scales=[{}, {"webinar": 0.0}])
    assert on.kpis["spend_actual.webinar"] > 0 and off.kpis["spend_actual.webinar"] == 0
    assert on.kpis["spend_actual.webinar"] > 900 * 80 / 30.4 > 0  # touches beside the fixed cost


def test_bad_scales_are_refused():
    with pytest.raises(ValueError, match="not an enabled channel"):
        Budgets([{"tv": 0.0}], 1, ["webinar"])
    with pytest.raises(ValueError, match=">= 0"):
        Budgets([{"webinar": -1.0}], 1, ["webinar"])
    with pytest.raises(ValueError, match="2 given for 1"):
        Budgets([{}, {}], 1, ["webinar"])


def test_a_batch_holds_one_coalition_and_each_run_keeps_its_own_key(market):
    specs = [
        RunSpec(market, SEED, 0, "all"),
        RunSpec(market, SEED, 0, "no webinar", budget_scale=(("webinar", 0.0),)),
        RunSpec(market, SEED + 1, 1, "all"),
    ]
    assert batches(specs) == [[0, 2], [1]]  # a channel off everywhere in a batch costs nothing
    keys = {run_key(s.scenario, s.seed, budget_scale=s.budget_scale) for s in specs}
    assert len(keys) == 3
    records = run_specs(specs, workers=1, progress=False)
    assert records[0]["kpis"]["customers"] >= records[1]["kpis"]["customers"]
    assert records[1]["kpis"]["spend_actual.webinar"] == 0


def test_a_holdout_is_never_touched_whatever_the_budget(market):
    held = with_overrides(market, {"channels.free_trial.holdout_share": 0.3}, "held")
    runs = simulate_batch(
        held, [SEED, SEED], budget_scales=[{"free_trial": 0.5}, {"free_trial": 2.0}], touch_log=True
    )
    rows = np.arange(market.population.size)
    out = held_out(Replicas([SEED], market.population.size), "free_trial", rows, 0.3)
    assert 0.25 < out.mean() < 0.35
    for result in runs:
        touched = result.touches[result.touches.source == "free_trial"].prospect.to_numpy()
        assert touched.size > 0 and not out[touched].any()
