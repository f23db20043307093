"""Decisions under uncertainty on real runs: today's comparison when nothing is uncertain,
and the input built to decide a comparison ranked first."""

from __future__ import annotations

import numpy as np

import sim
from tests.conftest import BUSY, small

QUALITY = "channels.webinar.quality.mean"
IDLE = "channels.advertising.budget"  # a channel the strategy leaves switched off


def test_with_every_input_fixed_the_decision_is_todays_paired_comparison():
    start = small(size=800, days=40, **BUSY)
    more = small(size=800, days=40, **BUSY, **{"channels.webinar.budget": 5000})
    comparison = sim.compare([start, more.model_copy(update={"name": "more"})], 5, progress=False)
    decision = comparison.decision().set_index("kpi")
    summary = comparison.summary().query("scenario == 'more'").set_index("kpi")
    for ours, theirs in (("expected", "diff"), ("expected_low", "diff_low"),
                         ("expected_high", "diff_high"), ("pairs", "pairs")):  # fmt: skip
        assert decision[ours].equals(
            summary.loc[decision.index, theirs].astype(decision[ours].dtype)
        )
    answer = comparison.answer("customers")
    assert answer.sensitivity.empty
    assert "seed noise only" in " ".join(answer.lines["more"])


def test_the_input_that_decides_the_comparison_ranks_first():
    unsure = {QUALITY: {"uniform": [0.0, 2.5]}, IDLE: {"uniform": [0, 50000]}}
    without = small(size=1500, days=60, **BUSY, **unsure, **{"channels.webinar.enabled": False})
    webinars = small(size=1500, days=60, **BUSY, **unsure).model_copy(update={"name": "webinars"})
    comparison = sim.compare([without, webinars], 16, progress=False)
    ranks = comparison.answer("customers").sensitivity.set_index("input")
    # what webinars add depends on how good they are; the idle channel's budget buys nothing
    assert ranks.loc[QUALITY, "rank"] == 1
    assert ranks.loc[QUALITY, "variance_share"] > 0.5 and ranks.loc[IDLE, "variance_share"] < 0.2
    inputs = comparison.kpis[f"input.{IDLE}"]
    assert inputs.nunique() == 16 and np.isfinite(inputs).all()
