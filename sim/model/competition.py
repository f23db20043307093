"""Competitors: every prospect with a need is courted by the rest of the market too.

Sources: “What are Sales Touchpoints?” (a competitive marketplace; lead response time
as a KPI); Oldroyd, McElheran & Elkington, “The Short Life of Online Sales Leads”,
Harvard Business Review (2011).

Each day a prospect with an active need who has not bought from us buys from a
competitor with chance

    buy_elsewhere_per_day × (1 + urgency_per_month × months the need has been active)
                          × (1 − trust_shield × trust progress)

where trust progress (0..1) is the mean share of the four trust thresholds met, as
for the handoff. A need that has waited long is urgent, and a prospect who already
trusts us is harder to win away. Such a prospect leaves as ``lost_to_competitor``.
A lead waiting for a rep is exposed the same way, so a slow answer loses leads.

The status quo competes too. Dixon & McKenna, *The JOLT Effect* (2022), analysing
2.5 million recorded sales conversations, found that 40–60 % of B2B opportunities end
in no decision, from the buyer's indecision rather than a preference for a rival. So a
lead whose four trusts are met decides: with chance ``no_decision_share`` it shelves
the purchase (its need ends) and leaves as ``lost``; otherwise it buys. At an account
with a buying committee each of its *k* people may stall it, so it ends in no decision
with chance 1 − (1 − ``no_decision_share``)^*k* (:mod:`sim.model.committees`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model import streams
from sim.model.prospects import OPEN_STAGES, Stage, in_stages
from sim.scenario.vocabulary import DAYS_PER_MONTH

if TYPE_CHECKING:
    from sim.model.market import Market


def compete(model: Market) -> None:
    """Prospects with a need who have not bought from us may buy elsewhere today."""
    spec = model.spec.competition
    if spec.buy_elsewhere_per_day == 0:
        return
    table = model.prospects
    rows = np.flatnonzero(in_stages(table.stage, OPEN_STAGES) & table.need)
    if rows.size == 0:
        return
    months = (model.day - table.need_since[rows]) / DAYS_PER_MONTH
    shield = 1.0 - spec.trust_shield * table.progress(rows)
    hazard = spec.buy_elsewhere_per_day * (1.0 + spec.urgency_per_month * months) * shield
    lost = rows[model.replicas.chance(streams.BUYS_ELSEWHERE, rows, np.minimum(hazard, 1.0))]
    table.move(lost, Stage.LOST_TO_COMPETITOR)
    table.need[lost] = False
    table.next_contact[lost] = np.inf


def decide(model: Market, buyers: np.ndarray) -> np.ndarray:
    """The buyers who go ahead: leads among them end in no decision with its chance."""
    share = model.spec.competition.no_decision_share
    table = model.prospects
    leads = table.stage[buyers] == Stage.SALES_QUALIFIED
    if share == 0 or not leads.any():
        return buyers
    leads = buyers[leads]
    stall = model.committees.stall_chance(leads, share)
    shelved = leads[model.replicas.chance(streams.NO_DECISION, leads, stall, once=True)]
    table.no_decision[shelved] = True
    table.move(shelved, Stage.LOST)
    table.need[shelved] = False
    table.next_contact[shelved] = np.inf
    return buyers[table.stage[buyers] != Stage.LOST]
