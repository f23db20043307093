"""Annual recurring revenue (ARR): a subscription business's book, day by day.

New ARR comes with a new customer, expansion and contraction with a renewal at a changed
price (:mod:`sim.model.subscriptions`), churned ARR with a subscriber who leaves. The
daily table records the level and the day's movements (:mod:`sim.model.daily`), from
which the SaaS metrics are computed (:mod:`sim.analysis.kpis.recurring`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.prospects import ACTIVE_CUSTOMER, in_stages
from sim.scenario.vocabulary import ARR_FLOWS

if TYPE_CHECKING:
    from sim.model.prospects import ProspectTable
    from sim.model.replicas import Replicas
    from sim.scenario.schema import Scenario


class RecurringRevenue:
    """Annual recurring revenue (ARR) per replication and today's movements of it.

    A subscriber's ARR is their term price × terms a year. New ARR comes with a new
    customer, expansion and contraction with a renewal at a changed price, churned ARR
    with a subscriber who does not renew (or is removed). A one-off product has none.

    Args:
        table: The prospects (the installed base's prices give the opening ARR).
        scenario: The scenario (its term).
        replicas: The batch's replications.
    """

    def __init__(self, table: ProspectTable, scenario: Scenario, replicas: Replicas) -> None:
        months = scenario.product.term_months
        self.per_year = 0.0 if months is None else 12.0 / months
        self.replicas = replicas
        self.today = np.zeros((replicas.count, len(ARR_FLOWS)))
        installed = np.flatnonzero(in_stages(table.stage, ACTIVE_CUSTOMER))
        self.level = self._by_replica(installed, table.term_price[installed])

    def start_day(self) -> None:
        """Begin a day with no movements."""
        self.today[:] = 0.0

    def add(self, flow: str, rows: np.ndarray, prices: np.ndarray) -> None:
        """Book ``flow`` (one of :data:`ARR_FLOWS`) of term ``prices`` for ``rows``."""
        if self.per_year == 0 or rows.size == 0:
            return
        amounts = self._by_replica(rows, np.broadcast_to(prices, rows.shape))
        self.today[:, ARR_FLOWS.index(flow)] += amounts
        self.level += -amounts if flow in ("contraction", "churned") else amounts

    def _by_replica(self, rows: np.ndarray, prices: np.ndarray) -> np.ndarray:
        """Term prices as ARR summed per replication."""
        replica = self.replicas.of(rows)
        return np.bincount(replica, prices, minlength=self.replicas.count) * self.per_year
