"""KPIs of the journey: the funnel, the sales queue, the time to close, referrals, touches."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.analysis.kpis.axes import (
    DEAL_STAGE,
    DIMENSION,
    EXIT,
    JOURNEY_STAGE,
    SOURCE,
    TRANSITION,
    TRANSITIONS,
)
from sim.analysis.kpis.declaration import Direction, Entry, Family, Kpi
from sim.analysis.kpis.measures import NO_CUSTOMERS, Measures, quantile
from sim.analysis.kpis.value import Undefined, Value, defined, ratio
from sim.model.prospects import Stage
from sim.scenario.vocabulary import DEAL_STAGES, DIMENSIONS

HIGHER, LOWER = Direction.HIGHER, Direction.LOWER
PER_CUSTOMER = "touches per customer"


def _step(m: Measures, step: str) -> Value:
    a, b = TRANSITIONS[step]
    has_a = m.reached(Stage[a.upper()])
    both = int((has_a & m.reached(Stage[b.upper()])).sum())
    return ratio(both, int(has_a.sum()), f"nobody reached {a}")


def _aware_to_customer(m: Measures) -> Value:
    aware = m.reached(Stage.AWARE)  # reached by any touch, ours or a referrer's
    return ratio(int((aware & m.won).sum()), int(aware.sum()), "nobody reached aware")


def _talked(m: Measures) -> np.ndarray:
    """Opportunities, in a CRM's words: spoken with by a generalist rep, or SDR-qualified."""
    return m.record.prospects["opportunity_day"] >= 0


def _deals(m: Measures, stage: str) -> np.ndarray:
    """Whether each prospect's deal ever reached ``stage``."""
    return (m.record.prospects["deal_reached"] & (1 << DEAL_STAGES.index(stage))) != 0


def _within_an_hour(m: Measures) -> Value:
    hours = m.record.response_hours
    return ratio(int((hours <= 1.0).sum()), hours.size, "no lead was due a call")


def _response(q: float) -> Callable[[Measures], Value]:
    def response(m: Measures) -> Value:
        value = quantile(m.record.response_hours, q)
        if value is None:
            return Undefined("no lead was due for a rep call")
        if np.isinf(value):
            return Undefined(f"more than {1 - q:.0%} of the leads were never called")
        return value

    return response


def _days_to_close(start: str, q: float, reason: str) -> Callable[[Measures], Value]:
    def days_to_close(m: Measures) -> Value:
        since, begun = m.record.prospects["customer_since"], m.record.prospects[start]
        started = m.won & (begun >= 0)
        return defined(quantile((since[started] - begun[started]).astype(float), q), reason)

    return days_to_close


def _referral_value_ratio(m: Measures) -> Value:
    """CLV of customers who came by referral over that of the others (Schmitt et al. 2011)."""
    referred = m.record.prospects["referred"]
    values = m.mean_lifetime_value(referred), m.mean_lifetime_value(~referred)
    if isinstance(values[0], Undefined) or isinstance(values[1], Undefined):
        return Undefined("no referred customers or no others")
    return ratio(values[0], values[1], "other customers are worth nothing")


SOURCED_STAGES = ("evaluating", "sales_qualified")
"""Funnel stages also counted by the source of each prospect's first touch: a CRM's MQLs
(evaluating, or handed to sales where marketing qualifies by a lead score)."""


def _by_first_touch(stage: str) -> Kpi:
    """Prospects who ever reached ``stage``, by the source of their first touch."""

    def count(m: Measures, source: str) -> int:
        first = m.record.prospects["first_touch"] == m.record.sources.index(source)
        return int((m.reached(Stage[stage.upper()]) & first).sum())

    return Kpi(
        f"funnel.{stage}.source.<source>",
        "prospects",
        HIGHER,
        f"Prospects who ever reached {stage} whose first touch came from that source (a "
        "CRM's original lead source); those never touched (the opening pipeline, a need "
        "woken by word of mouth alone) are in no source.",
        count,
        total=True,
    )


