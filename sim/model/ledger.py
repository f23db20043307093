"""The ledger: every cost and revenue item, recorded once by whoever pays or earns it.

Rows are kept as numpy chunks (one per ``record`` call) and become a DataFrame at
the end of a run. Bulk campaign spend is one row per channel per day with a
touch count; rep touches, care touches, rewards and purchases carry the prospect.
"""

from __future__ import annotations

from collections import defaultdict
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.scenario.vocabulary import PAYER_TYPES, Payer

if TYPE_CHECKING:
    from sim.model.prospects import ProspectTable


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


REVENUE_ITEMS = frozenset({Item.PURCHASE, Item.REPEAT_PURCHASE})


class Ledger:
    """Append-only record of money moving, with running totals for the day."""

    def __init__(self) -> None:
        """Start an empty ledger."""
        self._chunks: list[tuple] = []
        self._today: defaultdict[tuple[str, str], float] = defaultdict(float)
        self._revenue_today = 0.0

    def record(
        self,
        day: int,
        payer_type: Payer,
        payer: str,
        item: Item,
        amount: float | np.ndarray,
        prospects: np.ndarray | None = None,
        touches: int | np.ndarray = 1,
    ) -> None:
        """Record one row, or one row per prospect when ``prospects`` is given.

        Args:
            day: Simulation day.
            payer_type: Who pays.
            payer: The channel, rep or programme name.
            item: What the money is for.
            amount: Currency per row (scalar, or one per prospect).
            prospects: Prospect ids, one row each; None for a bulk row.
            touches: Touches the row paid for.
        """
        if prospects is None:
            ids = np.array([-1], dtype=np.int64)
        else:
            ids = np.asarray(prospects, dtype=np.int64)
            if ids.size == 0:
                return
        amounts = np.broadcast_to(np.asarray(amount, dtype=np.float64), ids.shape)
        counts = np.broadcast_to(np.asarray(touches, dtype=np.int64), ids.shape)
        self._chunks.append((day, payer_type, payer, item, amounts.copy(), ids, counts.copy()))
        if item in REVENUE_ITEMS:
            self._revenue_today += float(amounts.sum())
        else:
            self._today[payer_type, payer] += float(amounts.sum())

    def start_day(self) -> None:
        """Reset the per-day totals."""
        self._today.clear()
        self._revenue_today = 0.0

    def spent_today(self, payer_type: Payer, payer: str | None = None) -> float:
        """Today's spend of one payer, or of every payer of a type."""
        if payer is not None:
            return self._today.get((payer_type, payer), 0.0)
        return sum(v for (kind, _), v in self._today.items() if kind == payer_type)

    def revenue_today(self) -> float:
        """Today's revenue from purchases and repeat purchases."""
        return self._revenue_today

    def to_frame(self) -> pd.DataFrame:
        """All rows as a tidy DataFrame (prospect_id is -1 for bulk rows)."""
        sizes = [c[4].size for c in self._chunks]
        frame = pd.DataFrame(
            {
                "day": np.repeat([c[0] for c in self._chunks], sizes).astype(np.int32),
                "payer_type": pd.Categorical(
                    np.repeat([c[1] for c in self._chunks], sizes), categories=PAYER_TYPES
                ),
                "payer": np.repeat([c[2] for c in self._chunks], sizes),
                "item": pd.Categorical(
                    np.repeat([c[3] for c in self._chunks], sizes), categories=tuple(Item)
                ),
                "amount": self._column(4, np.float64),
                "prospect_id": self._column(5, np.int64),
                "touches": self._column(6, np.int64),
            }
        )
        return frame

    def _column(self, index: int, dtype: type) -> np.ndarray:
        parts = [c[index] for c in self._chunks]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


class Tally:
    """Counts that KPIs need beside money: who was won, through which touches."""

    def __init__(self, sources: list[str], n_dims: int) -> None:
        """Zero counts for the given touch sources."""
        self.sources = sources
        self.customers = 0
        self.referred_customers = 0
        self.by_first_touch = np.zeros(len(sources), dtype=np.int64)
        self.by_last_touch = np.zeros(len(sources), dtype=np.int64)
        self.touches_by_dim = np.zeros(n_dims, dtype=np.int64)
        self.touches_by_source = np.zeros(len(sources), dtype=np.int64)
        self.repeat_purchases = 0
        self.churned = 0
        self.customer_days = 0

    def add_sales(self, table: ProspectTable, rows: np.ndarray, referred: int) -> None:
        """Count new customers ``rows`` and the touches that won them."""
        n = len(self.sources)
        self.customers += rows.size
        self.referred_customers += referred
        first = table.first_touch[rows]
        last = table.last_touch[rows]
        self.by_first_touch += np.bincount(first[first >= 0], minlength=n)
        self.by_last_touch += np.bincount(last[last >= 0], minlength=n)
        self.touches_by_dim += table.touches_by_dim[rows].sum(axis=0, dtype=np.int64)
        self.touches_by_source += table.touches_by_source[rows].sum(axis=0, dtype=np.int64)
