"""Opportunities: the stages an AE takes a qualified lead through, to won, lost or no decision.

Sources: “What are Sales Touchpoints?”; “Getting the next sale”; Dixon & McKenna,
*The JOLT Effect* (2022).

A lead an SDR has qualified becomes an opportunity in discovery. Each stage is a
meeting with an AE, held the stage's ``days`` after the opportunity entered it (the
buyer's own time: gathering people, trials, budget rounds) and whenever an AE is free
in working hours. The meeting is a touch (the AE's skill and trust weights); after it the
opportunity moves on if the prospect's trust progress has reached the stage's
``advance_at`` (the last stage: every trust met), else the AE meets them again after
``follow_up_days``, up to ``meetings`` times, and then the deal is lost. A deal that
passes its last stage decides (:func:`sim.model.competition.decide`): it is won or ends
in no decision. While open, a deal is courted by competitors like any prospect with a
need (:func:`sim.model.competition.compete`), so a long cycle loses deals. The sales cycle
(days from the opportunity's first day to the win) is an outcome of the stages' days,
the AEs' capacity and the trust each meeting builds.
"""

from __future__ import annotations

import numpy as np

from sim.model.calendar import BusinessCalendar
from sim.model.committees import Committees
from sim.model.prospects import ProspectTable, Stage
from sim.model.replicas import Replicas
from sim.model.teams import Team, oldest_first
from sim.scenario.schema import DealStage, Scenario
from sim.scenario.vocabulary import DEAL_STAGES, OPPORTUNITY_STAGES

DISCOVERY = DEAL_STAGES.index("discovery")
LAST = len(DEAL_STAGES) - 1


def stage_days_stream(stage: str) -> str:
    """The stream of the buyer's days in ``stage`` (one draw per prospect and stage)."""
    return f"sales: days in {stage}"


class Pipeline:
    """The open opportunities of every replication and the AEs who work them."""

    def __init__(
        self,
        table: ProspectTable,
        scenario: Scenario,
        replicas: Replicas,
        calendar: BusinessCalendar,
        team: Team,
        committees: Committees,
    ) -> None:
        """Attach to the prospect columns, where each deal's stage and meetings live."""
        self.committees = committees
        self.table = table
        self.spec = scenario.sales
        stages = scenario.sales.stages
        self.stages: list[DealStage] = [getattr(stages, s) for s in OPPORTUNITY_STAGES]
        self._bars = np.array([s.advance_at for s in self.stages])
        self._meetings = np.array([s.meetings for s in self.stages])
        self.replicas = replicas
        self.calendar = calendar
        self.team = team
        self.closing: list[np.ndarray] = []  # deals past their last stage today

    def open(self, rows: np.ndarray, when: np.ndarray, day: int) -> None:
        """Make qualified leads opportunities in discovery, from time ``when``."""
        table = self.table
        table.opportunity_day[rows] = day
        self.enter(rows, DISCOVERY, when)

    def enter(self, rows: np.ndarray, stage: int, since: np.ndarray) -> None:
        """Move deals into ``stage``; its meeting is due the stage's days after ``since``."""
        table = self.table
        table.deal_stage[rows] = stage
        table.deal_reached[rows] |= np.uint8(1 << stage)
        table.deal_meetings[rows] = 0
        table.next_contact[rows] = since + self.days(rows, stage)

    def days(self, rows: np.ndarray, stage: int) -> np.ndarray:
        """The buyer's days in ``stage`` for each deal (drawn once per prospect and stage)."""
        name = DEAL_STAGES[stage]
        spec = self.stages[stage - DISCOVERY].days
        return self.replicas.quality(stage_days_stream(name), rows, spec, once=True)

    def plan_day(self, leads: np.ndarray, day: int) -> None:
        """Give the AEs today's due meetings, longest waiting first."""
        table = self.table
        window = self.calendar.window(day)
        self.closing = []
        if window is None:
            self.team.serve(leads[:0], np.zeros(0), np.zeros(0), np.zeros(0), day, oldest_first)
            return
        deals = leads[table.deal_stage[leads] >= DISCOVERY]
        due = deals[table.next_contact[deals] < window[1]]
        when = table.next_contact[due]
        minutes = self.team.work(due, table.meetings[due] + 1)
        self.team.serve(due, when, when, minutes, day, oldest_first)

    def meet(self, rows: np.ndarray, when: np.ndarray, day: int) -> None:
        """After today's meetings (their touches delivered): move on, meet again, or lose."""
        table = self.table
        table.meetings[rows] += 1
        stage = table.deal_stage[rows].astype(np.int64)
        passed = table.progress(rows) >= self._bars[stage - DISCOVERY]
        last = stage == LAST
        passed[last] = self.committees.agree(rows[last])
        ready = rows[passed & last]
        faded = ready[~table.need[ready]]  # the need went while it was decided: no decision
        table.move(faded, Stage.LOST)
        table.next_contact[faded] = np.inf
        self.closing.append(ready[table.need[ready]])
        for k in range(DISCOVERY, LAST):
            moving = passed & (stage == k)
            self.enter(rows[moving], k + 1, when[moving])
        again = rows[~passed]
        table.deal_meetings[again] += 1
        limit = self._meetings[stage[~passed] - DISCOVERY]
        spent = table.deal_meetings[again] >= limit
        table.move(again[spent], Stage.LOST)
        table.next_contact[again[spent]] = np.inf
        table.next_contact[again[~spent]] = when[~passed][~spent] + self.spec.follow_up_days

    def deals_to_close(self) -> np.ndarray:
        """The deals that passed their last stage today with their need (rows, by replication).

        A deal that passed it after its need went ended in no decision in :meth:`meet`.
        """
        return np.sort(np.concatenate([np.zeros(0, dtype=np.int64), *self.closing]))


