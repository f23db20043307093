"""Winning a customer and what happens after the sale.

Sources: “Why touchpoint management?”; “Getting the next sale”.

A purchase brings revenue and starts a customer's satisfaction at the product's
baseline. Post-purchase care and loyalty rewards lift satisfaction, which then
drifts back. Satisfaction drives repeat purchases, the churn hazard, advocacy,
the review score and willingness to recommend, which is how "good profits"
from loyal customers feed the next sales.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model import streams
from sim.model.ledger import Item
from sim.model.prospects import ACTIVE_CUSTOMER, Stage, in_stages
from sim.model.subscriptions import renew
from sim.model.teams import Team, oldest_first
from sim.scenario.vocabulary import DAYS_PER_MONTH, DAYS_PER_YEAR, Payer

if TYPE_CHECKING:
    from sim.model.market import Market
    from sim.scenario.schema import Scenario


def win(model: Market, rows: np.ndarray, day: int) -> None:
    """Turn prospects into customers: revenue, satisfaction, referral rewards, attribution."""
    if rows.size == 0:
        return
    table, spec = model.prospects, model.spec
    model.won_today.append(rows)
    table.move(rows, Stage.CUSTOMER)
    table.customer_since[rows] = day
    table.next_contact[rows] = np.inf
    drawn = spec.product.satisfaction
    satisfaction = model.replicas.satisfaction(streams.SATISFACTION, rows, drawn, once=True)
    table.base_satisfaction[rows] = satisfaction
    table.satisfaction[rows] = satisfaction
    if spec.reviews.enabled:
        table.review_day[rows] = day + spec.reviews.delay_days
    model.ledger.record(day, Payer.CUSTOMER, "customers", Item.PURCHASE, spec.product.price, rows)
    model.recurring.add("new", rows, table.term_price[rows])
    referred = rows[table.referred_by[rows] >= 0]
    model.referrals.pay_rewards(table, model.ledger, rows, day)
    model.tally.add_sales(table, rows, referred)


def care_for_customers(model: Market, day: int) -> None:
    """One day in the life of the customer base: care, drift, repeats, churn, reviews.

    When nothing happens after the sale (no care, drift, repeats, churn or reviews)
    only the customers won today (``model.won_today``, as :func:`win` made them)
    can change after the first day's full pass: the base is counted from the stage
    counts, not scanned.
    """
    table, spec = model.prospects, model.spec
    after = spec.after_sale
    replicas, tally = model.replicas, model.tally
    csm = model.teams.get("csm")
    if csm is not None:  # the CSMs are paid every day, busy or not
        pay = csm.pay_per_day * csm.on_payroll(day).sum()
        model.ledger.record(day, Payer.POST_PURCHASE, "csm", Item.CARE, pay, touches=0)
    if day > 1 and _quiet(spec):
        tally.customer_days += table.stage_counts[:, ACTIVE_CUSTOMER].sum(axis=1)
        won = np.concatenate([np.zeros(0, dtype=np.int64), *model.won_today])
        table.move(won[table.satisfaction[won] >= after.advocate_at], Stage.ADVOCATE)
        return
    customers = np.flatnonzero(in_stages(table.stage, ACTIVE_CUSTOMER))
    if customers.size == 0:
        return
    satisfaction = table.satisfaction[customers]
    referred = table.referred_by[customers] >= 0
    changed = after.satisfaction_decay_per_day > 0
    if changed:
        base = table.base_satisfaction[customers]
        satisfaction = base + (satisfaction - base) * (1.0 - after.satisfaction_decay_per_day)

    if after.care_touches_per_month > 0:
        rate = after.care_touches_per_month / DAYS_PER_MONTH
        if csm is not None:  # check-ins are booked on the CSMs' working days
            working = csm.calendar.window(day) is not None
            rate = min(rate / spec.calendar.working_share, 1.0) if working else 0.0
        cared = replicas.chance(streams.CARE, customers, rate)
        tally.add(tally.care_due, customers[cared])
        if csm is None:
            cost = after.care_cost_per_touch
            model.ledger.record(day, Payer.POST_PURCHASE, "care", Item.CARE, cost, customers[cared])
        else:
            cared[cared] = _within_capacity(model, csm, customers[cared], day)
        tally.add(tally.care_given, customers[cared])
        satisfaction[cared] += after.care_satisfaction_gain
        changed = True

    product = spec.product
    subscribing = product.term_months is not None
    repeat_rate = 0.0 if subscribing else product.repeat_purchases_per_year / DAYS_PER_YEAR
    repeat = (
        replicas.chance(streams.REPEAT, customers, repeat_rate * satisfaction)
        if repeat_rate > 0
        else None
    )
    if repeat is not None and repeat.any():
        model.ledger.record(
            day, Payer.CUSTOMER, "customers", Item.REPEAT_PURCHASE, product.price, customers[repeat]
        )
        tally.add(tally.repeat_purchases, customers[repeat])
        if after.loyalty_reward > 0:
            satisfaction[repeat] += after.loyalty_satisfaction_gain
            changed = True
            model.ledger.record(
                day,
                Payer.POST_PURCHASE,
                "loyalty",
                Item.LOYALTY,
                after.loyalty_reward,
                customers[repeat],
            )
    if changed:  # otherwise it is the stored satisfaction, already within [0, 1]
        satisfaction = np.clip(satisfaction, 0.0, 1.0)
        table.satisfaction[customers] = satisfaction

    if subscribing:
        churn = renew(model, customers, satisfaction, referred)
        churned, staying, satisfaction = customers[churn], customers[~churn], satisfaction[~churn]
    elif product.churn_per_year > 0:
        hazard = product.churn_per_year / DAYS_PER_YEAR * 2.0 * (1.0 - satisfaction)
        if spec.word_of_mouth.referred_churn_ratio != 1.0:
            hazard = hazard * np.where(referred, spec.word_of_mouth.referred_churn_ratio, 1.0)
        churn = replicas.chance(streams.CHURN, customers, hazard)
        churned, staying, satisfaction = customers[churn], customers[~churn], satisfaction[~churn]
    else:
        churned, staying = customers[:0], customers
    table.move(churned, Stage.CHURNED)
    table.left_day[churned] = day
    tally.add(tally.churned, churned)
    tally.add(tally.customer_days, customers)

    # only customers whose advocacy changes are written: a base of a million stays cheap
    advocates = satisfaction >= after.advocate_at
    was_advocate = table.stage[staying] == Stage.ADVOCATE
    promoted = staying[advocates & ~was_advocate]
    table.move(promoted, Stage.ADVOCATE)
    table.move(staying[~advocates & was_advocate], Stage.CUSTOMER)

    if spec.reviews.enabled:
        due = staying[table.review_day[staying] == day]
        leaving = churned[table.review_day[churned] >= 0]
        writers = replicas.merge(due, leaving)
        posts = writers[replicas.chance(streams.REVIEW_POSTED, writers, spec.reviews.post_share)]
        model.reviews.post(posts, table.satisfaction[posts])
        table.review_day[writers] = -1


def _within_capacity(model: Market, csm: Team, due: np.ndarray, day: int) -> np.ndarray:
    """Which of today's due care touches the CSMs make, in their hours (in random order).

    Care not given today is missed, not carried over: the next touch comes when it is due.
    """
    window = csm.calendar.window(day)
    if window is None:
        return np.zeros(due.size, dtype=bool)
    order = model.replicas.uniform(streams.CARE_ORDER, due)
    minutes = csm.work(due, np.full(due.size, day))
    served = csm.serve(due, np.full(due.size, window[0]), order, minutes, day, oldest_first)
    return np.isin(due, served)


def _quiet(spec: Scenario) -> bool:
    """Whether nothing can change a customer after the sale but winning them."""
    after, product = spec.after_sale, spec.product
    return not (
        product.term_months is not None
        or after.satisfaction_decay_per_day > 0
        or after.care_touches_per_month > 0
        or spec.sales.roles is not None
        or product.repeat_purchases_per_year > 0
        or product.churn_per_year > 0
        or spec.reviews.enabled
    )
