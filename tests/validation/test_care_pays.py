"""Care pays over years: in the shipped B2B market, CSM care shows in retention and lifetime.

Post-purchase care lifts satisfaction, which renewals, expansion and referrals follow
(“Getting the next sale”); a year's customers hide it, the customers' lifetimes do not.
Referred customers are worth at least 16 % more (Schmitt, Skiera & Van den Bulte 2011,
“Referral programs and customer value”, Journal of Marketing), through retention.
"""

from __future__ import annotations

import pytest

import sim
from sim.experiments import compare
from tests.conftest import SCENARIOS

NO_CARE = {"after_sale.care_touches_per_month": 0, "sales.roles.csm.headcount": 0}


def _care_and_none(overrides: dict, replications: int):
    """The shipped B2B market with its CSMs' care and without, on the same streams."""
    path = SCENARIOS / "b2b" / "saas.yaml"
    with_care = sim.load_scenario(path, overrides)
    without = sim.load_scenario(path, {**overrides, **NO_CARE, "name": "no_care"})
    result = compare([with_care, without], replications, seed=7, workers=1, progress=False)
    return result.summary().set_index(["scenario", "kpi"]), result


def test_care_lifts_retention_and_lifetime_profit_in_a_sampled_market():
    """A fifth of the 25,000 accounts, two years, four seeds (measured: NRR 0.97 with
    care against 0.78 without, lifetime profit 19.5 M against 9.2 M)."""
    sample = {"population.size": 5000, "population.market_size": 25000, "horizon_days": 730}
    summary, _ = _care_and_none(sample, 4)
    for kpi in ("net_revenue_retention", "lifetime_profit", "clv"):
        assert summary.loc[("no_care", kpi), "diff_high"] < 0, kpi


@pytest.mark.slow
def test_care_pays_over_three_years_and_referred_customers_are_worth_more():
    """The whole market over three years, 8 seeds (measured: NRR 1.00 against 0.81, GRR
    0.92 against 0.78, lifetime profit 26.2 M against 9.8 M, referral value ratio 1.22
    with care; year-three customers 200 against 184)."""
    summary, result = _care_and_none({"horizon_days": 3 * 365}, 8)
    for kpi in ("net_revenue_retention", "gross_revenue_retention", "lifetime_profit"):
        assert summary.loc[("no_care", kpi), "diff_high"] < 0, kpi
    ratio = result.kpis.groupby("scenario")["referral_value_ratio"].mean()
    assert ratio["b2b_saas"] >= 1.16, ratio.to_dict()
