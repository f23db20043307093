"""The sales queue: handoff, lead response time, the first reps' calls and give-ups.

A lead handed to sales (“Getting the next sale”) arrives at an hour of the day drawn
from the calendar's arrival profile and becomes due after the policy's
``response_time_hours``. The team that answers leads (generalist reps, or SDRs) works
through its due calls in working hours, one call at a time
(:mod:`sim.model.teams`), so when a lead is called is an outcome of arrivals, capacity
and hours: a lead that arrives at night, or while everyone is busy, waits. While it
waits it cools: each day of waiting costs ``cooling_per_day`` of its trust (lead
response time, “What are Sales Touchpoints?”). A call reaches the decision maker with a
chance that fades with the hours since the handoff, from ``reach_at_once`` to
``reach_later`` with half-life ``reach_half_life_hours``: Oldroyd, McElheran &
Elkington, “The Short Life of Online Sales Leads” (HBR 2011), found leads tried within
the hour about seven times as likely to be qualified as those tried an hour later,
and over sixty times as likely as those tried after a day. A call that does not reach
them costs the rep's time and one of the lead's touches, and builds no trust; once a rep
has spoken with them, they take the follow-up calls.

Generalist reps call a lead every ``follow_up_days`` until it buys; an SDR who reaches a
lead qualifies it: a poor fit is disqualified, a good one becomes an opportunity for
the AEs (:mod:`sim.model.pipeline`). A lead called ``max_touches_per_lead`` times, or
that nobody called within ``lead_expiry_days``, is given up (lost, or disqualified if a
poor fit).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.model import streams
from sim.model.calendar import BusinessCalendar
from sim.model.pipeline import Pipeline
from sim.model.prospects import ProspectTable, Stage
from sim.model.replicas import Replicas
from sim.model.teams import Team, newest_first, oldest_first
from sim.scenario.schema import Scenario
from sim.scenario.vocabulary import DEAL_STAGES

LEAD = DEAL_STAGES.index("lead")


class SalesQueue:
    """Leads waiting for, or being worked by, the reps (each replication its own queue)."""

    def __init__(
        self,
        table: ProspectTable,
        scenario: Scenario,
        replicas: Replicas,
        calendar: BusinessCalendar,
        team: Team,
        priority: Callable[[np.ndarray], np.ndarray] | None = None,
        pipeline: Pipeline | None = None,
    ) -> None:
        """Attach to the prospect columns, where the queue state lives.

        ``team`` answers the leads. ``priority(leads)`` gives sort keys of due leads,
        smallest called first (default: the time each became due; see
        ``JourneyModel.lead_priority``). With a ``pipeline`` the team (SDRs) qualifies
        leads into its opportunities instead of calling them until they buy.
        """
        self.table = table
        self.spec = scenario.sales
        self.calendar = calendar
        self.team = team
        self.pipeline = pipeline
        self.qualifying = pipeline is not None
        self.priority = priority or (lambda leads: table.next_contact[leads])
        self.replicas = replicas
        self._called: list[np.ndarray] = []
        self._waits: list[np.ndarray] = []
        self.expired = np.zeros(replicas.count, dtype=np.int64)
        self.leads = np.zeros(0, dtype=np.int64)
        self._handed: list[np.ndarray] = []  # handed off since the last plan

    def hand_off(self, rows: np.ndarray, day: int, hours: np.ndarray | None = None) -> None:
        """Move leads to sales; they become due after the response-time policy.

        ``hours``: the hour of ``day`` each arrives (default: drawn from the calendar's
        arrival profile).
        """
        table = self.table
        table.move(rows, Stage.SALES_QUALIFIED)
        self._handed.append(rows)
        table.handoff_day[rows] = day
        if hours is None:
            uniform = self.replicas.uniform(streams.LEAD_ARRIVES, rows, once=True)
            hours = self.calendar.arrival_hours(day, uniform)
        table.handoff_hour[rows] = hours
        table.rep_touches[rows] = 0
        table.contacted[rows] = False
        table.deal_stage[rows] = LEAD
        table.deal_reached[rows] |= np.uint8(1 << LEAD)
        table.next_contact[rows] = day + (hours + self.spec.response_time_hours) / 24.0

    def plan_day(self, day: int) -> None:
        """Keep today's leads (``leads``) and give the team today's due calls.

        After the handoff nobody becomes a lead until tomorrow, so the later steps of
        the day look only among them.
        """
        table = self.table
        self.leads = leads = self._current_leads()
        window = self.calendar.window(day)
        if window is None:
            self.team.serve(leads[:0], np.zeros(0), np.zeros(0), np.zeros(0), day, oldest_first)
            return
        calling = leads[table.deal_stage[leads] == LEAD]
        due = calling[table.next_contact[calling] < window[1]]
        key = np.asarray(self.priority(due), dtype=np.float64)
        minutes = self.team.work(due, table.rep_touches[due] + 1)
        rest_key = oldest_first if self.spec.queue_order == "oldest_first" else newest_first
        self.team.serve(due, table.next_contact[due], key, minutes, day, rest_key)

    def _current_leads(self) -> np.ndarray:
        """Every lead, sorted: yesterday's still leads and those handed off since.

        Only a handoff makes a lead, so these are all; if the stage counts say
        otherwise (a prospect agent set its stage), the stage column is scanned.
        """
        table = self.table
        known = np.concatenate([self.leads, *self._handed]) if self._handed else self.leads
        self._handed = []
        known = np.unique(known) if known.size != self.leads.size else known
        leads = known[table.stage[known] == Stage.SALES_QUALIFIED]
        if leads.size != table.stage_counts[:, Stage.SALES_QUALIFIED].sum():
            leads = np.flatnonzero(table.stage == Stage.SALES_QUALIFIED)
        return leads

    def contact(self, rows: np.ndarray, when: np.ndarray, day: int) -> np.ndarray:
        """Book calls on ``rows`` made at times ``when``; return those that reached them.

        A first call cools the lead by its wait; every call schedules the next one.
        An SDR who reaches a lead qualifies it (:meth:`_qualify`).
        """
        table = self.table
        sales = self.spec
        waited_days = when - (table.handoff_day[rows] + table.handoff_hour[rows] / 24.0)
        first = table.rep_touches[rows] == 0
        if first.any():
            self._called.append(rows[first])
            self._waits.append(np.round(waited_days[first] * 24.0, 6))  # no 1e-13 h residue
            if sales.cooling_per_day:
                keep = (1.0 - sales.cooling_per_day) ** waited_days[first]
                table.trust[rows[first]] *= keep[:, None].astype(np.float32)
        table.rep_touches[rows] += 1
        table.next_contact[rows] = when + sales.follow_up_days
        if sales.reach_later == 1.0:  # every call reaches them
            reached = rows
        else:
            fade = 0.5 ** (waited_days * 24.0 / sales.reach_half_life_hours)
            reach = sales.reach_later + (sales.reach_at_once - sales.reach_later) * fade
            reach[table.contacted[rows]] = 1.0  # once they have talked, they take the calls
            calls = table.rep_touches[rows]  # keyed by the call's number, not its day
            reached = rows[self.replicas.chance(streams.REP_REACHES, rows, reach, event=calls)]
        first_talk = reached[~table.contacted[reached]]
        if sales.interest_later < 1.0 and first_talk.size:
            reached = self._moved_on(reached, first_talk, when[np.isin(rows, first_talk)])
        if not self.qualifying:  # a CRM's opportunity: a rep has spoken with them
            new = reached[table.opportunity_day[reached] < 0]
            table.opportunity_day[new] = day
        table.contacted[reached] = True
        return reached

    def _moved_on(self, reached: np.ndarray, first: np.ndarray, when: np.ndarray) -> np.ndarray:
        """Leads reached for the first time may have moved on: lost. The rest of ``reached``.

        A lead is still interested with a chance that fades with the hours since the
        handoff, from 1 towards ``interest_later`` (half-life ``interest_half_life_hours``):
        online leads are short-lived (Oldroyd, McElheran & Elkington, HBR 2011), and a
        late answer finds many who have solved the problem, chosen someone, or lost
        the thread, however often it calls.
        """
        table, sales = self.table, self.spec
        hours = (when - (table.handoff_day[first] + table.handoff_hour[first] / 24.0)) * 24.0
        fade = 0.5 ** (hours / sales.interest_half_life_hours)
        interest = sales.interest_later + (1.0 - sales.interest_later) * fade
        cold = first[~self.replicas.chance(streams.STILL_INTERESTED, first, interest, once=True)]
        table.move(cold, Stage.LOST)
        table.need[cold] = False
        table.next_contact[cold] = np.inf
        return reached[~np.isin(reached, cold)]

    def qualify(self, rows: np.ndarray, when: np.ndarray, day: int) -> None:
        """An SDR has spoken with ``rows``: poor fits are disqualified, good ones handed on.

        A good fit becomes an opportunity in discovery (:mod:`sim.model.pipeline`).
        """
        table = self.table
        poor = ~table.good_fit[rows]
        table.move(rows[poor], Stage.DISQUALIFIED)
        table.next_contact[rows[poor]] = np.inf
        self.pipeline.open(rows[~poor], when[~poor], day)

    def give_up(self, day: int) -> None:
        """Leads that used up their calls, or waited too long for a first one, leave."""
        table = self.table
        sales = self.spec
        leads = self.leads[table.stage[self.leads] == Stage.SALES_QUALIFIED]
        leads = leads[table.deal_stage[leads] == LEAD]
        touches = table.rep_touches[leads]
        stale = (touches == 0) & (day - table.handoff_day[leads] >= sales.lead_expiry_days)
        spent = leads[(touches >= sales.max_touches_per_lead) | stale]
        self.expired += self.replicas.counts(leads[stale])
        poor_fit = ~table.good_fit[spent]
        table.move(spent[poor_fit], Stage.DISQUALIFIED)
        table.move(spent[~poor_fit], Stage.LOST)
        table.next_contact[spent] = np.inf

    def pipeline_counts(self) -> np.ndarray:
        """``(replications, deal stages)``: leads and opportunities open in each stage."""
        table = self.table
        leads = self.leads[table.stage[self.leads] == Stage.SALES_QUALIFIED]
        stage = table.deal_stage[leads].astype(np.int64)
        cell = self.replicas.of(leads) * len(DEAL_STAGES) + stage
        counts = np.bincount(cell, minlength=self.replicas.count * len(DEAL_STAGES))
        return counts.reshape(self.replicas.count, len(DEAL_STAGES))

    def response_hours(self, replica: int, day: int) -> np.ndarray:
        """Hours from handoff to the first rep call of each lead of one replication.

        A lead that left the queue uncalled (it expired, was lost, or bought from a
        competitor), or that is
        still waiting past its due time on ``day``, counts as never called: ``inf``.
        Leads that bought before a rep called, and leads not yet due, are left out:
        no rep was late for them.
        """
        table, size = self.table, self.replicas.size
        start, stop = replica * size, (replica + 1) * size
        # joined once: every replication's KPIs read the same lists
        self._called = [np.concatenate([np.zeros(0, np.int64), *self._called])]
        self._waits = [np.concatenate([np.zeros(0), *self._waits])]
        called, waits = self._called[0], self._waits[0]
        mine = (called >= start) & (called < stop)
        handed = table.ever_reached(Stage.SALES_QUALIFIED)[start:stop]
        handed &= table.handoff_day[start:stop] > 0  # the opening pipeline was called before
        handed[called[mine] - start] = False
        uncalled = np.flatnonzero(handed) + start
        stage = table.stage[uncalled]
        left = (stage == Stage.LOST) | (stage == Stage.DISQUALIFIED)
        left |= stage == Stage.LOST_TO_COMPETITOR
        overdue = (stage == Stage.SALES_QUALIFIED) & (table.next_contact[uncalled] < day + 1)
        never = int(np.count_nonzero(left | overdue))
        return np.concatenate([waits[mine], np.full(never, np.inf)])
