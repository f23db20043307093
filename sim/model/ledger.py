"""The ledger: every cost and revenue item, recorded once by whoever pays or earns it.

Rows go into preallocated columns that grow by doubling, so recording is a few
array writes, not a Python object per row, and the ledger becomes a DataFrame
only at the end of a run. Bulk campaign spend is one row per channel per day per
replication with a touch count; rep touches, care touches, rewards and purchases
carry the prospect. Each row carries its replication (see :mod:`sim.model.replicas`).
"""

from __future__ import annotations

from collections import defaultdict
from enum import StrEnum
from types import SimpleNamespace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.scenario.vocabulary import PAYER_TYPES, Payer

if TYPE_CHECKING:
    from sim.model.prospects import ProspectTable
    from sim.model.replicas import Replicas


class Item(StrEnum):
    """What a ledger row paid for (or, for purchases, what earned it)."""

    TOUCH = "touch"
    IDLE = "idle"
    FIXED = "fixed"
    REWARD = "reward"
    CARE = "care"
    LOYALTY = "loyalty"
    PURCHASE = "purchase"
    REPEAT_PURCHASE = "repeat_purchase"
    RENEWAL = "renewal"


ITEMS = tuple(Item)
REVENUE_ITEMS = frozenset({Item.PURCHASE, Item.REPEAT_PURCHASE, Item.RENEWAL})

_COLUMNS = {
    "day": np.int32,
    "payer_type": np.int8,
    "payer": np.int32,
    "item": np.int8,
    "amount": np.float64,
    "prospect_id": np.int64,
    "touches": np.int64,
    "replica": np.int32,
}


class Ledger:
    """Append-only record of money moving, with running totals for the day.

    Args:
        replicas: The batch's replications (row blocks and count).
    """

    def __init__(self, replicas: Replicas) -> None:
        """Start an empty ledger."""
        self.replicas = replicas
        self._size = 0
        self._columns = {name: np.zeros(1024, dtype=dtype) for name, dtype in _COLUMNS.items()}
        self._payers: dict[str, int] = {}
        self._today: defaultdict[tuple[str, str], np.ndarray] = defaultdict(self._zeros)
        self._revenue_today = self._zeros()
        self._replicas = np.arange(replicas.count, dtype=np.int64)
        self._no_prospect = np.full(replicas.count, -1, dtype=np.int64)

    def _zeros(self) -> np.ndarray:
        return np.zeros(self.replicas.count)

    def record(
        self,
        day: int,
        payer_type: Payer,
        payer: str,
        item: Item,
        amount: float | np.ndarray,
        prospects: np.ndarray | None = None,
        touches: int | np.ndarray = 1,
        where: np.ndarray | None = None,
    ) -> None:
        """Record one row per prospect, or one bulk row per replication.

        Args:
            day: Simulation day.
            payer_type: Who pays.
            payer: The channel, rep or programme name.
            item: What the money is for.
            amount: Currency per row: a scalar, one per prospect, or (bulk) one per
                replication.
            prospects: Prospect rows, one ledger row each; None for bulk rows.
            touches: Touches each row paid for (scalar, or one per row).
            where: Bulk rows only: which replications get one (default all).
        """
        replicas = self.replicas
        if prospects is None:  # one row per replication (where it holds)
            replica = self._replicas if where is None else self._replicas[where]
            if replica.size == 0:
                return
            if where is not None:
                amount = amount[where] if np.ndim(amount) else amount
                touches = touches[where] if np.ndim(touches) else touches
            ids = self._no_prospect[: replica.size]
        else:
            if prospects.size == 0:
                return
            replica = replicas.of(prospects)
            ids = prospects - replica * replicas.size if replicas.count > 1 else prospects
        amounts = np.asarray(amount, dtype=np.float64)
        if amounts.shape != ids.shape:
            amounts = np.full(ids.shape, amounts)
        self._append(day, payer_type, payer, item, amounts, ids, touches, replica)
        if prospects is None:
            totals = np.zeros(replicas.count)
            totals[replica] = amounts
        else:
            totals = np.bincount(replica, weights=amounts, minlength=replicas.count)
        if item in REVENUE_ITEMS:
            self._revenue_today += totals
        else:
            self._today[payer_type, payer] += totals

    def _append(
        self,
        day: int,
        payer_type: Payer,
        payer: str,
        item: Item,
        amounts: np.ndarray,
        ids: np.ndarray,
        touches: int | np.ndarray,
        replica: np.ndarray,
    ) -> None:
        n = ids.size
        end = self._size + n
        if end > self._columns["day"].size:
            grow = max(end, 2 * self._columns["day"].size)
            for name, column in self._columns.items():
                bigger = np.zeros(grow, dtype=column.dtype)
                bigger[: self._size] = column[: self._size]
                self._columns[name] = bigger
        rows = slice(self._size, end)
        c = self._columns
        c["day"][rows] = day
        c["payer_type"][rows] = PAYER_TYPES.index(payer_type)
        c["payer"][rows] = self._payers.setdefault(payer, len(self._payers))
        c["item"][rows] = ITEMS.index(item)
        c["amount"][rows] = amounts
        c["prospect_id"][rows] = ids
        c["touches"][rows] = touches
        c["replica"][rows] = replica
        self._size = end

    def start_day(self) -> None:
        """Reset the per-day totals."""
        self._today.clear()
        self._revenue_today = self._zeros()

    def spent_today(self, payer_type: Payer, payer: str | None = None) -> np.ndarray:
        """Today's spend of one payer, or of every payer of a type, per replication."""
        if payer is not None:
            return self._today.get((payer_type, payer), self._zeros())
        total = self._zeros()
        for (kind, _), amounts in self._today.items():
            if kind == payer_type:
                total = total + amounts
        return total

    def revenue_today(self) -> np.ndarray:
        """Today's revenue from purchases and repeat purchases, per replication."""
        return self._revenue_today

    def to_frame(self, replica: int | None = None) -> pd.DataFrame:
        """The rows as a tidy DataFrame (prospect_id is -1 for bulk rows).

        Args:
            replica: Only this replication's rows (and no ``replica`` column).
        """
        c = {name: column[: self._size] for name, column in self._columns.items()}
        if replica is not None:
            keep = c["replica"] == replica
            c = {name: column[keep] for name, column in c.items() if name != "replica"}
        names = np.array(list(self._payers), dtype=object)
        frame = pd.DataFrame(
            {
                "day": c["day"],
                "payer_type": pd.Categorical.from_codes(c["payer_type"], categories=PAYER_TYPES),
                "payer": names[c["payer"]] if len(names) else np.zeros(0, dtype=object),
                "item": pd.Categorical.from_codes(c["item"], categories=ITEMS),
                "amount": c["amount"],
                "prospect_id": c["prospect_id"],
                "touches": c["touches"],
            }
        )
        if replica is None:
            frame["replica"] = c["replica"]
        return frame


