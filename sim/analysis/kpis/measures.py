"""What several KPIs share, worked out once per run from its record.

Money by kind, spend by touch source, customers, customer-years, churn, CLV, cost of
sale, who reached which stage: KPI functions read these rather than each other.
"""

from __future__ import annotations

from functools import cached_property
from types import SimpleNamespace
from typing import TYPE_CHECKING

import numpy as np

from sim.analysis.kpis.value import Undefined, Value, ratio
from sim.model.daily import ARR
from sim.model.prospects import Stage
from sim.scenario.vocabulary import ARR_FLOWS, DAYS_PER_YEAR, PAYER_TYPES, Payer

if TYPE_CHECKING:
    from sim.analysis.kpis.record import RunRecord

NO_CUSTOMERS = "no new customers were won"
NO_CUSTOMER_DAYS = "no customer-days were observed"


class Measures:
    """A run's record and the quantities its KPIs share (each computed on first use).

    Args:
        record: The run's record.
    """

    def __init__(self, record: RunRecord) -> None:
        self.record = record
        self.tally = SimpleNamespace(**record.tally)

    @cached_property
    def money(self) -> dict[Payer, float]:
        """Amounts booked by payer type (what channels, reps, ... cost; what customers paid)."""
        by_type = self.record.ledger.groupby("payer_type", observed=False)["amount"].sum()
        return {payer: float(by_type.get(payer, 0.0)) for payer in PAYER_TYPES}

    @cached_property
    def acquisition_cost(self) -> float:
        """Marketing spend + sales cost + referral rewards."""
        return self.money[Payer.CHANNEL] + self.money[Payer.REP] + self.money[Payer.REFERRAL]

    @cached_property
    def total_cost(self) -> float:
        """Acquisition cost + post-purchase care."""
        return self.acquisition_cost + self.money[Payer.POST_PURCHASE]

    @cached_property
    def spend_by_source(self) -> dict[str, float]:
        """What each touch source cost: its channel's spend, the reps, the referral rewards."""
        ledger = self.record.ledger
        by_payer = ledger[ledger.payer_type == Payer.CHANNEL].groupby("payer")["amount"].sum()
        spend = {name: float(by_payer.get(name, 0.0)) for name in self.record.sources}
        spend.update(rep=self.money[Payer.REP], referral=self.money[Payer.REFERRAL], reviews=0.0)
        return spend

    @property
    def customers(self) -> int:
        """New customers won during the run."""
        return self.tally.customers

    @property
    def margin(self) -> float:
        """Gross margin of one purchase."""
        return self.record.price * self.record.margin

    @property
    def customer_years(self) -> float:
        """Years of being a customer, summed over the customers."""
        return self.tally.customer_days / DAYS_PER_YEAR

    @cached_property
    def cost_of_sale(self) -> Value:
        """Acquisition cost per new customer."""
        return ratio(self.acquisition_cost, self.customers, NO_CUSTOMERS)

    @cached_property
    def churn_rate(self) -> Value:
        """Customers lost per customer-year."""
        if self.customer_years == 0:
            return Undefined(NO_CUSTOMER_DAYS)
        return float(self.tally.churned) / float(self.customer_years)

    @cached_property
    def clv(self) -> Value:
        """Mean lifetime value of the customers won: their margin, run on past the horizon."""
        return self.mean_lifetime_value(self.won)

    def mean_lifetime_value(self, among: np.ndarray) -> Value:
        """Mean lifetime value of the customers won among ``among`` (a mask of prospects)."""
        values = self.record.prospects["lifetime_value"][among & self.won]
        return float(values.mean()) if values.size else Undefined(NO_CUSTOMERS)

    @cached_property
    def lifetime_care(self) -> float:
        """Care over the won customers' lives: its cost per customer-year × discounted years."""
        if self.customer_years == 0:
            return 0.0
        years = float(self.record.prospects["lifetime_years"].sum())
        return self.money[Payer.POST_PURCHASE] / self.customer_years * years

    @cached_property
    def arr(self) -> dict[str, float]:
        """ARR at the start and end and its movements over the run, for the sample simulated.

        (The daily table reports the whole market; KPIs are scored on the sample.)
        """
        daily, share = self.record.daily, self.record.sample_share
        flows = {flow: float(daily[f"{ARR}.{flow}"].sum()) * share for flow in ARR_FLOWS}
        ends = {
            "start": float(daily[ARR].iloc[0]) * share,
            "end": float(daily[ARR].iloc[-1]) * share,
        }
        return {**ends, **flows}

    def by_source(self, counts: np.ndarray, source: str) -> int:
        """A source's entry in a tally array by touch source."""
        return counts[self.record.sources.index(source)]

    def reached(self, stage: Stage) -> np.ndarray:
        """Whether each prospect ever reached ``stage``."""
        return (self.record.prospects["reached"] & (1 << int(stage))) != 0

    def count(self, stage: Stage) -> int:
        """How many prospects ever reached ``stage``."""
        return int(self.reached(stage).sum())

    @property
    def won(self) -> np.ndarray:
        """Whether each prospect was won during the run (the installed base is day 0)."""
        return self.record.prospects["customer_since"] >= 1


def quantile(values: np.ndarray, q: float) -> float | None:
    """The ``q`` quantile of ``values`` (one of them, not interpolated); None if there are none."""
    return float(np.quantile(values, q, method="inverted_cdf")) if values.size else None
