"""KPIs of a finished run, their names declared once (“What are Sales Touchpoints?”).

Every KPI is a number or ``None``; a ``None`` always comes with a reason (no
customers, nothing spent, ...) instead of a crash or a division by zero.
:func:`kpi_names` lists, without running anything, every KPI a scenario's runs
report, in the order :func:`run_kpis` reports them.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.model.prospects import Stage
from sim.scenario.vocabulary import (
    DAYS_PER_MONTH,
    DAYS_PER_YEAR,
    DIMENSIONS,
    JOURNEY_STAGES,
    SHARED_SOURCES,
    STAGES,
)

if TYPE_CHECKING:
    from types import SimpleNamespace

    from sim.model.model import JourneyModel
    from sim.scenario.schema import Scenario

Kpis = dict[str, float | None]

FUNNEL = tuple(pairwise(JOURNEY_STAGES))
"""Stage transitions whose conversion rates are reported."""

UNATTRIBUTED = frozenset({"reviews"})
"""Sources with no spend of their own: no acquisition cost per customer."""

MONEY = ("marketing_spend", "sales_cost", "referral_rewards", "post_purchase_cost", "revenue")
"""Money over the horizon, by kind of cost (and revenue), in currency."""

HEADLINE = (
    "customers",
    "cost_of_sale",
    "clv",
    "clv_to_cac",
    "payback_days",
    "conversion_rate",
    "lead_response_hours",
    "leads_never_called",
    "churn_rate",
    "referral_share",
    "touches_per_sale.total",
    *MONEY,
    "roi",
    "lifetime_roi",
)
"""The KPIs shown first in tables, in this order."""

TOTALS = frozenset(
    {"customers", "opportunities", *MONEY, "acquisition_cost", "total_cost", "lifetime_profit"}
)
TOTAL_PREFIXES = ("funnel.", "spend_planned.", "spend_actual.")
"""The KPIs that are totals (see :func:`is_total`); the others are ratios or averages."""

LOWER_IS_BETTER = (
    "cost_of_sale",
    "cac_",
    "churn_rate",
    "payback_days",
    "lead_response_hours",
    "leads_never_called",
    "lead_expiry_rate",
    "sales_cycle_days",
    "journey_days",
    "touches_per_sale.",
    "marketing_spend",
    "sales_cost",
    "referral_rewards",
    "post_purchase_cost",
    "acquisition_cost",
    "total_cost",
    "spend_",
    "funnel.lost",
    "funnel.disqualified",
    "funnel.churned",
)
"""KPIs (and prefixes of KPI families) where less is better; for every other KPI more is."""


def lower_is_better(kpi: str) -> bool:
    """Whether a plan that lowers ``kpi`` is the better one (cost of sale: yes)."""
    return kpi.startswith(LOWER_IS_BETTER)


META_COLUMNS = frozenset({"scenario", "replication", "seed", "run_id", "sample"})
"""Columns of tidy results tables that are not KPIs (besides ``param.<key>``)."""


def kpi_names(sources: Sequence[str]) -> list[str]:
    """Every KPI a run reports, in order, for a model with these touch sources."""
    cac = [
        f"cac_{kind}_touch.{source}"
        for source in sources
        if source not in UNATTRIBUTED
        for kind in ("first", "last")
    ]
    return [
        "customers",
        "cost_of_sale",
        *cac,
        "churn_rate",
        "clv",
        "clv_to_cac",
        "payback_days",
        "renewal_rate",
        "net_revenue_retention",
        "conversion_rate",
        *(f"funnel.{stage}" for stage in STAGES),
        "market_share",
        *(f"conversion_rate.{a}_to_{b}" for a, b in FUNNEL),
        "conversion_rate.aware_to_customer",
        "opportunities",
        "conversion_rate.sales_qualified_to_opportunity",
        "conversion_rate.opportunity_to_customer",
        "lead_response_hours",
        "lead_response_hours.p90",
        "leads_never_called",
        "lead_expiry_rate",
        "sales_cycle_days",
        "sales_cycle_days.p90",
        "journey_days",
        "journey_days.p90",
        "referral_share",
        "referral_value_ratio",
        "touches_per_sale.total",
        *(f"touches_per_sale.{dim}" for dim in DIMENSIONS),
        *(f"touches_per_sale.source.{source}" for source in sources),
        *MONEY,
        "acquisition_cost",
        "total_cost",
        "roi",
        "lifetime_profit",
        "lifetime_roi",
        "review_score",
        *(
            f"{kind}.{name}"
            for name in channel_names(sources)
            for kind in ("spend_planned", "spend_actual", "budget_used")
        ),
    ]


def scenario_kpis(scenario: Scenario) -> list[str]:
    """Every KPI a run of ``scenario`` reports."""
    return kpi_names(scenario.touch_sources())


class _Kpis:
    """Collects KPI values and the reasons for the undefined ones."""

    def __init__(self) -> None:
        self.values: Kpis = {}
        self.undefined: dict[str, str] = {}

    def ratio(self, name: str, num: float, den: float, reason: str) -> float | None:
        if den == 0:
            self.values[name] = None
            self.undefined[name] = reason
            return None
        self.values[name] = float(num) / float(den)
        return self.values[name]

    def set(self, name: str, value: float | None, reason: str = "") -> None:
        self.values[name] = None if value is None else float(value)
        if value is None:
            self.undefined[name] = reason


def run_kpis(
    model: JourneyModel, ledger: pd.DataFrame, replica: int = 0
) -> tuple[Kpis, dict[str, str]]:
    """All KPIs of one finished run.

    Args:
        model: The model after its last step.
        ledger: The replication's ledger, ``model.ledger.to_frame(replica)``.
        replica: Which replication of the model's batch.

    Returns:
        ``(kpis, undefined)``: KPI name → value (None if undefined), and KPI name → reason.
    """
    spec, tally = model.spec, model.tally.of(replica)
    size = spec.population.size
    table = model.prospects.block(replica * size, (replica + 1) * size)
    k = _Kpis()
    by_type = ledger.groupby("payer_type", observed=False)["amount"].sum()
    by_payer = ledger[ledger.payer_type == "channel"].groupby("payer")["amount"].sum()
    marketing = float(by_type.get("channel", 0.0))
    sales = float(by_type.get("rep", 0.0))
    rewards = float(by_type.get("referral", 0.0))
    post = float(by_type.get("post_purchase", 0.0))
    revenue = float(by_type.get("customer", 0.0))
    acquisition = marketing + sales + rewards
    customers = tally.customers
    no_customers = "no new customers were won"

    k.set("customers", customers)
    cost_of_sale = k.ratio("cost_of_sale", acquisition, customers, no_customers)
    spend_by_source = {name: float(by_payer.get(name, 0.0)) for name in model.sources}
    spend_by_source.update(rep=sales, referral=rewards, reviews=0.0)
    for i, source in enumerate(model.sources):
        if source in UNATTRIBUTED:
            continue
        for kind, counts in (("first", tally.by_first_touch), ("last", tally.by_last_touch)):
            k.ratio(
                f"cac_{kind}_touch.{source}",
                spend_by_source[source],
                counts[i],
                f"no customer had {source} as {kind} touch",
            )

    margin = spec.product.price * spec.product.margin
    customer_years = tally.customer_days / DAYS_PER_YEAR
    if customer_years == 0:
        repeat_rate = churn_rate = None
        k.set("churn_rate", None, "no customer-days were observed")
        k.set("clv", None, "no customer-days were observed")
    else:
        repeat_rate = tally.repeat_purchases / customer_years
        churn_rate = k.ratio("churn_rate", tally.churned, customer_years, "")
        value = _clv(margin, customer_years, tally.churned, tally.repeat_purchases, spec)
        k.set("clv", value, "no churn and no discounting")
    clv = k.values["clv"]
    if clv is None or cost_of_sale is None:
        k.set("clv_to_cac", None, "clv or cost of sale is undefined")
    else:
        k.ratio("clv_to_cac", clv, cost_of_sale, "acquisition cost nothing")
    if cost_of_sale is None:
        k.set("payback_days", None, no_customers)
    elif cost_of_sale <= margin:
        k.set("payback_days", 0.0)
    else:
        daily = (repeat_rate or 0.0) * margin / DAYS_PER_YEAR
        k.ratio("payback_days", cost_of_sale - margin, daily, "no repeat margin: never pays back")
    no_renewal = "no subscription term ended" if spec.product.term_months else "not a subscription"
    k.ratio("renewal_rate", tally.renewals, tally.renewals_due, no_renewal)
    k.ratio("net_revenue_retention", tally.renewal_revenue, tally.renewal_revenue_due, no_renewal)

    prospects = int(table.ever_reached(Stage.UNAWARE).sum())
    k.ratio("conversion_rate", customers, prospects, "no prospects")
    for stage in Stage:
        k.set(f"funnel.{STAGES[stage]}", int(table.ever_reached(stage).sum()))
    elsewhere = int(table.ever_reached(Stage.LOST_TO_COMPETITOR).sum())
    k.ratio("market_share", customers, customers + elsewhere, "nobody bought, here or elsewhere")
    for a, b in FUNNEL:
        has_a = table.ever_reached(Stage[a.upper()])
        both = int((has_a & table.ever_reached(Stage[b.upper()])).sum())
        k.ratio(f"conversion_rate.{a}_to_{b}", both, int(has_a.sum()), f"nobody reached {a}")
    aware = table.ever_reached(Stage.AWARE)  # reached by any touch, ours or a referrer's
    won_here = int((aware & (table.customer_since >= 1)).sum())
    k.ratio("conversion_rate.aware_to_customer", won_here, int(aware.sum()), "nobody reached aware")
    # an opportunity (in a CRM's words): a lead a rep has spoken with
    handed = table.ever_reached(Stage.SALES_QUALIFIED)
    talked = table.contacted & handed
    leads = int(handed.sum())
    k.set("opportunities", int(talked.sum()))
    k.ratio("conversion_rate.sales_qualified_to_opportunity", int(talked.sum()), leads, "no leads")
    won_talked = int((talked & (table.customer_since >= 1)).sum())
    k.ratio(
        "conversion_rate.opportunity_to_customer", won_talked, int(talked.sum()), "no opportunity"
    )

    hours = model.sales_queue.response_hours(replica, model.day)
    for name, q in (("lead_response_hours", 0.5), ("lead_response_hours.p90", 0.9)):
        value = float(np.quantile(hours, q, method="inverted_cdf")) if hours.size else None
        if value is None:
            k.set(name, None, "no lead was due for a rep call")
        elif np.isinf(value):
            k.set(name, None, f"more than {1 - q:.0%} of the leads were never called")
        else:
            k.set(name, value)
    k.ratio("leads_never_called", int(np.isinf(hours).sum()), hours.size, "no lead was due")
    handed_off = int(table.ever_reached(Stage.SALES_QUALIFIED).sum())
    expired = model.sales_queue.expired[replica]
    k.ratio("lead_expiry_rate", expired, handed_off, "no lead was handed off")
    won = table.customer_since >= 1  # won during the run (the installed base is day 0)
    for name, start, what in (
        ("sales_cycle_days", table.handoff_day, "no customer was won through a handoff"),
        ("journey_days", table.first_touch_day, "no customer was won"),
    ):
        started = won & (start >= 0)
        days = (table.customer_since[started] - start[started]).astype(float)
        for suffix, q in (("", 0.5), (".p90", 0.9)):
            value = float(np.quantile(days, q, method="inverted_cdf")) if days.size else None
            k.set(name + suffix, value, what)
    k.ratio("referral_share", tally.referred_customers, customers, no_customers)
    _referral_value(k, tally, margin, spec)
    k.ratio("touches_per_sale.total", tally.touches_by_source.sum(), customers, no_customers)
    for d, dim in enumerate(DIMENSIONS):
        k.ratio(f"touches_per_sale.{dim}", tally.touches_by_dim[d], customers, no_customers)
    for i, source in enumerate(model.sources):
        k.ratio(
            f"touches_per_sale.source.{source}", tally.touches_by_source[i], customers, no_customers
        )

    k.set("marketing_spend", marketing)
    k.set("sales_cost", sales)
    k.set("referral_rewards", rewards)
    k.set("post_purchase_cost", post)
    k.set("revenue", revenue)
    total_cost = acquisition + post
    k.set("acquisition_cost", acquisition)
    k.set("total_cost", total_cost)
    k.ratio("roi", revenue * spec.product.margin - total_cost, total_cost, "nothing was spent")
    _lifetime(k, customers, clv, acquisition, post, customer_years, churn_rate, spec)
    k.set("review_score", model.reviews.score(replica), "no reviews")
    share = spec.population.sample_share
    months = model.day / DAYS_PER_MONTH
    for name in channel_names(model.sources):
        channel = spec.channels[name]
        planned = (channel.budget + channel.fixed_cost_per_month) * months * share
        k.set(f"spend_planned.{name}", planned)
        k.set(f"spend_actual.{name}", spend_by_source[name])
        k.ratio(f"{BUDGET_USED}{name}", spend_by_source[name], planned, "no budget planned")
    for name, value in k.values.items():  # a sample's totals, as the whole market's
        if value is not None and is_total(name):
            k.values[name] = value / share
    return k.values, k.undefined


def is_total(kpi: str) -> bool:
    """Whether a KPI is a total (a count or an amount) rather than a ratio or an average.

    Totals grow with the market: a sample's totals are divided by its share of the
    market (``population.sample_share``) to report the whole market's.
    """
    return kpi in TOTALS or kpi.startswith(TOTAL_PREFIXES)


def _clv(margin: float, years: float, churned: int, repeats: int, spec: Scenario) -> float | None:
    """Margin × (1 + repeats a year / (churn a year + discount rate)); None if that is 0/0."""
    horizon = churned / years + spec.product.discount_rate_per_year
    if horizon == 0:
        return None
    return margin * (horizon + repeats / years) / horizon


def _referral_value(k: _Kpis, tally: SimpleNamespace, margin: float, spec: Scenario) -> None:
    """CLV of customers who came by referral over that of the others (Schmitt et al. 2011).

    Each group's CLV from its own churn and repeat purchases per customer-year.
    """
    groups = (
        (tally.referred_customer_days, tally.referred_churned, tally.referred_repeat_purchases),
        (
            tally.customer_days - tally.referred_customer_days,
            tally.churned - tally.referred_churned,
            tally.repeat_purchases - tally.referred_repeat_purchases,
        ),
    )
    values = [
        _clv(margin, days / DAYS_PER_YEAR, churned, repeats, spec) if days else None
        for days, churned, repeats in groups
    ]
    if values[0] is None or values[1] is None:
        k.set("referral_value_ratio", None, "no customer-years of referred or other customers")
        return
    k.ratio("referral_value_ratio", values[0], values[1], "other customers are worth nothing")


def _lifetime(
    k: _Kpis,
    customers: int,
    clv: float | None,
    acquisition: float,
    care: float,
    customer_years: float,
    churn_rate: float | None,
    spec: Scenario,
) -> None:
    """Profit over the acquired customers' lifetime, not the horizon's.

    lifetime_profit = customers × CLV − acquisition cost − lifetime care, where lifetime
    care = care cost per customer-year × customers / (churn + discount rate) (the same
    expected discounted lifetime as CLV); lifetime_roi = lifetime_profit / (acquisition
    cost + lifetime care). Source: “Getting the next sale” (the sale that brings the next).
    A run that wins nobody has no lifetime value whatever CLV would be: its profit is
    what it spent, lost.
    """
    if customers == 0:
        k.set("lifetime_profit", -acquisition)
        k.ratio("lifetime_roi", -acquisition, acquisition, "nothing was spent")
        return
    if clv is None or churn_rate is None:
        reason = "clv is undefined"
        k.set("lifetime_profit", None, reason)
        k.set("lifetime_roi", None, reason)
        return
    years = 1.0 / (churn_rate + spec.product.discount_rate_per_year)
    lifetime_care = care / customer_years * customers * years
    profit = customers * clv - acquisition - lifetime_care
    k.set("lifetime_profit", profit)
    k.ratio("lifetime_roi", profit, acquisition + lifetime_care, "nothing was spent")


def channel_names(sources: Sequence[str]) -> list[str]:
    """The marketing channels among the touch sources."""
    return [s for s in sources if s not in SHARED_SOURCES]


BUDGET_USED = "budget_used."
"""Prefix of the KPIs of actual over planned spend, one per channel."""


def underspent_groups(table: pd.DataFrame, by: Sequence[str]) -> list[str]:
    """:func:`underspent` of each group's mean run (a scenario, a grid point), labelled."""
    means = table.groupby(list(by), sort=False, dropna=False).mean(numeric_only=True)
    lines = []
    for key, row in means.iterrows():
        values = key if isinstance(key, tuple) else (key,)
        label = ", ".join(
            str(v) if k == "scenario" else f"{k.removeprefix('param.')}={v}"
            for k, v in zip(by, values, strict=True)
        )
        channels = [c.removeprefix(BUDGET_USED) for c in row.index if c.startswith(BUDGET_USED)]
        lines += [f"{label}: {w}" for w in underspent(row.to_dict(), channels)]
    return lines


UNDERSPEND = 0.95
"""A channel that spends less than this share of its planned budget is reported."""


def underspent(kpis: Kpis, sources: Sequence[str]) -> list[str]:
    """One warning per channel that spent under :data:`UNDERSPEND` of its planned budget.

    Unspent budget is not a saving: the channel could not find enough of its audience
    (its reach, stages or need caps it), and cost of sale is lower only because less
    was spent.
    """
    warnings = []
    for name in channel_names(sources):
        used = kpis.get(f"{BUDGET_USED}{name}")
        if used is not None and used < UNDERSPEND:
            actual, planned = kpis[f"spend_actual.{name}"], kpis[f"spend_planned.{name}"]
            warnings.append(
                f"channel {name} spent {actual:,.0f} of its planned {planned:,.0f} "
                f"({used:.0%}): its audience or reach caps it"
            )
    return warnings


def kpi_columns(frame: pd.DataFrame) -> list[str]:
    """The KPI columns of a tidy results table, headline KPIs first."""
    names = [c for c in frame.columns if c not in META_COLUMNS and not c.startswith("param.")]
    first = [c for c in HEADLINE if c in names]
    return first + [c for c in names if c not in first]
