"""Referral selection and value: referred prospects are better fits, referred customers churn
less (Schmitt, Skiera & Van den Bulte 2011, Journal of Marketing 75(1): referred customers
are at least 16% more valuable, mostly through higher retention)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.results import collect, simulate_batch
from sim.model.model import JourneyModel
from tests.conftest import BUSY, small

STEADY = {"after_sale.care_touches_per_month": 0, "after_sale.satisfaction_decay_per_day": 0}
"""No care and no drift: a customer's worth does not depend on how long they have been one."""
NO_PREMIUM = {"word_of_mouth.referred_churn_ratio": 1.0, "word_of_mouth.fit_screening": 0.0}
"""The shipped market gives referred customers a premium; these switch it off."""


def _ratio(**overrides) -> float:
    runs = simulate_batch(small(size=5000, days=365, **BUSY, **STEADY, **overrides), [1, 2, 3, 4])
    return float(np.mean([r.kpis["referral_value_ratio"] for r in runs]))


def test_without_a_premium_referred_customers_are_worth_the_same():
    assert _ratio(**NO_PREMIUM) == pytest.approx(1.0, abs=0.08)


def test_loyal_referred_customers_are_worth_more():
    plain = _ratio(**NO_PREMIUM)
    loyal = _ratio(**{**NO_PREMIUM, "word_of_mouth.referred_churn_ratio": 0.6})
    assert loyal > plain + 0.1


def test_referrers_hold_back_from_ties_it_would_not_fit():
    def fit_share(screening: float) -> float:
        model = JourneyModel(
            small(size=5000, days=180, **{"word_of_mouth.fit_screening": screening}), seed=2
        )
        model.run()
        collect(model)
        referred = model.prospects.referred_by >= 0
        return float(model.prospects.good_fit[referred].mean())

    assert fit_share(0.9) > fit_share(0.0) + 0.1