KPIS: list[Entry] = [
    Kpi(
        "conversion_rate",
        "share",
        HIGHER,
        "New customers over the prospects in the market.",
        lambda m: ratio(m.customers, m.count(Stage.UNAWARE), "no prospects"),
        headline=6,
    ),
    Family(
        JOURNEY_STAGE,
        (
            Kpi(
                "funnel.<stage>",
                "prospects",
                HIGHER,
                "Prospects who ever reached the stage.",
                lambda m, stage: m.count(Stage[stage.upper()]),
                total=True,
            ),
        ),
    ),
    *(Family(SOURCE, (_by_first_touch(stage),)) for stage in SOURCED_STAGES),
    Family(
        EXIT,
        (
            Kpi(
                "funnel.<exit>",
                "prospects",
                LOWER,
                "Prospects who left the journey that way (an exit counts only as the exit).",
                lambda m, stage: m.count(Stage[stage.upper()]),
                total=True,
            ),
        ),
    ),
    Kpi(
        "market_share",
        "share",
        HIGHER,
        "Of the prospects who bought, here or from a competitor, the share who bought here.",
        lambda m: ratio(
            m.customers,
            m.customers + m.count(Stage.LOST_TO_COMPETITOR),
            "nobody bought, here or elsewhere",
        ),
    ),
    Family(
        TRANSITION,
        (
            Kpi(
                "conversion_rate.<a>_to_<b>",
                "share",
                HIGHER,
                "Of the prospects who ever reached stage a, the share who also reached stage b.",
                _step,
            ),
        ),
    ),
    Kpi(
        "conversion_rate.aware_to_customer",
        "share",
        HIGHER,
        "Of the prospects reached by any touch, the share won during the run.",
        _aware_to_customer,
    ),
    Kpi(
        "opportunities",
        "leads",
        HIGHER,
        "Opportunities, in a CRM's words: leads a generalist rep has spoken with, or that an "
        "SDR qualified (a good fit reached by phone).",
        lambda m: int(_talked(m).sum()),
        total=True,
    ),
    Kpi(
        "conversion_rate.sales_qualified_to_opportunity",
        "share",
        HIGHER,
        "Of the leads handed to sales, the share that became opportunities.",
        lambda m: ratio(int(_talked(m).sum()), m.count(Stage.SALES_QUALIFIED), "no leads"),
    ),
    Kpi(
        "conversion_rate.opportunity_to_customer",
        "share",
        HIGHER,
        "Of the opportunities, the share won.",
        lambda m: ratio(int((_talked(m) & m.won).sum()), int(_talked(m).sum()), "no opportunity"),
    ),
    Kpi(
        "lead_response_hours",
        "hours",
        LOWER,
        "Median hours from handoff to a rep's first call, over every lead that was due a call; "
        "a lead never called (it expired, was lost, or still waits past due) counts as never "
        "answered, and a median that falls among those is undefined.",
        _response(0.5),
        headline=7,
    ),
    Kpi(
        "lead_response_hours.p90",
        "hours",
        LOWER,
        "The 90th percentile of the same hours.",
        _response(0.9),
    ),
    Kpi(
        "lead_response_within_1h",
        "share",
        HIGHER,
        "Of the leads that were due a call, the share called within an hour of arriving "
        "(Oldroyd, McElheran & Elkington 2011).",
        _within_an_hour,
    ),
    Kpi(
        "leads_never_called",
        "share",
        LOWER,
        "Of the leads that were due a call, the share never called.",
        lambda m: ratio(
            int(np.isinf(m.record.response_hours).sum()),
            m.record.response_hours.size,
            "no lead was due",
        ),
        headline=8,
    ),
    Kpi(
        "lead_expiry_rate",
        "share",
        LOWER,
        "Of the leads handed to sales, the share that expired waiting for a rep.",
        lambda m: ratio(
            m.record.expired_leads, m.count(Stage.SALES_QUALIFIED), "no lead was handed off"
        ),
    ),
    Kpi(
        "sales_cycle_days",
        "days",
        LOWER,
        "Median days from handoff to purchase, over the customers won through a handoff.",
        _days_to_close("handoff_day", 0.5, "no customer was won through a handoff"),
    ),
    Kpi(
        "sales_cycle_days.p90",
        "days",
        LOWER,
        "The 90th percentile of the same days.",
        _days_to_close("handoff_day", 0.9, "no customer was won through a handoff"),
    ),
    Kpi(
        "no_decision_rate",
        "share",
        LOWER,
        "Of the leads and deals that were ready to buy (every trust met, the committee on "
        "side), the share that ended in no decision (Dixon & McKenna, The JOLT Effect, 2022).",
        lambda m: ratio(
            int(m.record.prospects["no_decision"].sum()),
            int(m.record.prospects["no_decision"].sum())
            + int((m.won & m.reached(Stage.SALES_QUALIFIED)).sum()),
            "no lead or deal was ready to buy",
        ),
    ),
    Kpi(
        "deal_cycle_days",
        "days",
        LOWER,
        "Median days from an opportunity's first day to the purchase (a CRM's sales cycle), "
        "over the customers won as opportunities.",
        _days_to_close("opportunity_day", 0.5, "no opportunity was won"),
    ),
    Kpi(
        "deal_cycle_days.p90",
        "days",
        LOWER,
        "The 90th percentile of the same days.",
        _days_to_close("opportunity_day", 0.9, "no opportunity was won"),
    ),
    Family(
        DEAL_STAGE,
        (
            Kpi(
                "deals.<deal_stage>",
                "opportunities",
                HIGHER,
                "Opportunities that ever reached the stage (with SDRs and AEs).",
                lambda m, stage: int(_deals(m, stage).sum()),
                total=True,
            ),
            Kpi(
                "win_rate.<deal_stage>",
                "share",
                HIGHER,
                "Of the opportunities that reached the stage, the share won.",
                lambda m, stage: ratio(
                    int((_deals(m, stage) & m.won).sum()),
                    int(_deals(m, stage).sum()),
                    f"no opportunity reached {stage}",
                ),
            ),
        ),
    ),
    Kpi(
        "journey_days",
        "days",
        LOWER,
        "Median days from first touch to purchase, over the customers won.",
        _days_to_close("first_touch_day", 0.5, "no customer was won"),
    ),
    Kpi(
        "journey_days.p90",
        "days",
        LOWER,
        "The 90th percentile of the same days.",
        _days_to_close("first_touch_day", 0.9, "no customer was won"),
    ),
    Kpi(
        "referral_share",
        "share",
        HIGHER,
        "Of the new customers, the share who came by referral.",
        lambda m: ratio(m.tally.referred_customers, m.customers, NO_CUSTOMERS),
        headline=10,
    ),
    Kpi(
        "referral_value_ratio",
        "ratio",
        HIGHER,
        "Mean lifetime value of the customers won by referral over that of the others, "
        "each customer's run on past the horizon (Schmitt, Skiera & Van den Bulte 2011).",
        _referral_value_ratio,
    ),
    Kpi(
        "touches_per_sale.total",
        PER_CUSTOMER,
        LOWER,
        "Touches delivered, from every source, per new customer.",
        lambda m: ratio(m.tally.touches_by_source.sum(), m.customers, NO_CUSTOMERS),
        headline=11,
    ),
    Family(
        DIMENSION,
        (
            Kpi(
                "touches_per_sale.<dimension>",
                PER_CUSTOMER,
                LOWER,
                "Touches listened to on that trust dimension per new customer "
                "(a touch that bounces builds no trust and is not counted).",
                lambda m, dim: ratio(
                    m.tally.touches_by_dim[DIMENSIONS.index(dim)], m.customers, NO_CUSTOMERS
                ),
            ),
        ),
    ),
    Family(
        SOURCE,
        (
            Kpi(
                "touches_per_sale.source.<source>",
                PER_CUSTOMER,
                LOWER,
                "Touches from that source per new customer.",
                lambda m, source: ratio(
                    m.by_source(m.tally.touches_by_source, source), m.customers, NO_CUSTOMERS
                ),
            ),
        ),
    ),
]
"""The journey's KPIs, in report order."""