OPENED_BEFORE = -2
"""``opportunity_day`` of a deal already open on day 0: not one of the run's opportunities."""


def open_pipeline(
    table: ProspectTable, scenario: Scenario, replicas: Replicas, pipeline: Pipeline | None
) -> None:
    """The leads and opportunities open on day 0 (``sales.opening_pipeline``, CRM counts).

    Each is a good-fit prospect with a need and the trust its stage needs (the handoff
    level for a lead, the stage before's ``advance_at`` for a deal), at a random point
    of its stage: a lead was called once and is due a follow-up within
    ``follow_up_days``; a deal's meeting is due within the stage's days. So year one
    starts with a pipeline, as a real year does, instead of ~50 days of nothing.
    """
    spec = scenario
    counts = spec.sales.opening_pipeline
    if not counts:
        return
    share = spec.population.sample_share
    free = np.flatnonzero((table.stage == Stage.UNAWARE) & table.good_fit)
    bars = [spec.handoff.level, spec.handoff.level]
    bars += [getattr(spec.sales.stages, s).advance_at for s in OPPORTUNITY_STAGES[:-1]]
    for code, name in enumerate(DEAL_STAGES):
        wanted = int(np.floor(counts.get(name, 0) * share + 0.5))
        if wanted == 0:
            continue
        stream = f"sales: opening pipeline, {name}"
        rows = replicas.first(stream, free, np.full(replicas.count, wanted))
        free = np.setdiff1d(free, rows, assume_unique=True)
        table.need[rows] = True
        table.changed[rows] = True
        table.trust[rows] = table.threshold[rows] * np.float32(bars[code])
        table.move(rows, Stage.SALES_QUALIFIED)
        table.handoff_day[rows] = 0
        table.deal_stage[rows] = code
        table.deal_reached[rows] |= np.uint8((1 << (code + 1)) - 1)  # and the stages before
        point = replicas.uniform(stream, rows, once=True)
        if code == 0:
            table.rep_touches[rows] = 1  # called before the run: not a first call of it
            table.next_contact[rows] = point * spec.sales.follow_up_days
        else:
            table.opportunity_day[rows] = OPENED_BEFORE
            days = pipeline.days(rows, code) if pipeline is not None else 0.0
            table.next_contact[rows] = point * days
