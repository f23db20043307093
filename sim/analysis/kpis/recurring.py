"""KPIs of recurring revenue: a subscription business's SaaS metrics.

Annual recurring revenue (ARR) and its movements come from the daily table's ``arr``
columns (:mod:`sim.model.daily`); renewals from the run's tally. The definitions are the
ones SaaS boards use: net and gross revenue retention over the terms that came up for
renewal, CAC payback in months of a new customer's gross margin, and the sales-efficiency
"magic number" (net new ARR over what acquiring it cost).
"""

from __future__ import annotations

from sim.analysis.kpis.declaration import Direction, Entry, Kpi
from sim.analysis.kpis.measures import Measures
from sim.analysis.kpis.value import Undefined, Value, ratio
from sim.scenario.vocabulary import DAYS_PER_MONTH, DAYS_PER_YEAR

HIGHER, LOWER = Direction.HIGHER, Direction.LOWER
PER_YEAR = "currency a year"
NOT_A_SUBSCRIPTION = "not a subscription"


def _no_renewal(m: Measures) -> str:
    return "no subscription term ended" if m.record.subscription else NOT_A_SUBSCRIPTION


def _arr(part: str) -> Kpi:
    """ARR at the end, or one of its movements over the run."""
    words = {
        "end": ("arr", "Annual recurring revenue at the end: the subscribers' term prices a year."),
        "new": ("new_arr", "ARR the new customers brought."),
        "expansion": ("expansion_arr", "ARR added by renewals at a higher price."),
        "contraction": ("contraction_arr", "ARR lost by renewals at a lower price."),
        "churned": ("churned_arr", "ARR lost with the subscribers who did not renew."),
    }
    name, text = words[part]

    def value(m: Measures) -> Value:
        if not m.record.subscription:
            return Undefined(NOT_A_SUBSCRIPTION)
        return m.arr[part]

    direction = LOWER if part in ("contraction", "churned") else HIGHER
    return Kpi(name, PER_YEAR, direction, text, value, total=True)


def _net_new_arr(m: Measures) -> Value:
    if not m.record.subscription:
        return Undefined(NOT_A_SUBSCRIPTION)
    return m.arr["end"] - m.arr["start"]


def _magic_number(m: Measures) -> Value:
    net = _net_new_arr(m)
    if isinstance(net, Undefined):
        return net
    return ratio(net, m.acquisition_cost, "nothing was spent on acquisition")


def _cac_payback_months(m: Measures) -> Value:
    """Months of a new customer's gross margin that pay back the cost of sale."""
    cost = m.cost_of_sale
    if isinstance(cost, Undefined):
        return cost
    if m.record.subscription:
        monthly = m.arr["new"] / m.customers * m.record.margin / 12.0
        return ratio(cost, monthly, "new customers bring no recurring revenue")
    if cost <= m.margin:
        return 0.0
    repeat_rate = None if m.customer_years == 0 else m.tally.repeat_purchases / m.customer_years
    monthly = (repeat_rate or 0.0) * m.margin / DAYS_PER_YEAR * DAYS_PER_MONTH
    return ratio(cost - m.margin, monthly, "no repeat margin: never pays back")


KPIS: list[Entry] = [
    _arr("end"),
    Kpi(
        "net_new_arr",
        PER_YEAR,
        HIGHER,
        "ARR at the end less ARR at the start: new + expansion − contraction − churned.",
        _net_new_arr,
        total=True,
    ),
    *(_arr(part) for part in ("new", "expansion", "contraction", "churned")),
    Kpi(
        "renewal_rate",
        "share",
        HIGHER,
        "Subscriptions: the share of the terms that ended which were renewed (1 − logo "
        "churn per term).",
        lambda m: ratio(m.tally.renewals, m.tally.renewals_due, _no_renewal(m)),
    ),
    Kpi(
        "net_revenue_retention",
        "ratio",
        HIGHER,
        "Subscriptions (NRR): revenue of the renewed terms over what the ended terms had "
        "brought, expansion and contraction included.",
        lambda m: ratio(m.tally.renewal_revenue, m.tally.renewal_revenue_due, _no_renewal(m)),
        headline=20,
    ),
    Kpi(
        "gross_revenue_retention",
        "ratio",
        HIGHER,
        "Subscriptions (GRR): the same without expansion: what the renewed terms kept of "
        "their old price, over what the ended terms had brought.",
        lambda m: ratio(m.tally.renewal_revenue_kept, m.tally.renewal_revenue_due, _no_renewal(m)),
    ),
    Kpi(
        "cac_payback_months",
        "months",
        LOWER,
        "Months of a new customer's gross margin that pay back the cost of sale: for a "
        "subscription, cost of sale / (new ARR per customer × margin / 12); for a one-off "
        "product, the months of repeat-purchase margin needed beyond the first sale's "
        "(0 when the first sale pays for it).",
        _cac_payback_months,
        headline=5,
    ),
    Kpi(
        "magic_number",
        "ratio",
        HIGHER,
        "Sales efficiency: net new ARR over the horizon / acquisition cost over it (above "
        "about 0.75 SaaS boards invest more in sales and marketing).",
        _magic_number,
    ),
]
"""The recurring-revenue KPIs, in report order."""
