"""The RevOps example: the shipped B2B SaaS organisation and the head of RevOps' two plans.

``scenarios/b2b/saas.yaml`` is fitted to a CRM (docs/your-business.md, section 10);
``one_more_sdr.yaml`` hires an SDR paid from the LinkedIn budget, and
``answer_within_an_hour.yaml`` asks the same team to call every lead within the hour.
Response time is an outcome of arrivals, hours and capacity, so the policy alone cannot
deliver it: leads that arrive at night or at weekends, or while the SDRs are busy, wait.
"""

from __future__ import annotations

import pandas as pd
import pytest

import sim
from tests.conftest import SCENARIOS

B2B = SCENARIOS / "b2b"
PLANS = ("saas", "one_more_sdr", "answer_within_an_hour")
SEEDS = 2
"""Paired replications of each plan over a full year (a deal takes ~75 days)."""


def load(name: str, **overrides: object) -> sim.Scenario:
    """A scenario of ``scenarios/b2b`` with dotted overrides."""
    return sim.load_scenario(B2B / f"{name}.yaml", overrides)


@pytest.fixture(scope="module")
def year() -> pd.DataFrame:
    """Each plan's KPIs for a year, paired seeds: rows (scenario, replication)."""
    plans = [load(name) for name in PLANS]
    comparison = sim.compare(plans, replications=SEEDS, seed=3, workers=1, progress=False)
    return comparison.kpis.set_index(["scenario", "replication"]).sort_index()


def test_the_shipped_b2b_scenario_has_roles_a_calendar_stages_and_an_opening_pipeline():
    scenario = load("saas")
    roles = scenario.sales.roles
    assert roles is not None and (roles.sdr.headcount, roles.ae.headcount) == (3, 4)
    assert scenario.calendar.open_hours == (9.0, 17.0)
    assert scenario.calendar.working_days == ["mon", "tue", "wed", "thu", "fri"]
    assert scenario.sales.stages.discovery.meetings == 1
    assert sum(scenario.sales.opening_pipeline.values()) > 0
    # two months of a sample of the market: the opening deals close, SDRs qualify new ones
    short = load("saas", horizon_days=60, **{"population.size": 5000})
    kpis = sim.simulate(short, seed=1).kpis
    assert kpis["customers"] > 0
    assert kpis["deals.discovery"] > kpis["deals.demo"] > 0
    assert kpis["lead_response_hours"] > 1.0  # the SDRs batch their calls: never at once


def test_the_plans_change_only_what_they_say():
    base = load("saas").model_dump(exclude={"name", "color", "description"})
    hour = load("answer_within_an_hour").model_dump(exclude={"name", "color", "description"})
    assert hour["sales"].pop("response_time_hours") == 1.0
    assert base["sales"].pop("response_time_hours") == 2.0
    assert hour == base
    hire = load("one_more_sdr")
    assert hire.sales.roles.sdr.new_hires == 1 and hire.sales.roles.sdr.hire_day == 1
    assert hire.channels["linkedin_ads"].budget == 0
    assert hire.sales.response_time_hours == 1.0


def test_answering_within_an_hour_without_hiring_leaves_most_leads_waiting(year):
    hour = year.loc["answer_within_an_hour"]
    # nights, weekends and busy SDRs: the median lead waits far longer than the policy
    # (7.2-13.1 h over ten seeds)
    assert (hour["lead_response_hours"] >= 6.0).all()
    assert (hour["lead_response_within_1h"] <= 0.4).all()
    # the policy is free: the payroll is the same
    base = year.loc["b2b_saas"]
    assert (hour["sales_cost"] - base["sales_cost"]).abs().max() < 0.01 * base["sales_cost"].min()


def test_one_more_sdr_buys_speed_at_its_cost(year):
    hire, hour = year.loc["one_more_sdr"], year.loc["answer_within_an_hour"]
    # the same policy, one more SDR: the median wait falls by ~40 % (0.61 of it on average
    # over ten seeds, 0.74 at most)
    assert (hire["lead_response_hours"] <= 0.8 * hour["lead_response_hours"]).all()
    assert (hire["lead_response_within_1h"] > hour["lead_response_within_1h"]).all()
    # paid in full from day 1 while ramping: 70,000 a year
    assert (hire["sales_cost"] - hour["sales_cost"] > 60_000).all()
    assert (hire["marketing_spend"] < hour["marketing_spend"] - 150_000).all()


def test_the_calibrated_year_reproduces_the_crm(year):
    base = year.loc["b2b_saas"].mean()
    assert base["deal_cycle_days"] == pytest.approx(75, rel=0.2)
    assert base["funnel.sales_qualified"] == pytest.approx(2400, rel=0.25)  # MQLs
    assert base["deals.discovery"] == pytest.approx(720, rel=0.25)  # SQLs
    assert base["deals.demo"] == pytest.approx(290, rel=0.25)  # opportunities
    assert base["lead_response_hours"] == pytest.approx(14, rel=0.3)
