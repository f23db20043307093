"""Subscription economics: lifetime value from the model's own future, ARR and its movements."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim import simulate
from sim.analysis.monthly import monthly
from sim.experiments import compare
from sim.model.lifetime import new_customers
from sim.outputs.writers import comparison_figures
from sim.scenario.vocabulary import ARR_FLOWS
from tests.conftest import small

COHORT = 40_000


def _yearly(renewal: float, discount: float, **extra: object):
    """A yearly subscription whose every customer renews with chance ``renewal``."""
    return small(
        "touchpoint_management",
        **{
            "product.term_months": 12,
            "product.price": 1000.0,
            "product.margin": 0.5,
            "product.satisfaction.mean": 0.5,
            "product.satisfaction.sd": 0.0,
            "product.renewal_at_neutral": renewal,
            "product.discount_rate_per_year": discount,
            "after_sale.care_touches_per_month": 0.0,
            **extra,
        },
    )


@pytest.mark.parametrize(("renewal", "discount"), [(0.5, 0.1), (0.8, 0.1), (0.9, 0.25), (0.7, 0.0)])
def test_clv_docks_with_the_closed_form(renewal, discount):
    """m (1 + d) / (1 + d − r) for a yearly term (here a term of 360 days: τ = 360/365 year)."""
    scenario = _yearly(renewal, discount)
    values, _, _ = new_customers(scenario, np.zeros(COHORT, dtype=np.int64), seed=3)
    margin = 500.0
    per_term = (1.0 + discount) ** (-360 / 365)
    expected = margin / (1.0 - renewal * per_term)
    terms_sd = math.sqrt(renewal) / (1.0 - renewal)  # sd of the renewals (geometric)
    tolerance = 4.0 * margin * terms_sd / math.sqrt(COHORT)
    assert values.mean() == pytest.approx(expected, abs=tolerance)
    if discount > 0:  # the annual form the issue states, within the 5-day term difference
        annual = margin * (1 + discount) / (1 + discount - renewal)
        assert values.mean() == pytest.approx(annual, rel=0.02)


@pytest.mark.parametrize("renewal", [0.6, 0.85])
def test_cohort_survival_after_k_terms_is_r_to_the_k(renewal):
    _, alive, _ = new_customers(_yearly(renewal, 0.1), np.zeros(COHORT, dtype=np.int64), seed=5)
    for k in (1, 2, 3, 5):
        share = float((alive > k * 360).mean())
        sd = math.sqrt(renewal**k * (1 - renewal**k) / COHORT)
        assert share == pytest.approx(renewal**k, abs=4 * sd)


def test_a_run_reports_a_renewing_subscriptions_lifetime_value():
    """A one-year run's CLV is the whole life's, not the first year's margin."""
    scenario = _yearly(0.8, 0.1, **{"population.size": 4000, "horizon_days": 150})
    kpis = simulate(scenario, seed=2).kpis
    first_year = 500.0
    expected = first_year / (1.0 - 0.8 * 1.1 ** (-360 / 365))
    assert kpis["customers"] > 30
    assert kpis["clv"] > 3 * first_year
    assert kpis["clv"] == pytest.approx(expected, rel=0.25)
    assert kpis["lifetime_roi"] != pytest.approx(kpis["roi"])


def test_arr_movements_add_up_and_the_monthly_view_rolls_up_the_days():
    scenario = small(
        "b2b/saas",
        size=3000,
        days=400,
        **{"population.initial_customer_share": 0.05, "product.expansion_per_term": 0.1},
    )
    result = simulate(scenario, seed=1)
    daily, kpis = result.daily, result.kpis
    flows = {flow: daily[f"arr.{flow}"].sum() for flow in ARR_FLOWS}
    assert flows["churned"] > 0 and flows["expansion"] > 0 and flows["new"] > 0
    net = flows["new"] + flows["expansion"] - flows["contraction"] - flows["churned"]
    assert daily["arr"].iloc[-1] - daily["arr"].iloc[0] == pytest.approx(net)
    assert kpis["net_new_arr"] == pytest.approx(net)
    assert kpis["arr"] == pytest.approx(daily["arr"].iloc[-1])
    table = monthly(daily)
    assert len(table) == math.ceil(400 / 30)
    assert table["new_customers"].sum() == pytest.approx(daily["new_customers"].sum())
    assert table["arr_end"].iloc[-1] == pytest.approx(daily["arr"].iloc[-1])
    assert (table["arr_end"] - table["arr_start"]).sum() == pytest.approx(net)
    assert 0 < kpis["gross_revenue_retention"] <= kpis["net_revenue_retention"]
    assert table["magic_number"].notna().sum() >= 3
    cohorts = result.cohorts
    assert (cohorts[0] == 1.0).all()  # a customer is one in the month won
    assert (cohorts.diff(axis=1).iloc[:, 1:].fillna(0) <= 1e-12).all().all()  # never rises


def test_compare_draws_recurring_revenue_only_for_subscriptions():
    def figures(name: str, size: int, days: int) -> dict:
        plan = small(name, size, days)
        plans = [plan, plan.model_copy(update={"name": "again"})]
        comparison = compare(plans, 2, workers=1, progress=False)
        return comparison_figures(comparison, comparison.summary())

    assert "recurring_revenue" in figures("b2b/saas", 1500, 40)
    assert "recurring_revenue" not in figures("aida_funnel", 500, 20)
