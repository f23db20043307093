"""Lifetime value from the model's own future: the customers' lives run off past the horizon.

Source: “Getting the next sale” (the value of a customer is the next sale and the next).

A run ends at its horizon, but its customers do not: a subscriber renews for years. So
when a run's results are collected, every customer won during the run who is still a
customer is simulated on past the horizon under the same after-sale processes as in
the run (:mod:`sim.model.aftersale`, :mod:`sim.model.subscriptions`): satisfaction
drifting back to the customer's baseline, care touches at the rate the run gave them
(with CSMs, the share of due care they had time for), repeat purchases and loyalty
gains, the churn hazard, or renewals with expansion and contraction. Each purchase's
margin is discounted to the day the customer was won; a customer's lifetime value is
what they paid during the run plus this run-off.

The run-off is exact in distribution to the run's daily process but cheap: it jumps
from event to event (a care touch, a candidate repeat purchase or churn day, a renewal),
satisfaction's decay between events is closed form, and a daily chance that varies with
satisfaction is drawn by thinning (candidate days at the highest chance, each kept with
the ratio of the day's chance to it). Customers are independent after the horizon, so
each is one compiled loop. Draws are keyed by (seed, stream, prospect, event number):
the same customer meets the same future in every plan (common random numbers). A life
is followed for at most :data:`MAX_YEARS`, so a customer who never leaves and is not
discounted is still worth a finite amount.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from sim.model import streams
from sim.model.counters import _base, _unit, _word
from sim.model.prospects import ACTIVE_CUSTOMER, in_stages
from sim.model.replicas import Replicas
from sim.scenario.vocabulary import DAYS_PER_MONTH, DAYS_PER_YEAR

if TYPE_CHECKING:
    from sim.model.market import Market
    from sim.scenario.schema import Scenario

MAX_YEARS = 100
"""The longest a customer's life is followed past the horizon (years)."""

_STREAMS = np.array(
    [
        streams.stream_key(s)
        for s in (streams.RUN_OFF_CARE, streams.RUN_OFF_REPEAT, streams.RUN_OFF_LEAVES)
    ],
    dtype=np.uint64,
)
"""The keys of the run-off's streams: care, repeat purchases, churn and renewal."""
_NEVER = np.iinfo(np.int64).max // 4


def term_days(scenario: Scenario) -> int:
    """Days of one subscription term (0 for a one-off product)."""
    months = scenario.product.term_months
    return 0 if months is None else max(1, round(months * DAYS_PER_MONTH))


def discount_per_day(scenario: Scenario) -> float:
    """The daily log discount: a margin ``t`` days later is worth exp(−t × this)."""
    return math.log1p(scenario.product.discount_rate_per_year) / DAYS_PER_YEAR


def discounted_years(days: np.ndarray, scenario: Scenario) -> np.ndarray:
    """Years of being a customer over ``days`` days, discounted to their first day."""
    rate = discount_per_day(scenario)
    days = np.asarray(days, dtype=np.float64)
    if rate == 0:
        return days / DAYS_PER_YEAR
    return -np.expm1(-rate * days) / (rate * DAYS_PER_YEAR)