class Tally:
    """Counts that KPIs need beside money, per replication: who was won, through which touches."""

    def __init__(self, sources: list[str], n_dims: int, replicas: Replicas) -> None:
        """Zero counts for the given touch sources."""
        r, s = replicas.count, len(sources)
        self.replicas = replicas
        self.sources = sources
        self.customers = np.zeros(r, dtype=np.int64)
        self.referred_customers = np.zeros(r, dtype=np.int64)
        self.by_first_touch = np.zeros((r, s), dtype=np.int64)
        self.by_last_touch = np.zeros((r, s), dtype=np.int64)
        self.touches_by_dim = np.zeros((r, n_dims), dtype=np.int64)
        self.touches_by_source = np.zeros((r, s), dtype=np.int64)
        self.repeat_purchases = np.zeros(r, dtype=np.int64)
        self.churned = np.zeros(r, dtype=np.int64)
        self.customer_days = np.zeros(r, dtype=np.int64)
        # subscriptions: renewals due and made, and the term revenue they carried
        self.renewals_due = np.zeros(r, dtype=np.int64)
        self.renewals = np.zeros(r, dtype=np.int64)
        self.renewal_revenue_due = np.zeros(r)
        self.renewal_revenue = np.zeros(r)
        self.renewal_revenue_kept = np.zeros(r)  # the renewed terms' revenue, expansion not counted
        # care touches due and given (CSMs give what their hours allow)
        self.care_due = np.zeros(r, dtype=np.int64)
        self.care_given = np.zeros(r, dtype=np.int64)

    def add_sales(self, table: ProspectTable, rows: np.ndarray, referred: np.ndarray) -> None:
        """Count new customers ``rows`` (``referred`` of them came by referral)."""
        replicas = self.replicas
        replica = replicas.of(rows)
        self.customers += replicas.counts(rows)
        self.referred_customers += replicas.counts(referred)
        for counts, touch in (
            (self.by_first_touch, table.first_touch[rows]),
            (self.by_last_touch, table.last_touch[rows]),
        ):
            known = touch >= 0
            codes = replica[known] * counts.shape[1] + touch[known]
            counts += np.bincount(codes, minlength=counts.size).reshape(counts.shape)
        self.touches_by_dim += replicas.sums(rows, table.touches_by_dim[rows])
        self.touches_by_source += replicas.sums(rows, table.touches_by_source[rows])

    def of(self, replica: int) -> SimpleNamespace:
        """The counts of one replication (scalars, and arrays by source or dimension)."""
        return SimpleNamespace(
            **{
                name: value[replica]
                for name, value in vars(self).items()
                if name not in ("replicas", "sources")
            },
            sources=self.sources,
        )

    def add(self, counter: np.ndarray, rows: np.ndarray) -> None:
        """Add one per row to a per-replication counter (e.g. ``churned``)."""
        counter += self.replicas.counts(rows)
