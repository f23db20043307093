"""Subscriptions: a price per term and a renewal at each term's end.

Source: “Getting the next sale” (the relationship after the sale brings the next one).

A subscriber whose term ends today renews with chance min(``renewal_ceiling``, 2 ×
``renewal_at_neutral`` × satisfaction) (``renewal_at_neutral`` at satisfaction 0.5; even
the most satisfied leave sometimes; for a customer who came by referral the chance of
leaving is multiplied by ``word_of_mouth.referred_churn_ratio``). A renewal pays the
next term at a price changed by ``expansion_per_term`` × (2 × satisfaction − 1), at most
``max_expansion`` × the list price: satisfied customers expand, dissatisfied ones
contract. A customer who does not renew churns. Renewal rate and net revenue retention
come from the tally. The installed base's subscribers are spread over the term
(:func:`spread_installed_base`). Annual recurring revenue and its movements are kept in
:mod:`sim.model.recurring`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model import streams
from sim.model.ledger import Item
from sim.model.lifetime import term_days
from sim.scenario.vocabulary import Payer

if TYPE_CHECKING:
    from sim.model.market import Market
    from sim.model.prospects import ProspectTable
    from sim.model.replicas import Replicas
    from sim.scenario.schema import Scenario


def renew(
    model: Market, customers: np.ndarray, satisfaction: np.ndarray, referred: np.ndarray
) -> np.ndarray:
    """Renew the subscribers whose term ends today; whether each customer leaves."""
    product, table, tally = model.spec.product, model.prospects, model.tally
    term = term_days(model.spec)
    age = model.day - table.customer_since[customers] + table.tenure[customers]
    due = (age > 0) & (age % term == 0)
    leaving = np.zeros(customers.size, dtype=bool)
    if not due.any():
        return leaving
    rows, s = customers[due], satisfaction[due]
    leave = 1.0 - np.minimum(product.renewal_ceiling, 2.0 * product.renewal_at_neutral * s)
    leave = leave * np.where(referred[due], model.spec.word_of_mouth.referred_churn_ratio, 1.0)
    gone = model.replicas.chance(streams.RENEWAL, rows, np.minimum(leave, 1.0))
    old = table.term_price[rows]
    renewed = rows[~gone]
    price = old * (1.0 + product.expansion_per_term * (2.0 * s - 1.0))
    price = np.minimum(price, product.max_expansion * product.price)[~gone]
    table.term_price[renewed] = price
    model.ledger.record(model.day, Payer.CUSTOMER, "customers", Item.RENEWAL, price, renewed)
    kept = old[~gone]
    model.recurring.add("expansion", renewed, np.maximum(price - kept, 0.0))
    model.recurring.add("contraction", renewed, np.maximum(kept - price, 0.0))
    model.recurring.add("churned", rows[gone], old[gone])
    count = model.replicas.count
    tally.add(tally.renewals_due, rows)
    tally.add(tally.renewals, renewed)
    tally.add(tally.repeat_purchases, renewed)  # a renewal is the next sale: CLV counts it
    tally.renewal_revenue_due += np.bincount(model.replicas.of(rows), old, minlength=count)
    tally.renewal_revenue += np.bincount(model.replicas.of(renewed), price, minlength=count)
    kept = np.minimum(price, kept)
    tally.renewal_revenue_kept += np.bincount(model.replicas.of(renewed), kept, minlength=count)
    leaving[due] = gone
    return leaving


def spread_installed_base(table: ProspectTable, scenario: Scenario, replicas: Replicas) -> None:
    """Give the installed base's subscribers their days into the term on day 0.

    A CRM's customers signed over past years, so their renewals fall all through the
    year, not all on one day: each is a uniform share of a term into theirs (keyed once).
    """
    if scenario.product.term_months is None:
        return
    installed = np.flatnonzero(table.customer_since == 0)
    term = term_days(scenario)
    tenure = replicas.uniform(streams.INSTALLED_TENURE, installed, once=True) * term
    table.tenure[installed] = tenure.astype(np.int32)
