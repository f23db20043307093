"""Counterfactuals from a day (:mod:`sim.model.fork`): a fork on day 0 is a run of the
changed scenario; an unchanged fork is the course it came from; a change from day t leaves
days up to t alone; reps hired or let go are paid from or until that day."""

from __future__ import annotations

import numpy as np
import pytest

from sim.dashboard.levers import LEVERS
from sim.model.daily import SPEND_PREFIX
from sim.model.fork import ForkError, fork
from sim.model.model import JourneyModel
from sim.scenario.loading import load_scenario, with_overrides

DAYS = 45
REP_PAY = f"{SPEND_PREFIX}reps"


def market(name: str = "touchpoint_management"):
    return load_scenario(f"scenarios/{name}.yaml", {"population.size": 800, "horizon_days": DAYS})


def run(model: JourneyModel, days: int) -> JourneyModel:
    model.collect_every_day = False
    for _ in range(days):
        model.step()
    return model


@pytest.mark.parametrize(
    ("name", "lever", "value"),
    [
        ("aida_funnel", "budget_split", 80),
        ("aida_funnel", "budget_split", 20),
        ("aida_funnel", "touch_quality", 0.5),
        ("touchpoint_management", "touch_quality", 2),
        ("touchpoint_management", "care", 0),
        ("touchpoint_management", "competition", 1),
        ("recommendation_driven", "competition", 2),
        ("recommendation_driven", "network", "none"),
    ],
)
def test_a_fork_on_day_zero_is_a_run_of_the_changed_scenario(name, lever, value):
    shipped = market(name)
    changed = with_overrides(shipped, LEVERS[lever].overrides(shipped, value), "test")
    alone = run(JourneyModel(changed, seeds=[3, 4]), DAYS).daily.values
    as_shipped = run(JourneyModel(shipped, seeds=[3, 4]), DAYS).daily.values
    forked = run(fork(JourneyModel(shipped, seeds=[3, 4]), changed), DAYS).daily.values
    assert not np.allclose(alone, as_shipped, equal_nan=True)  # the lever does something
    np.testing.assert_allclose(forked, alone)


def test_an_unchanged_fork_runs_on_as_the_course_it_came_from():
    original = run(JourneyModel(market(), seeds=[5, 6]), 20)
    copy = fork(original, original.spec)
    run(original, DAYS - 20)
    run(copy, DAYS - 20)
    np.testing.assert_array_equal(copy.daily.values, original.daily.values)


def test_a_change_from_day_t_leaves_the_days_before_alone_and_moves_the_days_after():
    shipped = market()
    cut = with_overrides(shipped, LEVERS["care"].overrides(shipped, 0), "test")
    original = run(JourneyModel(shipped, seeds=[5]), 20)
    forked = fork(original, cut)
    run(original, DAYS - 20)
    run(forked, DAYS - 20)
    before, after = slice(0, 21), slice(21, None)
    np.testing.assert_array_equal(forked.daily.values[before], original.daily.values[before])
    care = forked.daily.columns.index(f"{SPEND_PREFIX}post_purchase")
    assert original.daily.values[after, 0, care].sum() > 0
    assert forked.daily.values[after, 0, care].sum() == 0


def test_reps_hired_or_let_go_on_day_t_are_paid_from_or_until_then():
    shipped = market("aida_funnel")
    more = with_overrides(shipped, {"sales.reps": shipped.sales.reps + 4}, "test")
    fewer = with_overrides(shipped, {"sales.reps": max(shipped.sales.reps - 2, 1)}, "test")
    original = run(JourneyModel(shipped, seeds=[7]), 20)
    hired, cut = fork(original, more), fork(original, fewer)
    for model in (original, hired, cut):
        run(model, DAYS - 20)
    pay = original.daily.columns.index(REP_PAY)
    late = slice(25, None)  # a few days on: the payroll of each day, hires and leavers settled
    assert hired.daily.values[late, 0, pay].sum() > original.daily.values[late, 0, pay].sum()
    assert cut.daily.values[late, 0, pay].sum() < original.daily.values[late, 0, pay].sum()
    assert hired.teams["rep"].people == original.teams["rep"].people + 4
    assert len(hired.reps) == len(original.reps) + 4


def test_a_change_that_needs_a_new_market_is_refused_by_name():
    shipped = market()
    bigger = with_overrides(shipped, {"population.size": 900}, "test")
    with pytest.raises(ForkError, match=r"population\.size"):
        fork(run(JourneyModel(shipped, seeds=[1]), 3), bigger)
