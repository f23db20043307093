"""Lead response as a distribution that counts the leads no rep ever called."""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.results import collect
from sim.model.model import JourneyModel
from sim.model.prospects import Stage
from tests.conftest import small


def _run(scenario):
    model = JourneyModel(scenario, seed=3)
    model.run()
    return model, collect(model)


def test_leads_reps_never_reach_are_counted_not_dropped():
    """One slow rep cannot call every lead: the median alone would echo the policy."""
    scarce = {"sales.reps": 1, "sales.minutes_per_touch": 120}
    model, result = _run(small("aida_funnel", size=10_000, days=365, **scarce))
    k, table = result.kpis, model.prospects
    lead = table.ever_reached(Stage.SALES_QUALIFIED)
    uncalled = lead & (table.rep_touches == 0)
    gone = uncalled & np.isin(
        table.stage, [Stage.LOST, Stage.DISQUALIFIED, Stage.LOST_TO_COMPETITOR]
    )
    waiting = uncalled & (table.stage == Stage.SALES_QUALIFIED)
    waiting &= table.next_contact < model.day + 1
    bought_first = uncalled & ~gone & ~(table.stage == Stage.SALES_QUALIFIED)
    due = int(
        lead.sum()
        - bought_first.sum()
        - (uncalled & (table.stage == Stage.SALES_QUALIFIED) & ~waiting).sum()
    )
    assert k["leads_never_called"] == pytest.approx((gone.sum() + waiting.sum()) / due)
    assert k["leads_never_called"] > 0.1
    assert k["lead_response_hours.p90"] is None
    assert "never called" in result.undefined["lead_response_hours.p90"]
    assert k["lead_response_hours"] >= model.spec.sales.response_time_hours


def test_without_reps_no_lead_is_called():
    _, result = _run(small(size=2000, days=90, **{"sales.reps": 0}))
    assert result.kpis["leads_never_called"] == 1.0
    assert result.kpis["lead_response_hours"] is None
    assert "more than 50%" in result.undefined["lead_response_hours"]


def test_ample_capacity_answers_every_lead_on_policy():
    # no competitor or status quo to take a lead before its call: only capacity is tested
    alone = {"competition.buy_elsewhere_per_day": 0, "competition.no_decision_share": 0}
    ample = {"sales.reps": 40}  # a rep is busy 80 minutes of the day for each call
    model, result = _run(small("sales_funnel", size=3000, days=120, **alone, **ample))
    policy = model.spec.sales.response_time_hours
    assert result.kpis["leads_never_called"] == 0
    assert result.kpis["lead_response_hours"] == policy  # exactly: no rounding residue
    assert result.kpis["lead_response_hours.p90"] == policy
