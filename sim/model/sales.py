"""The sales pipeline: handoff, the lead queue, lead response time and give-ups.

A lead handed to sales (“Getting the next sale”) arrives at a random hour of the day
and waits in a queue until a rep is free. The policy ``response_time_hours`` sets when
it becomes due; limited rep capacity can make it wait longer, into the next days.
While it waits it cools: each day of waiting costs ``cooling_per_day`` of its trust
(lead response time, “What are Sales Touchpoints?”). A call reaches the decision maker
with a chance that fades with the hours since the handoff, from ``reach_at_once`` to
``reach_later`` with half-life ``reach_half_life_hours``: Oldroyd, McElheran &
Elkington, “The Short Life of Online Sales Leads” (HBR 2011), found leads tried within
the hour about seven times as likely to be qualified as those tried an hour later,
and over sixty times as likely as those tried after a day. A call that does not reach
them costs the rep's time and one of the lead's touches, and builds no trust; once a rep
has spoken with them, they take the follow-up calls.
After the first
contact, reps follow up every ``follow_up_days`` until the lead buys or
``max_touches_per_lead`` is spent, when it is given up (lost, or disqualified if
it turned out to be a poor fit). A lead nobody calls within ``lead_expiry_days``
leaves the same way (lost, or disqualified if a poor fit).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.model import streams
from sim.model.prospects import ProspectTable, Stage
from sim.model.replicas import Replicas
from sim.scenario.schema import Sales


class SalesQueue:
    """Leads waiting for, or being worked by, the reps (each replication its own queue)."""

    def __init__(
        self,
        table: ProspectTable,
        spec: Sales,
        replicas: Replicas,
        priority: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> None:
        """Attach to the prospect columns, where the queue state lives.

        ``priority(leads)`` gives sort keys of due leads, smallest called first
        (default: the time each became due; see ``JourneyModel.lead_priority``).
        """
        self.table = table
        self.priority = priority or (lambda leads: table.next_contact[leads])
        self.spec = spec
        self.replicas = replicas
        self._called: list[np.ndarray] = []
        self._waits: list[np.ndarray] = []
        self.expired = np.zeros(replicas.count, dtype=np.int64)
        self.leads = np.zeros(0, dtype=np.int64)
        self._handed: list[np.ndarray] = []  # handed off since the last plan
        self._plan = np.zeros(0, dtype=np.int64)
        self._rank = np.zeros(0, dtype=np.int64)
        self._cursor = 0

    def hand_off(self, rows: np.ndarray, day: int) -> None:
        """Move leads to sales; they become due after the response-time policy."""
        table = self.table
        table.move(rows, Stage.SALES_QUALIFIED)
        self._handed.append(rows)
        table.handoff_day[rows] = day
        # leads arrive at any hour of the day
        hour = self.replicas.uniform(streams.LEAD_ARRIVES, rows, once=True) * 24.0
        table.handoff_hour[rows] = hour
        table.rep_touches[rows] = 0
        table.contacted[rows] = False
        table.next_contact[rows] = day + (hour + self.spec.response_time_hours) / 24.0

    def plan_day(self, day: int) -> None:
        """Order today's due leads by their priority, within each replication.

        Also keeps today's leads (``leads``): after the handoff nobody becomes a lead
        until tomorrow, so the later steps of the day look only among them.
        """
        table = self.table
        self.leads = leads = self._current_leads()
        due = leads[table.next_contact[leads] < day + 1]
        key = np.asarray(self.priority(due), dtype=np.float64)
        replica = self.replicas.of(due)
        order = np.lexsort((key, replica))  # by replication, then by key (stable)
        self._plan = due[order]
        counts = self.replicas.counts(due)
        starts = np.cumsum(counts) - counts
        self._rank = np.arange(due.size) - starts[replica[order]]
        self._cursor = 0

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

    def take(self, capacity: int) -> np.ndarray:
        """The next ``capacity`` due leads of each replication, for one rep."""
        rank = self._rank
        rows = self._plan[(rank >= self._cursor) & (rank < self._cursor + capacity)]
        self._cursor += capacity
        return rows

    def contact(self, rows: np.ndarray, day: int) -> np.ndarray:
        """Book rep calls on ``rows``; return those that reached the decision maker.

        A first call cools the lead by its wait; every call schedules the next one.
        A lead overdue from an earlier day is called at the start of ``day``.
        """
        table = self.table
        sales = self.spec
        when = np.maximum(table.next_contact[rows], day)
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
            table.contacted[rows] = True
            return rows
        fade = 0.5 ** (waited_days * 24.0 / sales.reach_half_life_hours)
        reach = sales.reach_later + (sales.reach_at_once - sales.reach_later) * fade
        reach[table.contacted[rows]] = 1.0  # once they have talked, they take the calls
        calls = table.rep_touches[rows]  # keyed by the call's number, not its day
        reached = rows[self.replicas.chance(streams.REP_REACHES, rows, reach, event=calls)]
        table.contacted[reached] = True
        return reached

    def give_up(self, day: int) -> None:
        """Leads that used up their rep touches, or waited too long for a first call, leave."""
        table = self.table
        sales = self.spec
        leads = self.leads[table.stage[self.leads] == Stage.SALES_QUALIFIED]
        touches = table.rep_touches[leads]
        stale = (touches == 0) & (day - table.handoff_day[leads] >= sales.lead_expiry_days)
        spent = leads[(touches >= sales.max_touches_per_lead) | stale]
        self.expired += self.replicas.counts(leads[stale])
        poor_fit = ~table.good_fit[spent]
        table.move(spent[poor_fit], Stage.DISQUALIFIED)
        table.move(spent[~poor_fit], Stage.LOST)
        table.next_contact[spent] = np.inf

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
        handed[called[mine] - start] = False
        uncalled = np.flatnonzero(handed) + start
        stage = table.stage[uncalled]
        left = (stage == Stage.LOST) | (stage == Stage.DISQUALIFIED)
        left |= stage == Stage.LOST_TO_COMPETITOR
        overdue = (stage == Stage.SALES_QUALIFIED) & (table.next_contact[uncalled] < day + 1)
        never = int(np.count_nonzero(left | overdue))
        return np.concatenate([waits[mine], np.full(never, np.inf)])
