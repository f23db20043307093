"""The opportunity pipeline: a sales cycle a CRM can fit, and win rates that rise by stage."""

from __future__ import annotations

import pytest

from sim.analysis.results import simulate_batch
from tests.conftest import small


def _stages(scale: float) -> dict:
    """The four stages with the buyer's days scaled (mean and sd)."""
    days = {"discovery": 6, "demo": 20, "proposal": 28, "negotiation": 24}
    return {
        f"sales.stages.{name}.days": {"mean": mean * scale, "sd": mean * scale / 3}
        for name, mean in days.items()
    }


@pytest.fixture(scope="module")
def cycles() -> dict[float, list]:
    runs = {}
    for scale in (0.3, 1.0, 2.3):
        horizon = 540 if scale > 1 else 365
        scenario = small("b2b/saas", size=12_000, days=horizon, **_stages(scale))
        runs[scale] = simulate_batch(scenario, [5])
    return runs


def test_a_sales_cycle_from_a_month_to_half_a_year_can_be_fitted(cycles):
    """30–180 days are reachable by the stages' days alone (the issue's range)."""
    median = {scale: runs[0].kpis["deal_cycle_days"] for scale, runs in cycles.items()}
    assert median[0.3] <= 35 < median[1.0] < 150 <= median[2.3] <= 200, median
    p90 = cycles[1.0][0].kpis["deal_cycle_days.p90"]
    assert p90 > median[1.0]


def test_deals_further_along_are_likelier_won(cycles):
    kpis = cycles[1.0][0].kpis
    rates = [kpis[f"win_rate.{s}"] for s in ("discovery", "demo", "proposal", "negotiation")]
    assert rates == sorted(rates) and rates[0] < rates[-1], rates
    reached = [kpis[f"deals.{s}"] for s in ("discovery", "demo", "proposal", "negotiation")]
    assert reached == sorted(reached, reverse=True), reached
