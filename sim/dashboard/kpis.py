"""The figures a room watches, declared once: words, unit, which way is better, how computed.

Each comes out of a course's daily table (every replication, every day to date).

A course's table is the model's daily record, ``(days, replications, columns)``, in the
whole market's numbers (:class:`sim.model.daily.DailyRecord`), plus the customers won by
referral to date. Cost of sale is cumulative (spend to date over customers to date), so
a quiet first week does not spike it; it is a gap until the first customer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from sim.model.daily import ARR, CARE_SPEND, NEW_CUSTOMERS, REVENUE, SPEND_PREFIX, stage_column


@dataclass(frozen=True)
class Table:
    """A course so far: the daily values of every replication and the referred to date.

    Attributes:
        values: ``(days, replications, columns)``, day 0 first, in market numbers.
        columns: The daily record's column names.
        referred: ``(days, replications)`` customers won by referral to date.
    """

    values: np.ndarray
    columns: list[str]
    referred: np.ndarray

    def column(self, name: str) -> np.ndarray:
        """One column, ``(replications, days)``."""
        return self.values[:, :, self.columns.index(name)].T

    def spend(self, care: bool = True) -> np.ndarray:
        """All spend per day, ``(replications, days)`` (without care if ``care`` is False)."""
        picked = [
            i
            for i, c in enumerate(self.columns)
            if c.startswith(SPEND_PREFIX) and (care or c != CARE_SPEND)
        ]
        return self.values[:, :, picked].sum(axis=2).T


@dataclass(frozen=True)
class Kpi:
    """A figure: its name in stories, its words, its unit, which way is better.

    Attributes:
        series: ``table -> (replications, days)``, each day's value to date.
    """

    name: str
    title: str
    unit: str
    better: Literal["more", "less"]
    series: Callable[[Table], np.ndarray]
    money: bool = False


def _to_date(daily: np.ndarray) -> np.ndarray:
    return np.nancumsum(daily, axis=1)


def _cost_of_sale(table: Table) -> np.ndarray:
    won = _to_date(table.column(NEW_CUSTOMERS))
    spent = _to_date(table.spend(care=False))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(won > 0, spent / np.where(won > 0, won, 1.0), np.nan)


def _active(table: Table) -> np.ndarray:
    return table.column(stage_column("customer")) + table.column(stage_column("advocate"))


KPIS: dict[str, Kpi] = {
    kpi.name: kpi
    for kpi in (
        Kpi(
            "customers",
            "Customers won",
            "customers won to date",
            "more",
            lambda t: _to_date(t.column(NEW_CUSTOMERS)),
        ),
        Kpi(
            "cost_of_sale",
            "Cost of sale to date",
            "spend to date per customer won",
            "less",
            _cost_of_sale,
            money=True,
        ),
        Kpi(
            "referrals",
            "Customers won by referral",
            "customers won by referral to date",
            "more",
            lambda t: t.referred.T.astype(float),
        ),
        Kpi(
            "lost_to_competitors",
            "Lost to competitors",
            "prospects who bought elsewhere, to date",
            "less",
            lambda t: t.column(stage_column("lost_to_competitor")),
        ),
        Kpi(
            "active_customers",
            "Customers today",
            "customers who still buy from us",
            "more",
            _active,
        ),
        Kpi(
            "recurring_revenue",
            "Recurring revenue",
            "annual recurring revenue today",
            "more",
            lambda t: t.column(ARR),
            money=True,
        ),
        Kpi(
            "revenue",
            "Revenue to date",
            "revenue to date",
            "more",
            lambda t: _to_date(t.column(REVENUE)),
            money=True,
        ),
        Kpi(
            "profit",
            "Profit to date",
            "revenue less all spend, to date",
            "more",
            lambda t: _to_date(t.column(REVENUE) - t.spend()),
            money=True,
        ),
    )
}
"""Every figure, by the name stories and claims use."""


def value_text(kpi: Kpi, value: float) -> str:
    """A value in words for the room: ``1,234``, ``3,456 a customer``, ``—`` for none yet."""
    if not np.isfinite(value):
        return "none yet"
    if kpi.money and abs(value) >= 10_000:
        return f"{value / 1000:,.0f}k"
    return f"{value:,.0f}"
