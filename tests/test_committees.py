"""Buying committees: one-person accounts are the plain model; bigger committees stall more.

Published facts: Gartner (2019), 6–10 people take part in a complex B2B purchase; Dixon &
McKenna, *The JOLT Effect* (2022), 40–60 % of qualified B2B deals end in no decision.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.results import collect, simulate_batch
from sim.model.model import JourneyModel
from tests.conftest import small

B2B = "b2b/saas"


def _no_decision(sizes: dict[int, float], seeds: list[int], **extra) -> tuple[int, int]:
    """Deals shelved and deals ready to buy, summed over ``seeds`` of the B2B market."""
    scenario = small(B2B, size=25_000, days=365, **{"committee.sizes": sizes, **extra})
    shelved = ready = 0
    for result in simulate_batch(scenario, seeds):
        rate = result.kpis["no_decision_rate"]
        won = result.kpis["customers"]
        # rate = shelved / (shelved + won through sales); self-serve is off in this market
        n = round(won / (1.0 - rate)) if rate < 1 else 0
        shelved += n - int(won)
        ready += n
    return shelved, ready


def test_one_person_accounts_are_the_model_without_committees():
    """Committee settings do nothing when every account is one person."""
    plain = small(B2B, size=3000, days=150, **{"committee.sizes": {1: 1}})
    alone = small(
        B2B,
        size=3000,
        days=150,
        **{
            "committee.sizes": {1: 1},
            "committee.threads_per_meeting": 7,
            "committee.champion_influence": 0.9,
            "committee.on_side_share": 1.0,
        },
    )
    a, b = (simulate_batch(s, [4])[0] for s in (plain, alone))
    pd.testing.assert_frame_equal(a.daily, b.daily)
    assert a.kpis == b.kpis


def test_no_decision_rises_with_the_committee_and_sits_in_the_published_range():
    """The shipped market's per-person stall gives 40–60 % no decision for 6–10 people."""
    seeds = [1, 2]
    shares = {}
    for size in (1, 4, 8):
        shelved, ready = _no_decision({size: 1.0}, seeds)
        assert ready > 60
        shares[size] = shelved / ready
    assert shares[1] < shares[4] < shares[8]
    shelved, ready = _no_decision({6: 1.0, 7: 1.0, 8: 1.0, 9: 1.0, 10: 1.0}, seeds)
    share = shelved / ready
    half_width = 2.0 * np.sqrt(share * (1 - share) / ready)
    assert 0.40 - half_width <= share <= 0.60 + half_width, (share, ready)
    assert 0.40 <= share <= 0.60


def test_meeting_more_of_the_committee_wins_more_deals():
    """Multi-threading: with ten-person committees, meetings that reach more people win more."""
    seeds = [3, 4]
    won = {}
    for threads in (1, 5):
        extra = {"committee.threads_per_meeting": threads, "committee.champion_influence": 0.3}
        scenario = small(B2B, size=25_000, days=365, **{"committee.sizes": {10: 1}, **extra})
        won[threads] = sum(r.kpis["customers"] for r in simulate_batch(scenario, seeds))
    assert won[5] > 1.2 * won[1] > 0


class Counting(JourneyModel):
    """Counts, per source, the touches it observes."""

    def __init__(self, *args, **kwargs):
        self.seen: dict[str, int] = {}
        super().__init__(*args, **kwargs)

    def touched(self, rows, source, quality):
        assert rows.size == quality.size
        self.seen[source] = self.seen.get(source, 0) + rows.size


def test_every_touch_can_be_observed_by_a_subclass():
    model = Counting(small(size=2000, days=60), seed=2, touch_log=True)
    model.run()
    log = collect(model).touches
    expected = {k: v for k, v in log.groupby("source", observed=True).size().items() if v}
    assert model.seen == pytest.approx(expected)
    assert sum(expected.values()) > 100
