"""Counters that cannot overflow in any allowed horizon; seeds of any integer type."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.analysis.results import collect
from sim.model.model import JourneyModel
from sim.model.prospects import Stage
from sim.scenario.schema import Scenario
from tests.conftest import small

LONGEST = next(m.le for m in Scenario.model_fields["horizon_days"].metadata if hasattr(m, "le"))
"""The longest horizon a scenario may ask for (days)."""


def test_every_counter_holds_the_longest_horizon():
    """A prospect touched by every source every day of the longest horizon still fits."""
    model = JourneyModel(small(size=50, days=LONGEST), seed=0)
    table = model.prospects
    most = LONGEST * (len(model.sources) + model.spec.sales.reps)
    for name in ("touches_by_dim", "touches_by_source", "online_touches", "rep_touches"):
        column = getattr(table, name)
        assert np.iinfo(column.dtype).max >= most, name


def test_touch_counts_stay_exact_over_ten_years():
    """Ten years of advertising: touches per sale stay positive and exact."""
    scenario = small("sales_funnel", size=3000, days=LONGEST)
    model = JourneyModel(scenario, seed=2)
    model.run()
    k = collect(model).kpis
    table, ads = model.prospects, model.source_index["advertising"]
    won = table.ever_reached(Stage.CUSTOMER)
    exact = int(table.touches_by_source[won, ads].sum(dtype=np.int64))
    assert exact > 2**15  # more than the old 16-bit counters could hold
    assert k["touches_per_sale.source.advertising"] == pytest.approx(exact / k["customers"])
    assert all(v is None or v >= 0 for n, v in k.items() if n.startswith("touches_per_sale"))


@pytest.mark.parametrize("seed", [np.int64(5), np.uint32(5), np.int32(5), 5])
def test_seeds_of_any_integer_type(seed):
    scenario = small(size=300, days=20)
    assert sim.simulate(scenario, seed=seed).kpis == sim.simulate(scenario, seed=5).kpis
    comparison = sim.compare(
        [scenario, small("aida_funnel", size=300, days=20)],
        replications=2,
        seed=seed,
        workers=1,
        progress=False,
    )
    assert len(comparison.kpis) == 4
