"""How long a sale takes: handoff to close and first touch to close, for a CRM to check."""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.results import collect
from sim.model.model import JourneyModel
from tests.conftest import small


@pytest.fixture(scope="module")
def finished():
    model = JourneyModel(small(size=4000, days=240), seed=2)
    model.run()
    return model, collect(model).kpis


def test_cycle_lengths_are_the_quantiles_of_the_customers_won(finished):
    model, k = finished
    table = model.prospects
    won = table.customer_since >= 1
    handed = won & (table.handoff_day >= 0)
    cycle = table.customer_since[handed] - table.handoff_day[handed]
    journey = table.customer_since[won] - table.first_touch_day[won]
    assert k["sales_cycle_days"] == np.quantile(cycle, 0.5, method="inverted_cdf")
    assert k["sales_cycle_days.p90"] == np.quantile(cycle, 0.9, method="inverted_cdf")
    assert k["journey_days"] == np.quantile(journey, 0.5, method="inverted_cdf")
    assert k["journey_days"] >= k["sales_cycle_days"]  # the journey holds the sales cycle


def test_first_touches_are_dated(finished):
    model, _ = finished
    table = model.prospects
    touched = table.first_touch >= 0
    assert (table.first_touch_day[touched] >= 1).all()
    assert (table.first_touch_day[~touched] == -1).all()
    won = table.customer_since >= 1
    assert (table.first_touch_day[won] <= table.customer_since[won]).all()


def test_a_slower_response_lengthens_the_sales_cycle():
    fast, slow = (
        collect(_run(small(size=4000, days=240, **{"sales.response_time_hours": h}))).kpis
        for h in (1, 96)
    )
    assert slow["sales_cycle_days"] > fast["sales_cycle_days"]


def _run(scenario):
    model = JourneyModel(scenario, seed=2)
    model.run()
    return model
