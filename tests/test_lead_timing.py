"""Leads in hours: a random hour of arrival, and a reach chance that fades with the delay.

Oldroyd, McElheran & Elkington, “The Short Life of Online Sales Leads” (HBR 2011): a lead
answered in 1 hour and one answered in 20 must differ through the mechanisms (the reach
chance, cooling, competitors), not through the order of a day's queue.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.results import simulate_batch
from sim.model.model import JourneyModel
from tests.conftest import BUSY, small

SEEDS = [1, 2, 3, 4, 5, 6]
NEUTRAL = {**BUSY, "sales.cooling_per_day": 0.0}
"""No cooling, every call reaches, no competitors: nothing makes a late answer worse."""


def _customers(hours: float, **overrides) -> float:
    scenario = small(size=3000, days=180, **overrides, **{"sales.response_time_hours": hours})
    return float(np.mean([r.kpis["customers"] for r in simulate_batch(scenario, SEEDS)]))


def test_leads_arrive_through_the_day_and_are_answered_on_the_hour():
    scenario = small(size=4000, days=120, **NEUTRAL,
                     **{"sales.response_time_hours": 20, "sales.reps": 6})  # fmt: skip
    model = JourneyModel(scenario, seed=2)
    model.run()
    hours = model.prospects.handoff_hour[model.prospects.handoff_day >= 0]
    assert hours.min() >= 0 and hours.max() < 24
    assert abs(hours.mean() - 12) < 1.0  # uniform over the day
    # due 20 hours after arrival, most on the next day, and called then, not at midnight
    response = model.sales_queue.response_hours(0, model.day)
    assert np.median(response[np.isfinite(response)]) == pytest.approx(20, abs=1e-6)


def test_without_a_mechanism_a_late_answer_is_no_better():
    """The queue-order artifact: before, a 23-hour answer beat a 1-hour one in 5 of 5 runs."""
    fast, late = _customers(1, **NEUTRAL), _customers(23, **NEUTRAL)
    assert fast >= late


@pytest.mark.parametrize(
    "mechanism",
    [
        {"sales.reach_at_once": 0.5, "sales.reach_later": 0.05},
        {"sales.cooling_per_day": 0.3},
        {"competition.buy_elsewhere_per_day": 0.02},
    ],
    ids=["reach", "cooling", "competitors"],
)
def test_each_mechanism_alone_makes_the_hour_beat_the_day(mechanism):
    fast, late = (
        _customers(1, **{**NEUTRAL, **mechanism}),
        _customers(20, **{**NEUTRAL, **mechanism}),
    )
    assert fast > late


@pytest.mark.parametrize(("hours", "expected"), [(0.0, 0.6), (2.0, 0.35), (48.0, 0.1)])
def test_the_reach_chance_fades_with_the_hours_since_the_handoff(hours, expected):
    """First calls at each delay reach the decision maker as often as the formula says."""
    reach = {"sales.reach_at_once": 0.6, "sales.reach_later": 0.1, "sales.reach_half_life_hours": 2}
    policy = {"sales.response_time_hours": hours, "sales.reps": 6}
    scenario = small(size=6000, days=150, **{**BUSY, **reach, **policy})
    model = JourneyModel(scenario, seed=4)
    queue, firsts, hits = model.sales_queue, [], []
    book = queue.contact

    def recording(rows: np.ndarray, when: np.ndarray, day: int) -> np.ndarray:
        first = rows[model.prospects.rep_touches[rows] == 0]
        reached = book(rows, when, day)
        firsts.append(first.size)
        hits.append(np.isin(first, reached).sum())
        return reached

    queue.contact = recording
    model.run()
    n = sum(firsts)
    assert n > 500
    assert sum(hits) / n == pytest.approx(expected, abs=3 * np.sqrt(expected * (1 - expected) / n))


def test_faster_answers_never_win_fewer_customers_in_the_shipped_market():
    counts = [_customers(h) for h in (1, 8, 48)]
    assert counts[0] > counts[1] >= counts[2]
