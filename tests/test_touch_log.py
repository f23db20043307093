"""The touch log: off by default, changes no number, and adds up to the model's own counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.testing import assert_frame_equal

import sim
from sim.analysis.paths import SEPARATOR, journeys, path_table, touch_paths
from sim.analysis.results import simulate_batch
from sim.model.touchlog import TOUCH_BYTES
from tests.conftest import BUSY, small


def scenario():
    return small(size=1500, days=90, **BUSY)


def test_off_by_default_and_changes_no_number():
    plain = sim.simulate(scenario(), seed=4)
    logged = sim.simulate(scenario(), seed=4, touch_log=True)
    assert plain.touches is None and plain.purchases is None
    assert logged.kpis == plain.kpis
    assert_frame_equal(logged.daily, plain.daily)
    assert_frame_equal(logged.ledger, plain.ledger)


def test_log_adds_up_to_every_prospects_touch_counts_and_the_ledger():
    model = sim.JourneyModel(scenario(), seed=5, touch_log=True)
    model.run()
    log = model.prospects.touch_log.columns()
    assert len(model.prospects.touch_log) == log["prospect"].size > 1000
    per_prospect = model.prospects.touches_by_source
    logged = np.zeros_like(per_prospect)
    np.add.at(logged, (log["prospect"], log["source"]), 1)
    assert (logged == per_prospect).all()
    ledger = sim.collect(model).ledger
    paid = ledger[(ledger.payer_type == "channel") & (ledger.item == "touch")]
    for name, touches in paid.groupby("payer")["touches"].sum().items():
        assert touches == (log["source"] == model.source_index[name]).sum(), name
    assert TOUCH_BYTES == sum(a.itemsize for a in log.values()) == 11


def test_a_batch_logs_what_single_runs_log():
    seeds = [11, 12, 13]
    batch = simulate_batch(scenario(), seeds, touch_log=True)
    for seed, result in zip(seeds, batch, strict=True):
        alone = sim.simulate(scenario(), seed=seed, touch_log=True)
        assert_frame_equal(result.touches, alone.touches)
        assert_frame_equal(result.purchases, alone.purchases)


def test_paths_round_trip_to_the_log_and_the_customers():
    results = simulate_batch(scenario(), [21, 22], touch_log=True)
    tidy = touch_paths(results)
    table = journeys(results)
    counted = path_table(table)
    for r, result in enumerate(results):
        assert table[table.replication == r].converted.sum() == result.kpis["customers"]
        # a path that did not convert keeps every touch; a converted one stops at the purchase
        bought = result.purchases.set_index("prospect")["day"]
        log = result.touches.assign(day_bought=result.touches.prospect.map(bought))
        kept = log[log.day_bought.isna() | (log.day <= log.day_bought)]
        assert len(tidy[tidy.replication == r]) == len(kept)
    # the counted paths hold every touch and every journey exactly once
    repeats = counted["total_conversions"] + counted["total_null"]
    per_source = pd.Series(
        [
            s
            for path, n in zip(counted.path, repeats, strict=True)
            for s in path.split(SEPARATOR) * n
        ]
    ).value_counts()
    assert per_source.to_dict() == tidy.source.astype(str).value_counts().to_dict()
    assert repeats.sum() == len(table)
    assert counted.total_conversions.sum() == table.converted.sum()
    assert counted.total_conversion_value.sum() == table.value.sum() > 0
    assert (tidy.groupby(["replication", "prospect"]).step.max() + 1).sum() == len(tidy)
