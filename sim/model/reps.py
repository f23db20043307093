"""The sales team's agents: one per person of each role.

Subclass :class:`Rep` and pass it as ``JourneyModel(..., rep_class=...)`` to change
how a rep picks, calls or touches (every role's people are of that class).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.model import streams
from sim.model.ledger import Item
from sim.model.touch import deliver, listening
from sim.scenario.vocabulary import Payer

if TYPE_CHECKING:
    from sim.model.market import Market
    from sim.model.teams import Team

MEETING_ROLE = "ae"
"""The role whose activities are an opportunity's meetings (the others make calls)."""
CALLING_ONLY = "sdr"
"""The role that speaks with the champion alone (qualifying calls, not meetings)."""


class Rep(mesa.Agent):
    """A member of the sales team: each working day, the calls or meetings the queue gave them.

    A generalist rep calls leads until they buy; an SDR calls and qualifies them; an AE
    holds the meetings of each opportunity's stages (:mod:`sim.model.pipeline`). Who does
    which activity when is the team's queue (:mod:`sim.model.teams`): a rep is busy for
    each activity's minutes, in working hours. Reps are on payroll from their first day:
    every activity is booked at the role's cost per selling minute (one ledger row per
    activity, with the prospect) and the rest of the day's pay as idle time (one row a
    day). A rep who has read the prospect's online history touches better (“Marketing,
    Meet Sales”). When the prospects are a sample of the market, the sample pays its
    share of the payroll (booked so that the total to date is the share's payroll).
    """

    model: Market  # a JourneyModel

    def __init__(self, model: Market, team: Team, person: int) -> None:
        """Create person ``person`` (0-based) of ``team``."""
        super().__init__(model)
        self.team = team
        self.person = person
        self.name = f"{team.name}_{person + 1}"
        self.weights = np.asarray(team.role.trust.as_tuple())
        self.cost_per_minute = team.cost_per_minute
        self.paid = np.zeros(model.replicas.count)  # per replication, to date
        self.when = np.zeros(0)  # when each of today's activities starts (days)

    def choose_leads(self) -> np.ndarray:
        """Today's activities from the team's queue: the rows (and :attr:`when`, their times)."""
        rows, self.when = self.team.assigned(self.person)
        return rows

    def touch_quality(self, leads: np.ndarray) -> np.ndarray:
        """Quality of this rep's touch on each lead: skill, lifted if informed."""
        model = self.model
        sales = model.spec.sales
        events = model.prospects.rep_touches[leads] + model.prospects.meetings[leads]
        quality = model.replicas.quality(
            streams.REP_QUALITY, leads, self.team.role.skill, event=events
        )
        if sales.use_online_history:
            history = model.prospects.online_touches[leads] / sales.informed_after_touches
            quality = quality * (1.0 + sales.informed_bonus * np.minimum(history, 1.0))
        return quality

    def step(self) -> None:
        """Make today's calls or hold today's meetings, and book the day's time."""
        model = self.model
        leads = self.choose_leads()
        when = self.when
        if leads.size:
            queue = model.sales_queue
            meeting = self.team.name == MEETING_ROLE
            if meeting:
                reached, reached_when = leads, when
            else:
                reached = queue.contact(leads, when, model.day)
                reached_when = when[np.isin(leads, reached)]
            self.touch(reached)
            if meeting:
                queue.pipeline.meet(reached, reached_when, model.day)
            elif queue.qualifying:
                queue.qualify(reached, reached_when, model.day)
            minutes = self.team.role.minutes_per_activity
            model.ledger.record(
                model.day, Payer.REP, self.name, Item.TOUCH, self.cost_per_minute * minutes, leads
            )
        touched = model.replicas.counts(leads)
        model.rep_touches_total += touched
        self.book_pay(touched * self.cost_per_minute * self.team.role.minutes_per_activity)

    def touch(self, rows: np.ndarray) -> None:
        """Deliver this rep's touch to ``rows`` (those who listen get its quality)."""
        model = self.model
        table = model.prospects
        listen = listening(model.replicas, table, rows, "rep", model.spec.attention)
        quality = np.zeros(rows.size)
        quality[listen] = self.touch_quality(rows[listen])
        deliver(
            table,
            rows,
            quality,
            self.weights,
            model.source_index["rep"],
            model.spec.attention,
            online=False,
            listen=listen,
        )
        if self.team.name != CALLING_ONLY:  # generalists and AEs meet the wider committee
            events = table.rep_touches[rows] + table.meetings[rows]
            model.committees.meet(rows, quality, self.weights, events)

    def book_pay(self, booked: np.ndarray) -> None:
        """Top today's pay up to the payroll to date: ``booked`` was paid for activities.

        A day with more activities than the pay covers is paid back by the days after it.
        """
        model = self.model
        self.paid += booked
        last = min(model.day, int(self.team.ends[self.person]) - 1)
        employed = last - max(int(self.team.starts[self.person]), 1) + 1
        payroll = self.team.pay_per_day * max(employed, 0)
        idle = np.maximum(payroll - self.paid, 0.0)
        self.paid += idle
        model.ledger.record(
            model.day, Payer.REP, self.name, Item.IDLE, idle, touches=0, where=idle > 0
        )
