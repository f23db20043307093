"""KPIs of money: what the run spent and earned, its return over the horizon and the lifetime."""

from __future__ import annotations

from sim.analysis.kpis.axes import CHANNEL
from sim.analysis.kpis.declaration import Direction, Entry, Family, Kpi
from sim.analysis.kpis.measures import Measures
from sim.analysis.kpis.value import Undefined, Value, defined, ratio
from sim.scenario.vocabulary import DAYS_PER_MONTH, Payer

HIGHER, LOWER, NEITHER = Direction.HIGHER, Direction.LOWER, Direction.NEITHER
CURRENCY = "currency"
HORIZON = "over the horizon"
BUDGET_USED = "budget_used."
"""Prefix of the KPIs of actual over planned spend, one per channel."""

UNDERSPEND = 0.95
"""A channel that spends less than this share of its planned budget is reported."""


def _lifetime(m: Measures) -> tuple[Value, Value]:
    """Lifetime profit and lifetime ROI (see their definitions)."""
    acquisition, customers = m.acquisition_cost, m.customers
    if customers == 0:  # no lifetime value, whatever CLV would be: what was spent is lost
        return -acquisition, ratio(-acquisition, acquisition, "nothing was spent")
    clv = m.clv
    if isinstance(clv, Undefined):
        return clv, clv
    profit = customers * clv - acquisition - m.lifetime_care
    return profit, ratio(profit, acquisition + m.lifetime_care, "nothing was spent")


def _planned(m: Measures, channel: str) -> float:
    """A channel's budget and fixed cost over the days run, for the sample simulated."""
    months = m.record.days / DAYS_PER_MONTH
    return m.record.planned_per_month[channel] * months * m.record.sample_share


def _paid(name: str, payer: Payer, words: str, headline: int) -> Kpi:
    """What one kind of payer cost over the horizon."""
    return Kpi(
        name,
        CURRENCY,
        LOWER,
        f"{words}, {HORIZON}.",
        lambda m: m.money[payer],
        total=True,
        headline=headline,
    )


KPIS: list[Entry] = [
    _paid("marketing_spend", Payer.CHANNEL, "What the channels cost", 12),
    _paid("sales_cost", Payer.REP, "The reps' payroll", 13),
    _paid("referral_rewards", Payer.REFERRAL, "Rewards paid for referrals", 14),
    _paid("post_purchase_cost", Payer.POST_PURCHASE, "What post-purchase care cost", 15),
    Kpi(
        "revenue",
        CURRENCY,
        HIGHER,
        f"What the customers paid (first purchases, repeat purchases, renewals), {HORIZON}.",
        lambda m: m.money[Payer.CUSTOMER],
        total=True,
        headline=16,
    ),
    Kpi(
        "acquisition_cost",
        CURRENCY,
        LOWER,
        f"Marketing spend + sales cost + referral rewards, {HORIZON}.",
        lambda m: m.acquisition_cost,
        total=True,
    ),
    Kpi(
        "total_cost",
        CURRENCY,
        LOWER,
        f"Acquisition cost + post-purchase cost, {HORIZON}.",
        lambda m: m.total_cost,
        total=True,
    ),
    Kpi(
        "roi",
        "ratio",
        HIGHER,
        f"(Revenue × margin − total cost) / total cost, {HORIZON}.",
        lambda m: ratio(
            m.money[Payer.CUSTOMER] * m.record.margin - m.total_cost,
            m.total_cost,
            "nothing was spent",
        ),
        headline=17,
    ),
    Kpi(
        "lifetime_profit",
        CURRENCY,
        HIGHER,
        "Customers × CLV − acquisition cost − care over the customers' lifetimes (the run's "
        "care cost per customer-year × the won customers' discounted years as customers, "
        "run on past the horizon); a run that wins nobody loses what it spent.",
        lambda m: _lifetime(m)[0],
        total=True,
        headline=19,
    ),
    Kpi(
        "lifetime_roi",
        "ratio",
        HIGHER,
        "Lifetime profit / (acquisition cost + lifetime care): what relationship-building "
        "earns after the horizon.",
        lambda m: _lifetime(m)[1],
        headline=18,
    ),
    Kpi(
        "review_score",
        "score 0..1",
        HIGHER,
        "Mean score of the reviews the customers posted.",
        lambda m: defined(m.record.review_score, "no reviews"),
    ),
    Family(
        CHANNEL,
        (
            Kpi(
                "spend_planned.<channel>",
                CURRENCY,
                LOWER,
                f"The channel's budget and fixed cost, {HORIZON}.",
                _planned,
                total=True,
            ),
            Kpi(
                "spend_actual.<channel>",
                CURRENCY,
                LOWER,
                f"What the channel spent, {HORIZON}.",
                lambda m, channel: m.spend_by_source[channel],
                total=True,
            ),
            Kpi(
                f"{BUDGET_USED}<channel>",
                "share",
                NEITHER,
                f"Actual over planned spend; under {UNDERSPEND} the channel's audience or reach "
                "capped it (a warning: unspent budget is not a saving).",
                lambda m, channel: ratio(
                    m.spend_by_source[channel], _planned(m, channel), "no budget planned"
                ),
            ),
        ),
    ),
]
"""The money KPIs, in report order."""
