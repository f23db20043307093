"""KPIs of the customers won: how many, what each cost, what each is worth, how they stay."""

from __future__ import annotations

from sim.analysis.kpis.axes import PAID_SOURCE
from sim.analysis.kpis.declaration import Direction, Entry, Family, Kpi
from sim.analysis.kpis.measures import Measures
from sim.analysis.kpis.value import Undefined, Value, ratio

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
        "Customer lifetime value: the mean, over the customers won, of the margin each pays "
        "over their whole life, discounted to the day they were won: what they paid during "
        "the run, then their life run on past the horizon under the same renewal, churn, "
        "expansion, repeat-purchase and care processes (sim.model.lifetime).",
        lambda m: m.clv,
        headline=3,
    ),
    Kpi(
        "clv_to_cac",
        "ratio",
        HIGHER,
        "LTV/CAC: customer lifetime value over cost of sale.",
        _clv_to_cac,
        headline=4,
    ),
]
"""The customers' KPIs, in report order."""
