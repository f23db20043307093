"""The daily table: one row per simulated day, its columns named here and only here.

``day``; ``stage.<stage>`` prospects in each stage; ``new_customers``;
``spend.<channel>`` per marketing channel and ``spend.reps``, ``spend.referral``,
``spend.post_purchase``; ``revenue``; ``review_score``. Figures, reports and the
dashboard read columns through these names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.scenario.vocabulary import STAGES, Payer

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sim.model.ledger import Ledger

DAY = "day"
NEW_CUSTOMERS = "new_customers"
REVENUE = "revenue"
REVIEW_SCORE = "review_score"
STAGE_PREFIX = "stage."
SPEND_PREFIX = "spend."

SHARED_SPEND = {
    f"{SPEND_PREFIX}reps": "sales reps",
    f"{SPEND_PREFIX}referral": "referral rewards",
    f"{SPEND_PREFIX}post_purchase": "post-purchase care",
}
"""Spend columns that are not marketing channels, with their labels."""

CARE_SPEND = f"{SPEND_PREFIX}post_purchase"
"""The one spend column that is not acquisition cost."""


def stage_column(stage: str) -> str:
    """The column of prospects in ``stage``."""
    return f"{STAGE_PREFIX}{stage}"


def spend_column(channel: str) -> str:
    """The column of a marketing channel's spend."""
    return f"{SPEND_PREFIX}{channel}"


def channel_columns(columns: Iterable[str]) -> list[str]:
    """The ``spend.<channel>`` columns among ``columns`` (marketing channels only)."""
    return [c for c in columns if c.startswith(SPEND_PREFIX) and c not in SHARED_SPEND]


def spend_label(column: str) -> str:
    """A legend label for a spend column: the channel's or the shared source's name."""
    return SHARED_SPEND.get(column, column.removeprefix(SPEND_PREFIX).replace("_", " "))


def day_row(
    day: int,
    stage: np.ndarray,
    new_customers: int,
    ledger: Ledger,
    channels: Iterable[str],
    review_score: float | None,
) -> dict[str, float]:
    """One row of the daily table, from the day's state and the ledger's day totals."""
    counts = np.bincount(stage, minlength=len(STAGES))
    row = {DAY: float(day)}
    row.update({stage_column(s): float(c) for s, c in zip(STAGES, counts, strict=True)})
    row[NEW_CUSTOMERS] = float(new_customers)
    for name in channels:
        row[spend_column(name)] = ledger.spent_today(Payer.CHANNEL, name)
    row[f"{SPEND_PREFIX}reps"] = ledger.spent_today(Payer.REP)
    row[f"{SPEND_PREFIX}referral"] = ledger.spent_today(Payer.REFERRAL)
    row[CARE_SPEND] = ledger.spent_today(Payer.POST_PURCHASE)
    row[REVENUE] = ledger.revenue_today()
    row[REVIEW_SCORE] = np.nan if review_score is None else review_score
    return row
