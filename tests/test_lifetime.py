"""The lifetime view: profit over the acquired customers' lifetime, not the horizon's."""

from __future__ import annotations

import pytest

from sim import simulate
from sim.experiments import compare
from tests.conftest import small


def test_lifetime_profit_is_customers_times_clv_less_all_costs():
    scenario = small("aida_funnel", size=3000, days=180)  # no care: lifetime care is 0
    k = simulate(scenario, seed=1).kpis
    assert k["post_purchase_cost"] == 0
    expected = k["customers"] * k["clv"] - k["acquisition_cost"]
    assert k["lifetime_profit"] == pytest.approx(expected)
    assert k["lifetime_roi"] == pytest.approx(expected / k["acquisition_cost"])


def test_care_is_charged_for_the_whole_lifetime():
    scenario = small(size=3000, days=180)  # monthly care
    k = simulate(scenario, seed=1).kpis
    assert k["post_purchase_cost"] > 0
    gross = k["customers"] * k["clv"] - k["acquisition_cost"]
    assert k["lifetime_profit"] < gross - k["post_purchase_cost"]  # more care than to date


def test_relationship_strategies_earn_more_over_the_lifetime():
    """“Getting the next sale”: horizon ROI hides what the next sales are worth."""
    comparison = compare(
        [small("aida_funnel", size=3000, days=365), small(size=3000, days=365)],
        4,
        workers=1,
        progress=False,
    )
    summary = comparison.summary().set_index(["scenario", "kpi"])
    gain = summary.loc[("touchpoint_management", "lifetime_profit")]
    assert gain["diff_low"] > 0  # clearly more lifetime profit than AIDA
