"""The sales pipeline: handoff, the lead queue, lead response time and give-ups.

A lead handed to sales (“Getting the next sale”) waits in a queue until a rep is free. The
policy ``response_time_hours`` sets when it becomes due; limited rep capacity
can make it wait longer. While it waits it cools: each day of waiting costs
``cooling_per_day`` of its trust (lead response time, “What are Sales Touchpoints?”).
After the first
contact, reps follow up every ``follow_up_days`` until the lead buys or
``max_touches_per_lead`` is spent, when it is given up (lost, or disqualified if
it turned out to be a poor fit). A lead nobody calls within ``lead_expiry_days``
is lost too.
"""

from __future__ import annotations

import numpy as np

from sim.model.prospects import ProspectTable, Stage
from sim.scenario.schema import Sales


class SalesQueue:
    """Leads waiting for, or being worked by, the reps."""

    def __init__(self, table: ProspectTable, spec: Sales) -> None:
        """Attach to the prospect columns, where the queue state lives."""
        self.table = table
        self.spec = spec
        self.response_hours: list[np.ndarray] = []
        self.expired = 0
        self._plan = np.zeros(0, dtype=np.int64)
        self._cursor = 0

    def hand_off(self, rows: np.ndarray, day: int) -> None:
        """Move leads to sales; they become due after the response-time policy."""
        table = self.table
        table.move(rows, Stage.SALES_QUALIFIED)
        table.handoff_day[rows] = day
        table.rep_touches[rows] = 0
        table.next_contact[rows] = day + self.spec.response_time_hours / 24.0

    def plan_day(self, day: int) -> None:
        """Order today's due leads: longest waiting first, or freshest first."""
        table = self.table
        leads = np.flatnonzero(table.stage == Stage.SALES_QUALIFIED)
        due = leads[table.next_contact[leads] < day + 1]
        key = table.next_contact[due]
        if self.spec.queue_order == "newest_first":
            key = -key
        self._plan = due[np.argsort(key, kind="stable")]
        self._cursor = 0

    def take(self, capacity: int) -> np.ndarray:
        """The next ``capacity`` due leads for one rep."""
        rows = self._plan[self._cursor : self._cursor + capacity]
        self._cursor += rows.size
        return rows

    def contact(self, rows: np.ndarray, day: int) -> None:
        """Book a rep contact: cool first contacts by their wait, schedule follow-ups."""
        table = self.table
        sales = self.spec
        when = np.maximum(table.next_contact[rows], day)
        first = table.rep_touches[rows] == 0
        if first.any():
            waited_days = when[first] - table.handoff_day[rows[first]]
            self.response_hours.append(waited_days * 24.0)
            if sales.cooling_per_day:
                keep = (1.0 - sales.cooling_per_day) ** waited_days
                table.trust[rows[first]] *= keep[:, None].astype(np.float32)
        table.rep_touches[rows] += 1
        table.next_contact[rows] = when + sales.follow_up_days

    def give_up(self, day: int) -> None:
        """Leads that used up their rep touches, or waited too long for a first call, leave."""
        table = self.table
        sales = self.spec
        leads = np.flatnonzero(table.stage == Stage.SALES_QUALIFIED)
        touches = table.rep_touches[leads]
        stale = (touches == 0) & (day - table.handoff_day[leads] >= sales.lead_expiry_days)
        spent = leads[(touches >= sales.max_touches_per_lead) | stale]
        self.expired += int(stale.sum())
        poor_fit = ~table.good_fit[spent]
        table.move(spent[poor_fit], Stage.DISQUALIFIED)
        table.move(spent[~poor_fit], Stage.LOST)
        table.next_contact[spent] = np.inf

    def median_response_hours(self) -> float | None:
        """Median hours from handoff to first rep contact, or None if no lead was called."""
        if not self.response_hours:
            return None
        return float(np.median(np.concatenate(self.response_hours)))
