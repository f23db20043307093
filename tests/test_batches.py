"""Replications as an axis: a batch gives each replication exactly its single run.

The fast path (one model advancing many replications, what compare, sweeps and
sensitivity use) is not a second model: replication ``r`` of a batch draws from
its own generator in the order a run of it alone does, so its KPIs, daily table
and ledger equal the single run's to the last bit, whatever the batch it is in.
"""

from __future__ import annotations

import pandas as pd
import pytest

import sim
from sim.analysis.results import simulate_batch
from sim.experiments import runner
from sim.experiments.runner import run_specs, tidy
from sim.experiments.specs import RunSpec, replication_seeds
from sim.model import cost
from tests.conftest import SHIPPED, small

SEEDS = [3, 17, 17_000_000, 4_000_000_000]


def _same(a: sim.RunResult, b: sim.RunResult) -> bool:
    return (
        a.kpis == b.kpis
        and a.undefined == b.undefined
        and a.daily.equals(b.daily)
        and a.ledger.equals(b.ledger)
    )


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_each_replication_of_a_batch_is_its_single_run(path):
    scenario = small(path.stem, size=1500, days=90)
    batch = simulate_batch(scenario, SEEDS)
    for seed, result in zip(SEEDS, batch, strict=True):
        alone = sim.simulate(scenario, seed)
        assert result.seed == seed
        assert _same(result, alone), f"{path.stem} seed {seed}"


def test_a_sales_organisation_batch_is_its_single_runs():
    """SDRs, AEs, CSMs, a calendar, committees and an opening pipeline, batched."""
    extra = {
        "sales.roles.csm": {"headcount": 1, "minutes_per_activity": 30},
        "committee.sizes": {1: 1, 4: 1},
        "committee.threads_per_meeting": 2,
    }
    scenario = small("b2b/saas", size=6000, days=200, **extra)
    batch = simulate_batch(scenario, SEEDS[:3])
    assert sum(r.kpis["customers"] for r in batch) > 0
    for seed, result in zip(SEEDS[:3], batch, strict=True):
        assert _same(result, sim.simulate(scenario, seed)), f"seed {seed}"


def test_batch_order_and_company_do_not_matter():
    scenario = small("recommendation_driven", size=1200, days=60)
    forward = simulate_batch(scenario, SEEDS)
    backward = simulate_batch(scenario, SEEDS[::-1])[::-1]
    pairs = simulate_batch(scenario, SEEDS[:2]) + simulate_batch(scenario, SEEDS[2:])
    for a, b, c in zip(forward, backward, pairs, strict=True):
        assert _same(a, b) and _same(a, c)


def test_grouping_into_batches_never_changes_a_table(monkeypatch):
    scenario = small(size=800, days=40)
    specs = [RunSpec(scenario, s, r, scenario.name) for r, s in enumerate(replication_seeds(2, 7))]
    meta = [{"replication": s.replication, "seed": s.seed} for s in specs]
    tables = []
    for size in (1, 3, 16):
        monkeypatch.setattr(cost, "BATCH_SIZE", size)
        assert max(len(b) for b in runner.batches(specs)) == min(size, 7)
        tables.append(tidy(specs, run_specs(specs, workers=1, progress=False), meta))
    for table in tables[1:]:
        pd.testing.assert_frame_equal(tables[0], table)


def test_batch_is_bounded_in_rows():
    scenario = small(size=200_000, days=1)
    specs = [RunSpec(scenario, s, r, scenario.name) for r, s in enumerate(range(6))]
    assert max(len(b) for b in runner.batches(specs)) == cost.BATCH_ROWS // 200_000


class ListedAudience(sim.Channel):
    """A channel that lists its audience, as any channel overriding ``choose`` does."""

    def choose(self, audience, n):
        return super().choose(audience, n)


@pytest.mark.parametrize("name", ["aida_funnel", "sales_funnel"])
def test_an_audience_counted_not_listed_touches_the_same_prospects(name):
    """Channels aimed at everyone in their stages find their prospects by rank: same numbers."""
    scenario = small(name, size=1500, days=90)
    counted = simulate_batch(scenario, SEEDS[:2])
    listed = simulate_batch(scenario, SEEDS[:2], channel_class=ListedAudience)
    for a, b in zip(counted, listed, strict=True):
        assert _same(a, b)
