"""Out-of-market browsers in pull channels' audiences, and funnel counts that stay honest.

Most of a B2B audience is out of market (Dawes, “Advertising effectiveness and the 95-5
rule”, 2021): a pull channel finds browsers who read, attend and compare without a need.
"""

from __future__ import annotations

import numpy as np

from sim.analysis.results import collect, simulate_batch
from sim.model.model import JourneyModel
from sim.model.prospects import Stage
from tests.conftest import small

SEEDS = [1, 2, 3, 4]


def _mean(kpi: str, share: float) -> float:
    scenario = small(size=4000, days=180, **{"population.browsing_share": share})
    return float(np.mean([r.kpis[kpi] for r in simulate_batch(scenario, SEEDS)]))


def test_pull_channels_find_browsers_without_a_need():
    model = JourneyModel(small(size=4000, days=30, **{"population.browsing_share": 0.3}), seed=1)
    model.run()
    model.audiences.clear()
    table = model.prospects
    assert abs(table.browses.mean() - 0.3) < 0.03
    webinar = next(c for c in model.channels if c.name == "webinar")
    audience = webinar.audience()
    assert (table.need[audience] | table.browses[audience]).all()
    assert (~table.need[audience]).any()  # browsers without a need are in it


def test_more_browsers_spend_the_budget_on_fewer_buyers():
    spend = [_mean("marketing_spend", s) for s in (0.0, 0.3)]
    customers = [_mean("customers", s) for s in (0.0, 0.3)]
    assert spend[1] > spend[0]  # reach-capped channels now find more people to pay for
    assert customers[1] <= customers[0]


def test_an_exit_counts_only_as_the_exit():
    """A prospect who buys elsewhere while aware did not reach engaged or evaluating."""
    scenario = small(size=3000, days=120, **{"competition.buy_elsewhere_per_day": 0.05})
    model = JourneyModel(scenario, seed=2)
    model.run()
    table, k = model.prospects, collect(model).kpis
    gone = table.stage == Stage.LOST_TO_COMPETITOR
    assert gone.any()
    assert not (gone & table.ever_reached(Stage.EVALUATING)).all()
    assert k["funnel.evaluating"] == int(table.ever_reached(Stage.EVALUATING).sum())
    assert k["funnel.evaluating"] <= k["funnel.engaged"] <= k["funnel.aware"]


def test_conversion_of_the_prospects_reached():
    model = JourneyModel(small(size=3000, days=120), seed=3)
    model.run()
    k, table = collect(model).kpis, model.prospects
    aware = table.ever_reached(Stage.AWARE)
    won = aware & (table.customer_since >= 1)
    assert k["conversion_rate.aware_to_customer"] == won.sum() / aware.sum()
    assert k["conversion_rate.aware_to_customer"] >= k["conversion_rate"]
