"""Subscriptions: a price per term, renewals at each term's end, NRR and renewal rate."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.analysis.results import collect
from sim.model.model import JourneyModel
from tests.conftest import small

TERM = {"product.term_months": 3}


def _run(**overrides):
    model = JourneyModel(small(size=3000, days=365, **overrides), seed=4)
    model.run()
    return model, collect(model)


def test_a_one_off_product_has_no_renewals():
    result = sim.simulate(small(size=1000, days=60), seed=1)
    assert result.kpis["renewal_rate"] is None
    assert result.undefined["renewal_rate"] == "not a subscription"


def test_renewals_fall_at_term_ends_and_add_up():
    model, result = _run(**TERM)
    ledger = result.ledger
    renewals = ledger[ledger["item"] == "renewal"]
    assert len(renewals) > 0
    since = model.prospects.customer_since[renewals.prospect_id.to_numpy()]
    assert ((renewals.day.to_numpy() - since) % 90 == 0).all()
    k = result.kpis
    assert k["revenue"] == pytest.approx(ledger[ledger.payer_type == "customer"].amount.sum())
    assert 0 < k["renewal_rate"] <= 1
    assert k["net_revenue_retention"] == pytest.approx(k["renewal_rate"])  # no expansion
    assert not (ledger["item"] == "repeat_purchase").any()  # renewals replace repeats


def test_satisfied_subscribers_expand():
    _, result = _run(**TERM, **{"product.expansion_per_term": 0.3})
    k = result.kpis
    assert k["net_revenue_retention"] > k["renewal_rate"]  # care keeps satisfaction above 0.5


def test_a_likelier_renewal_keeps_more_subscribers():
    rates = [
        _run(**TERM, **{"product.renewal_at_neutral": r})[1].kpis["renewal_rate"]
        for r in (0.3, 0.6, 0.9)
    ]
    assert rates[0] < rates[1] < rates[2]
    assert np.isfinite(rates).all()


def test_the_installed_base_renews_all_through_the_year():
    """Customers signed before the run renew on their own term ends, not all on one day."""
    yearly = {"product.term_months": 12, "population.initial_customer_share": 0.05}
    model, result = _run(**yearly)
    ledger = result.ledger
    renewals = ledger[(ledger["item"] == "renewal")]
    rows = renewals.prospect_id.to_numpy()
    installed = model.prospects.customer_since[rows] == 0
    days = renewals.day.to_numpy()[installed]
    assert days.size > 50
    months = np.bincount(days // 30, minlength=12)[:12]
    assert (months > 0).all()  # every month sees some of them
    assert months.max() < 0.2 * days.size
    tenure = model.prospects.tenure[rows[installed]]
    assert ((days + tenure) % 360 == 0).all()  # each on its own term's end
