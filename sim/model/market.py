"""What the agents and the daily mechanisms may use of the model: the market they act in.

:class:`~sim.model.model.JourneyModel` provides it; the agents (``Channel``,
``Rep``) and the mechanisms (journey, sales, after-sale) are written against this
protocol instead of importing the model, so the model layer has no import cycle
and a subclass knows exactly what it can rely on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from sim.model.audiences import Audiences
    from sim.model.budgets import Budgets
    from sim.model.committees import Committees
    from sim.model.ledger import Ledger, Tally
    from sim.model.pipeline import Pipeline
    from sim.model.prospects import ProspectTable
    from sim.model.recurring import RecurringRevenue
    from sim.model.referrals import ReferralProgramme
    from sim.model.replicas import Replicas
    from sim.model.reviews import ReviewBoard
    from sim.model.sales import SalesQueue
    from sim.model.teams import Team
    from sim.scenario.schema import Scenario


class Market(Protocol):
    """The shared state of one simulated market."""

    spec: Scenario
    """The scenario being simulated."""
    prospects: ProspectTable
    """The prospect columns."""
    rng: np.random.Generator
    """Mesa's ``model.rng`` (seeded with the first replication's seed); the model's own
    draws are keyed instead (:mod:`sim.model.replicas`)."""
    replicas: Replicas
    """The replications advanced together and their generators (draw through these)."""
    budgets: Budgets
    """Each channel's budget multiple per replication (coalitions, response curves)."""
    audiences: Audiences
    """Today's channel audiences, found once per kind."""
    won_today: list[np.ndarray]
    """Customers won today (rows), as :func:`sim.model.aftersale.win` made them."""
    ledger: Ledger
    """Every cost and revenue item."""
    tally: Tally
    """Counts the KPIs need beside money."""
    referrals: ReferralProgramme
    """The referral programme: promised rewards, rewards per referrer, the month's spend."""
    recurring: RecurringRevenue
    """Annual recurring revenue and today's movements of it."""
    sales_queue: SalesQueue
    """Leads waiting for, or being worked by, the reps."""
    reviews: ReviewBoard
    """Review sites: the score prospects read at the zero moment of truth."""
    source_index: dict[str, int]
    """Touch source name → its index in the attribution columns."""
    pipeline: Pipeline | None
    """The opportunities and the AEs who work them (None with generalist reps)."""
    committees: Committees
    """Every account's buying committee (one person each, unless the scenario says)."""
    teams: dict[str, Team]
    """The sales organisation's teams by role (``rep``, or ``sdr``, ``ae``, ``csm``)."""
    rep_touches_total: np.ndarray
    """Rep touches so far per replication (what reps have learned, fed back to marketing)."""

    @property
    def day(self) -> int:
        """The day being simulated (1 on the first step)."""
        ...

    def content_lift(self) -> np.ndarray:
        """Quality lift of marketing content from what reps have learned, per replication."""
        ...
