"""A channel's reach as a share of the market: the audience it can ever reach."""

from __future__ import annotations

import numpy as np

from sim.model.model import JourneyModel
from tests.conftest import small

SIZE = 2000
QUIET = {  # no sales, advertising that only makes people aware: nothing else moves
    "sales.reps": 0,
    "handoff.self_serve": False,
    "channels.email.enabled": False,
    "channels.advertising.budget": 10_000_000.0,
    "channels.advertising.quality": {"mean": 0.0, "sd": 0.0},
    "channels.advertising.intrusiveness": 0.0,
}


def touched_by(reach_share: float, channel: str, days: int = 20) -> np.ndarray:
    """How often each prospect was touched by ``channel`` with advertising's reach share set."""
    spec = small(
        "aida_funnel", SIZE, days, **QUIET, **{"channels.advertising.reach_share": reach_share}
    )
    model = JourneyModel(spec, seed=3)
    model.collect_every_day = False
    model.run()
    return model.prospects.touches_by_source[:, model.source_index[channel]].copy()


def test_a_channel_reaches_its_share_of_the_market_whatever_the_budget():
    everyone, share = touched_by(1.0, "advertising"), touched_by(0.4, "advertising")
    assert (everyone > 0).mean() > 0.99  # the budget buys everyone it may reach
    assert abs((share > 0).mean() - 0.4) < 0.04  # 3.6 standard errors on 2,000 prospects
    assert share.sum() < everyone.sum()


def test_a_channels_reach_share_changes_no_other_channels_touches():
    assert touched_by(1.0, "social").sum() > 0
    assert np.array_equal(touched_by(1.0, "social"), touched_by(0.4, "social"))
