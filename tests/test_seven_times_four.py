"""'Seven touches times four' emerges from the touch mechanism (“Rub those sore sales muscles!”)."""

from __future__ import annotations

import pytest

import sim
from sim.scenario import DIMENSIONS


def four_channel_scenario(quality: float) -> sim.Scenario:
    """Four channels, each building one trust daily; thresholds exactly 7; no noise or decay."""
    channels = {
        f"builds_{dim}": {
            "budget": 0,
            "cost_per_touch": 0,
            "reach_per_day": 1.0,
            "audience": "everyone",
            "quality": {"mean": quality, "sd": 0},
            "trust": {dim: 1.0},
            "stages": ["unaware", "aware", "engaged", "evaluating"],
        }
        for dim in DIMENSIONS
    }
    return sim.scenario_from_dict(
        {
            "name": "seven_times_four",
            "horizon_days": 120,
            "population": {
                "size": 2000,
                "trust_threshold": {
                    "rep": 7,
                    "subject": 7,
                    "company": 7,
                    "product": 7,
                    "spread": 0,
                },
                "good_fit_share": 1,
                "initial_need_share": 1,
                "need_rate_per_day": 1,
                "need_duration_days": 1e9,
            },
            "attention": {"decay_per_day": 0, "no_need_receptivity": 1, "opt_out_fatigue": 1e9},
            "journey": {"engage_at": 0, "evaluate_at": 0},
            "handoff": {"self_serve": True, "level": 1.0},
            "sales": {"reps": 0},
            "reviews": {"enabled": False},
            "word_of_mouth": {"network": "none"},
            "channels": channels,
        }
    )


@pytest.mark.parametrize(("quality", "per_dimension"), [(1.0, 7), (2.0, 4), (0.5, 14)])
def test_touches_needed_is_threshold_over_quality(quality, per_dimension):
    result = sim.simulate(four_channel_scenario(quality), seed=1)
    kpis = result.kpis
    assert kpis["customers"] > 1500
    for dim in DIMENSIONS:
        assert kpis[f"touches_per_sale.{dim}"] == pytest.approx(per_dimension, abs=0.01)
    assert kpis["touches_per_sale.total"] == pytest.approx(4 * per_dimension, abs=0.05)
