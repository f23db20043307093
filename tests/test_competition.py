"""Competitors court every prospect with a need: monotone effects of the new parameters."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.analysis.results import simulate_batch
from sim.scenario.schema import Competition
from tests.conftest import small

SEEDS = [1, 2, 3, 4]
OFF = {"competition.buy_elsewhere_per_day": 0.0}


def _mean(kpi: str, **overrides) -> float:
    runs = simulate_batch(small(size=3000, days=180, **overrides), SEEDS)
    return float(np.mean([r.kpis[kpi] for r in runs]))


def test_no_competitors_unless_a_scenario_has_them():
    assert Competition().buy_elsewhere_per_day == 0
    k = sim.simulate(small(size=2000, days=120, **OFF), seed=1).kpis
    assert k["funnel.lost_to_competitor"] == 0 and k["market_share"] == 1.0


def test_stronger_competition_wins_us_no_more_customers():
    levels = [0.0, 0.005, 0.02]
    customers = [_mean("customers", **{"competition.buy_elsewhere_per_day": c}) for c in levels]
    lost = [_mean("funnel.lost_to_competitor", **{"competition.buy_elsewhere_per_day": c})
            for c in levels]  # fmt: skip
    assert customers[0] > customers[1] > customers[2]
    assert lost[0] == 0 < lost[1] < lost[2]


@pytest.mark.parametrize(
    ("field", "low", "high", "more_lost_when_high"),
    [("urgency_per_month", 0.0, 5.0, True), ("trust_shield", 0.0, 1.0, False)],
)
def test_urgent_needs_are_lost_more_and_trust_shields(field, low, high, more_lost_when_high):
    base = {"competition.buy_elsewhere_per_day": 0.005}
    at_low = _mean("funnel.lost_to_competitor", **base, **{f"competition.{field}": low})
    at_high = _mean("funnel.lost_to_competitor", **base, **{f"competition.{field}": high})
    assert (at_high > at_low) == more_lost_when_high


def test_a_slow_answer_loses_leads_to_competitors():
    competing = {"competition.buy_elsewhere_per_day": 0.02}
    fast = _mean("customers", **competing, **{"sales.response_time_hours": 1})
    slow = _mean("customers", **competing, **{"sales.response_time_hours": 96})
    assert slow < fast
    never = _mean("leads_never_called", **competing, **{"sales.response_time_hours": 96})
    assert never > _mean("leads_never_called", **OFF, **{"sales.response_time_hours": 96})


def test_no_decision_is_off_unless_a_scenario_has_it():
    assert Competition().no_decision_share == 0


def test_no_decision_takes_its_share_of_the_leads_ready_to_buy():
    """Docking: a share s of no decision leaves (1 − s) of the opportunities' wins."""
    kpi = "conversion_rate.opportunity_to_customer"
    base = _mean(kpi, **{"competition.no_decision_share": 0.0})
    for share in (0.3, 0.6):
        ratio = _mean(kpi, **{"competition.no_decision_share": share}) / base
        assert ratio == pytest.approx(1.0 - share, abs=0.06)
    assert _mean("customers", **{"competition.no_decision_share": 1.0}) == 0
