"""Common random numbers: a small change moves results much less than a new seed does.

The paired difference in customers between a scenario and the same scenario with one
lever 1 % higher, on the same seeds, must vary far less across seeds than the customers
themselves (issue "Random streams v2": SD ratio ≤ 0.25).
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.analysis.results import simulate_batch
from sim.model.model import JourneyModel
from tests.conftest import small

LEVERS = (
    "channels.webinar.budget",
    "channels.free_trial.budget",
    "channels.search_content.budget",
    "word_of_mouth.conversation_rate_per_day",
    "sales.response_time_hours",
)


def _value(scenario: sim.Scenario, field: str) -> float:
    value = scenario
    for part in field.split("."):
        value = value[part] if isinstance(value, dict) else getattr(value, part)
    return float(value)


def paired_ratios(size: int, seeds: int, levers=LEVERS) -> dict[str, float]:
    """SD over seeds of the paired difference in customers, over SD of the customers."""
    seeds = list(range(seeds))
    base = small(size=size, days=365)

    def customers(scenario: sim.Scenario) -> np.ndarray:
        return np.array([r.kpis["customers"] for r in simulate_batch(scenario, seeds)])

    plain = customers(base)
    ratios = {}
    for field in levers:
        moved = small(size=size, days=365, **{field: _value(base, field) * 1.01})
        ratios[field] = float(np.std(customers(moved) - plain, ddof=1) / np.std(plain, ddof=1))
    return ratios


def test_a_one_percent_lever_moves_customers_far_less_than_a_seed():
    levers = ("channels.webinar.budget", LEVERS[3], LEVERS[4])  # the rest in the slow test
    ratios = paired_ratios(size=2000, seeds=12, levers=levers)
    assert max(ratios.values()) <= 0.25, ratios


@pytest.mark.slow
def test_a_one_percent_lever_moves_customers_far_less_than_a_seed_at_full_size():
    ratios = paired_ratios(size=10_000, seeds=30)
    assert max(ratios.values()) <= 0.25, ratios


def test_switching_a_channel_off_leaves_the_other_channels_touches_alone():
    """On the first day the other channels touch the same prospects with the same quality."""
    scenario = small(size=3000, days=5)
    off = small(size=3000, days=5, **{"channels.webinar.enabled": False})
    logs = []
    for spec in (scenario, off):
        model = JourneyModel(spec, seed=4, touch_log=True)
        model.step()
        logs.append((model.prospects.touch_log.columns(), model.sources))
    (a, names_a), (b, names_b) = logs
    for name in ("search_content", "tutorial"):  # before and after the webinar, on day 1
        mine_a, mine_b = a["source"] == names_a.index(name), b["source"] == names_b.index(name)
        assert mine_a.any(), name
        np.testing.assert_array_equal(a["prospect"][mine_a], b["prospect"][mine_b])
        np.testing.assert_array_equal(a["quality"][mine_a], b["quality"][mine_b])
