"""KPIs of the customers won: how many, what each cost, what each is worth, how they stay."""

from __future__ import annotations

from sim.analysis.kpis.axes import PAID_SOURCE
from sim.analysis.kpis.declaration import Direction, Entry, Family, Kpi
from sim.analysis.kpis.measures import Measures
from sim.analysis.kpis.value import Undefined, Value, ratio
from sim.scenario.vocabulary import DAYS_PER_YEAR

HIGHER, LOWER = Direction.HIGHER, Direction.LOWER


def _cac(kind: str) -> Kpi:
    """Acquisition cost per customer by the source of their first or last touch."""

    def cac(m: Measures, source: str) -> Value:
        counts = m.tally.by_first_touch if kind == "first" else m.tally.by_last_touch
        won = m.by_source(counts, source)
        reason = f"no customer had {source} as {kind} touch"
        return ratio(m.spend_by_source[source], won, reason)

    return Kpi(
        f"cac_{kind}_touch.<paid_source>",
        "currency per customer",
        LOWER,
        f"What the source cost (its spend; the reps' cost for rep, the rewards for referral) "
        f"per new customer whose {kind} touch it was.",
        cac,
    )


def _clv_to_cac(m: Measures) -> Value:
    if isinstance(m.clv, Undefined) or isinstance(m.cost_of_sale, Undefined):
        return Undefined("clv or cost of sale is undefined")
    return ratio(m.clv, m.cost_of_sale, "acquisition cost nothing")


def _payback_days(m: Measures) -> Value:
    cost = m.cost_of_sale
    if isinstance(cost, Undefined):
        return cost
    if cost <= m.margin:
        return 0.0
    repeat_rate = None if m.customer_years == 0 else m.tally.repeat_purchases / m.customer_years
    daily = (repeat_rate or 0.0) * m.margin / DAYS_PER_YEAR
    return ratio(cost - m.margin, daily, "no repeat margin: never pays back")


def _no_renewal(m: Measures) -> str:
    return "no subscription term ended" if m.record.subscription else "not a subscription"


KPIS: list[Entry] = [
    Kpi(
        "customers",
        "customers",
        HIGHER,
        "New customers won over the horizon (the installed base at the start is not counted).",
        lambda m: m.customers,
        total=True,
        headline=1,
    ),
    Kpi(
        "cost_of_sale",
        "currency per customer",
        LOWER,
        "Acquisition cost (marketing spend + sales cost + referral rewards) per new customer.",
        lambda m: m.cost_of_sale,
        headline=2,
    ),
    Family(PAID_SOURCE, (_cac("first"), _cac("last"))),
    Kpi(
        "churn_rate",
        "per customer-year",
        LOWER,
        "Customers lost per customer-year.",
        lambda m: m.churn_rate,
        headline=9,
    ),
    Kpi(
        "clv",
        "currency",
        HIGHER,
        "Customer lifetime value: margin × (1 + repeat purchases a year / (churn a year + "
        "discount rate)), from the run's own churn and repeat purchases.",
        lambda m: m.clv,
        headline=3,
    ),
    Kpi(
        "clv_to_cac",
        "ratio",
        HIGHER,
        "Customer lifetime value over cost of sale.",
        _clv_to_cac,
        headline=4,
    ),
    Kpi(
        "payback_days",
        "days",
        LOWER,
        "Days of repeat-purchase margin a new customer needs to pay back the cost of sale "
        "beyond the first sale's margin (0 when the first sale pays for it).",
        _payback_days,
        headline=5,
    ),
    Kpi(
        "renewal_rate",
        "share",
        HIGHER,
        "Subscriptions: the share of the terms that ended which were renewed.",
        lambda m: ratio(m.tally.renewals, m.tally.renewals_due, _no_renewal(m)),
    ),
    Kpi(
        "net_revenue_retention",
        "ratio",
        HIGHER,
        "Subscriptions: revenue of the renewed terms over what the ended terms had brought "
        "(expansion and contraction included).",
        lambda m: ratio(m.tally.renewal_revenue, m.tally.renewal_revenue_due, _no_renewal(m)),
    ),
]
"""The customers' KPIs, in report order."""