def _parameters(scenario: Scenario, care_share: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The after-sale process as numbers for the kernel, and the daily care chance per replica."""
    product, after = scenario.product, scenario.after_sale
    subscribing = product.term_months is not None
    repeat = 0.0 if subscribing else product.repeat_purchases_per_year / DAYS_PER_YEAR
    churn = 0.0 if subscribing else product.churn_per_year / DAYS_PER_YEAR
    params = np.array(
        [
            product.price * product.margin,
            discount_per_day(scenario),
            after.satisfaction_decay_per_day,
            after.care_satisfaction_gain,
            repeat,
            after.loyalty_satisfaction_gain if after.loyalty_reward > 0 else 0.0,
            churn,
            float(term_days(scenario)),
            product.renewal_at_neutral,
            product.expansion_per_term,
            MAX_YEARS * DAYS_PER_YEAR,
            product.renewal_ceiling,
            product.max_expansion,
        ]
    )
    care = np.minimum(after.care_touches_per_month / DAYS_PER_MONTH * care_share, 1.0)
    return params, care


def lifetimes(
    model: Market, start: int, stop: int, payments: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Lifetime value and discounted customer-years of rows ``start .. stop`` (one replication).

    For a customer won during the run: the margin of what they paid during it (their
    ``payments``: prospect numbers within the replication, days and amounts, as the
    ledger has them), discounted to the day they were won, plus their run-off past today
    (:func:`run_off`); and their years as a customer, discounted the same way. Every other
    row gets 0.
    """
    table, day, spec = model.prospects, model.day, model.spec
    since = table.customer_since[start:stop]
    won = since >= 1
    left = table.left_day[start:stop]
    days = np.where(left >= 0, left, day) - since
    future, future_years = run_off(model, start + np.flatnonzero(won))
    prospect, when, amount = payments
    discount = np.exp(-discount_per_day(spec) * (when - since[prospect]))
    paid = np.bincount(prospect, amount * spec.product.margin * discount, minlength=since.size)
    value = np.where(won, paid, 0.0)
    years = np.where(won, discounted_years(np.maximum(days, 0), spec), 0.0)
    value[won] += future
    years[won] += future_years
    return value, years


def run_off(model: Market, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The value and discounted years of ``rows`` after today, discounted to the day won.

    Rows that are no longer customers (or were never won) have no future: 0.
    """
    table, spec, replicas = model.prospects, model.spec, model.replicas
    value, years = np.zeros(rows.size), np.zeros(rows.size)
    active = in_stages(table.stage[rows], ACTIVE_CUSTOMER) & (table.customer_since[rows] >= 1)
    rows, where = rows[active], np.flatnonzero(active)
    if rows.size == 0:
        return value, years
    tally = model.tally
    care_share = np.where(tally.care_due > 0, tally.care_given / np.maximum(tally.care_due, 1), 1.0)
    params, care = _parameters(spec, care_share)
    replica = replicas.of(rows)
    age = model.day - table.customer_since[rows]
    referred = table.referred_by[rows] >= 0
    price = spec.product.price
    future, alive = _lives(
        replicas.keys[replica],
        (rows - replicas.offsets[replica]).astype(np.int64),
        table.satisfaction[rows].astype(np.float64),
        table.base_satisfaction[rows].astype(np.float64),
        table.term_price[rows] / price if price > 0 else np.ones(rows.size),
        (age + table.tenure[rows]).astype(np.int64),
        np.where(referred, spec.word_of_mouth.referred_churn_ratio, 1.0),
        care[replica],
        params,
        np.zeros(rows.size, dtype=np.int64),
        np.zeros(0),
        _STREAMS,
    )
    back = np.exp(-params[1] * age)  # from today to the day each was won
    value[where] = future * back
    years[where] = discounted_years(alive, spec) * back
    return value, years


def new_customers(
    scenario: Scenario,
    first_days: np.ndarray,
    seed: int,
    hist_days: int = 0,
    *,
    lives_only_to_hist: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The lives of a cohort of new customers won on ``first_days``, under the after-sale.

    Each customer's satisfaction is drawn at purchase from ``product.satisfaction`` (keyed
    as in a run with ``seed``) and their life then follows the scenario's after-sale
    process, with all of its care. Returns each customer's lifetime value (the first
    purchase's margin included, discounted to the day they were won), their days as a
    customer, and their repeat purchases by day ``0 .. hist_days - 1`` (summed). With
    ``lives_only_to_hist`` lives are followed only to day ``hist_days`` (for the
    purchases alone: the values are then cut short).
    """
    first = np.asarray(first_days, dtype=np.int64)
    params, care = _parameters(scenario, np.ones(1))
    if lives_only_to_hist and first.size:
        params[10] = min(params[10], max(hist_days - int(first.min()), 0))
    replicas = Replicas([seed], first.size)  # keyed as a run with ``seed`` keys them
    prospects = np.arange(first.size, dtype=np.int64)
    drawn = scenario.product.satisfaction
    satisfaction = replicas.satisfaction(streams.SATISFACTION, prospects, drawn, once=True)
    satisfaction = satisfaction.astype(np.float64)
    hist = np.zeros(hist_days)
    future, alive = _lives(
        replicas.keys[np.zeros(first.size, dtype=np.int64)],
        prospects,
        satisfaction,
        satisfaction,
        np.ones(first.size),
        np.zeros(first.size, dtype=np.int64),
        np.ones(first.size),
        np.full(first.size, care[0]),
        params,
        first,
        hist,
        _STREAMS,
    )
    return params[0] + future, alive, hist


def repeat_purchases(
    scenario: Scenario, first_days: np.ndarray, days: int, seeds: Sequence[int]
) -> np.ndarray:
    """Mean repeat purchases per day of a cohort won on ``first_days`` (see :func:`new_customers`).

    Returns days ``0 .. days - 1`` summed over the cohort, averaged over ``seeds``.
    """
    curves = [
        new_customers(scenario, first_days, seed, days, lives_only_to_hist=True)[2]
        for seed in seeds
    ]
    return np.mean(curves, axis=0) if curves else np.zeros(days)


@njit
def _gap(u, p):  # noqa: ANN001, ANN202 - compiled
    """Days to the next success of a daily chance ``p`` (geometric, at least 1)."""
    if p >= 1.0:
        return 1
    rate = -math.log1p(-p)
    if rate <= 0.0:  # no chance, or one too small to tell from none
        return _NEVER
    gap = -math.log1p(-u) / rate
    return _NEVER if gap >= _NEVER else int(gap) + 1


@njit(cache=True, nogil=True)
def _lives(seeds, prospects, sat, base, scale, age, leave_ratio, care, params, start, hist, keys):  # noqa: ANN001, ANN202, PLR0913, PLR0915, C901
    """Each customer's discounted future margin and days alive (see the module docstring).

    ``scale`` multiplies the price (a subscriber's current term price over the list
    price); ``age`` is the days into the subscription; ``start`` offsets each customer's
    days in ``hist`` (repeat purchases by day, if ``hist`` is not empty).
    """
    margin, rate, decay, gain = params[0], params[1], params[2], params[3]
    repeat, loyalty, churn, term = params[4], params[5], params[6], int(params[7])
    renew_at, expand, end = params[8], params[9], int(params[10])
    ceiling, most = params[11], params[12]
    n = seeds.size
    value = np.zeros(n)
    alive = np.zeros(n, dtype=np.int64)
    keep = 1.0 - decay
    for i in range(n):
        p = prospects[i]
        b_care = _base(seeds[i], keys[0], 0)
        b_repeat = _base(seeds[i], keys[1], 0)
        b_leave = _base(seeds[i], keys[2], 0)
        j_care, j_repeat, j_leave = 0, 0, 0
        s, s0 = sat[i], base[i]
        price = scale[i]
        top_repeat = min(repeat * (1.0 + gain + loyalty), 1.0)
        top_churn = min(churn * 2.0 * leave_ratio[i], 1.0)
        t = 0
        next_care = _gap(_unit(_word(b_care, p, j_care)), care[i])
        next_repeat = _gap(_unit(_word(b_repeat, p, j_repeat)), top_repeat)
        next_churn = _gap(_unit(_word(b_leave, p, j_leave)), top_churn)
        j_care, j_repeat, j_leave = 1, 1, 1
        next_renewal = _NEVER
        if term > 0:
            next_renewal = term - age[i] % term
        total = 0.0
        life = end
        while True:
            t_next = min(next_care, next_repeat, next_churn, next_renewal)
            if t_next > end:
                break
            if decay > 0.0 and s != s0:
                s = s0 + (s - s0) * keep ** (t_next - t)
            t = t_next
            if t == next_care:
                s += gain
                next_care = t + _gap(_unit(_word(b_care, p, j_care)), care[i])
                j_care += 1
            if t == next_repeat:
                u = _unit(_word(b_repeat, p, j_repeat))
                j_repeat += 1
                if u * top_repeat < repeat * s:
                    total += margin * math.exp(-rate * t)
                    if start[i] + t < hist.size:
                        hist[start[i] + t] += 1.0
                    s += loyalty
                next_repeat = t + _gap(_unit(_word(b_repeat, p, j_repeat)), top_repeat)
                j_repeat += 1
            s = min(max(s, 0.0), 1.0)
            if t == next_churn:
                u = _unit(_word(b_leave, p, j_leave))
                j_leave += 1
                if u * top_churn < churn * 2.0 * (1.0 - s) * leave_ratio[i]:
                    life = t
                    break
                next_churn = t + _gap(_unit(_word(b_leave, p, j_leave)), top_churn)
                j_leave += 1
            if t == next_renewal:
                u = _unit(_word(b_leave, p, j_leave))
                j_leave += 1
                leave = min((1.0 - min(ceiling, 2.0 * renew_at * s)) * leave_ratio[i], 1.0)
                if u < leave:
                    life = t
                    break
                price = min(price * (1.0 + expand * (2.0 * s - 1.0)), most)
                total += margin * price * math.exp(-rate * t)
                next_renewal += term
        value[i] = total
        alive[i] = life
    return value, alive
