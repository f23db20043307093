"""The daily table: one row per simulated day and replication, its columns named here.

``day``; ``stage.<stage>`` prospects in each stage; ``pipeline.<deal stage>`` leads and
opportunities open in each deal stage (a CRM's pipeline); ``new_customers``;
``spend.<channel>`` per marketing channel and ``spend.reps``, ``spend.referral``,
``spend.post_purchase``; ``arr`` (annual recurring revenue at the day's end) and its
movements ``arr.new``, ``arr.expansion``, ``arr.contraction``, ``arr.churned``;
``revenue``; ``review_score``. Figures, reports and the
dashboard read columns through these names. Rows go into a table preallocated
for the whole horizon: recording a day is a few array writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.scenario.vocabulary import ARR_FLOWS, DEAL_STAGES, STAGES, Payer

if TYPE_CHECKING:
    from sim.model.ledger import Ledger
    from sim.model.recurring import RecurringRevenue

DAY = "day"
NEW_CUSTOMERS = "new_customers"
REVENUE = "revenue"
REVIEW_SCORE = "review_score"
STAGE_PREFIX = "stage."
PIPELINE_PREFIX = "pipeline."
SPEND_PREFIX = "spend."
ARR = "arr"
ARR_COLUMNS = tuple(f"{ARR}.{flow}" for flow in ARR_FLOWS)
"""The columns of annual recurring revenue's movements, in :data:`ARR_FLOWS` order."""

SHARED_SPEND = {
    f"{SPEND_PREFIX}reps": "sales reps",
    f"{SPEND_PREFIX}referral": "referral rewards",
    f"{SPEND_PREFIX}post_purchase": "post-purchase care",
}
"""Spend columns that are not marketing channels, with their labels."""

CARE_SPEND = f"{SPEND_PREFIX}post_purchase"
"""The one spend column that is not acquisition cost."""

_SHARED_PAYERS = (Payer.REP, Payer.REFERRAL, Payer.POST_PURCHASE)
"""The payers of the shared spend columns, in their order."""


def stage_column(stage: str) -> str:
    """The column of prospects in ``stage``."""
    return f"{STAGE_PREFIX}{stage}"


def pipeline_column(stage: str) -> str:
    """The column of leads and opportunities open in a deal stage (:data:`DEAL_STAGES`)."""
    return f"{PIPELINE_PREFIX}{stage}"


def spend_column(channel: str) -> str:
    """The column of a marketing channel's spend."""
    return f"{SPEND_PREFIX}{channel}"


def channel_columns(columns: Iterable[str]) -> list[str]:
    """The ``spend.<channel>`` columns among ``columns`` (marketing channels only)."""
    return [c for c in columns if c.startswith(SPEND_PREFIX) and c not in SHARED_SPEND]


def spend_label(column: str) -> str:
    """A legend label for a spend column: the channel's or the shared source's name."""
    return SHARED_SPEND.get(column, column.removeprefix(SPEND_PREFIX).replace("_", " "))


class DailyRecord:
    """The daily table of every replication of a batch, preallocated for the horizon.

    Args:
        days: The horizon; day 0 (the start) is recorded too.
        replications: Replications in the batch.
        channels: The enabled marketing channels, in order.
        sample_share: The share of the market simulated: counts and amounts are
            reported for the whole market (divided by it); the review score is not.
    """

    def __init__(
        self, days: int, replications: int, channels: Sequence[str], sample_share: float = 1.0
    ) -> None:
        self.channels = list(channels)
        self.columns = [
            DAY,
            *(stage_column(s) for s in STAGES),
            *(pipeline_column(s) for s in DEAL_STAGES),
            NEW_CUSTOMERS,
            *(spend_column(c) for c in self.channels),
            *SHARED_SPEND,
            ARR,
            *ARR_COLUMNS,
            REVENUE,
            REVIEW_SCORE,
        ]
        self.values = np.full((days + 1, replications, len(self.columns)), np.nan)
        self.recorded = 0
        self.scale = np.full(len(self.columns), 1.0 / sample_share)
        self.scale[[0, -1]] = 1.0  # the day and the review score

    def record(
        self,
        day: int,
        stage_counts: np.ndarray,
        pipeline_counts: np.ndarray,
        new_customers: np.ndarray,
        ledger: Ledger,
        recurring: RecurringRevenue,
        review_scores: np.ndarray,
    ) -> None:
        """Write day ``day``: stage and pipeline counts, new customers, the day's totals, ARR."""
        k, p = len(STAGES), len(DEAL_STAGES)
        spend = [ledger.spent_today(Payer.CHANNEL, name) for name in self.channels]
        spend += [ledger.spent_today(payer) for payer in _SHARED_PAYERS]
        row = self.values[day]
        row[:, 0] = day
        row[:, 1 : 1 + k] = stage_counts
        row[:, 1 + k : 1 + k + p] = pipeline_counts
        row[:, 1 + k + p] = new_customers
        at = 2 + k + p + len(spend)
        row[:, 2 + k + p : at] = np.column_stack(spend)
        row[:, at] = recurring.level
        row[:, at + 1 : at + 1 + len(ARR_FLOWS)] = recurring.today
        row[:, -2] = ledger.revenue_today()
        row[:, -1] = review_scores
        self.recorded = day + 1

    def today(self, replica: int = 0) -> dict[str, float]:
        """The last recorded day of one replication, by column."""
        values = self.values[self.recorded - 1, replica] * self.scale
        return dict(zip(self.columns, values.tolist(), strict=True))

    def frame(self, replica: int = 0) -> pd.DataFrame:
        """One replication's days so far as a DataFrame (``day`` as int)."""
        values = self.values[: self.recorded, replica] * self.scale
        frame = pd.DataFrame(values, columns=self.columns)
        frame[DAY] = frame[DAY].astype(int)
        return frame
