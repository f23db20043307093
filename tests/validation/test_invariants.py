"""Invariants that hold for any valid scenario (verification, Rand & Rust 2011).

Hypothesis draws 60 valid scenarios: a shipped strategy (or the Bass reduction) with
random overrides of population, attention, journey, handoff, sales, channels,
word of mouth, product and after-sale parameters. Derandomized, so the examples
are the same on every run. For each run: prospects are conserved every day, the
ledger adds up to the summary, a month's referral rewards keep to the programme's
budget, no trust, fatigue or spend is negative, satisfaction stays within [0, 1],
and every KPI is a finite number or None with a reason.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.model.prospects import Stage
from tests.conftest import SCENARIOS, SHIPPED

FILES = [*SHIPPED, SCENARIOS / "validation" / "bass.yaml"]
STAGE_COLUMNS = [f"stage.{s.name.lower()}" for s in Stage]

unit = st.floats(0.0, 1.0)
small_rate = st.floats(0.0, 0.2)


@st.composite
def scenarios(draw):
    """A valid scenario: a shipped file and random overrides."""
    path = draw(st.sampled_from(FILES))
    base = sim.load_scenario(path)
    engage = draw(unit)
    o = {
        "population.size": draw(st.integers(50, 600)),
        "horizon_days": draw(st.integers(1, 60)),
        "population.trust_threshold.spread": draw(st.floats(0.0, 1.0)),
        "population.trust_threshold.rep": draw(st.floats(0.0, 10.0)),
        "population.good_fit_share": draw(unit),
        "population.initial_need_share": draw(unit),
        "population.need_rate_per_day": draw(small_rate),
        "population.need_duration_days": draw(st.floats(0.5, 400.0)),
        "population.initial_customer_share": draw(st.floats(0.0, 0.3)),
        "attention.no_need_receptivity": draw(unit),
        "attention.decay_per_day": draw(small_rate),
        "attention.opt_out_fatigue": draw(st.floats(0.1, 10.0)),
        "journey.engage_at": engage,
        "journey.evaluate_at": draw(st.floats(engage, 1.0)),
        "handoff.rule": draw(st.sampled_from(["mean", "min"])),
        "handoff.level": draw(unit),
        "handoff.qualify": draw(st.booleans()),
        "handoff.self_serve": draw(st.booleans()),
        "sales.reps": draw(st.integers(0, 4)),
        "sales.response_time_hours": draw(st.floats(0.0, 200.0)),
        "sales.cooling_per_day": draw(unit),
        "sales.queue_order": draw(st.sampled_from(["oldest_first", "newest_first"])),
        "sales.max_touches_per_lead": draw(st.integers(1, 10)),
        "sales.lead_expiry_days": draw(st.floats(0.5, 30.0)),
        "word_of_mouth.network": draw(st.sampled_from(["graph", "full", "none"])),
        "word_of_mouth.mean_degree": draw(st.floats(0.0, 20.0)),
        "word_of_mouth.conversation_rate_per_day": draw(unit),
        "word_of_mouth.referral_programme.reward_referrer": draw(st.floats(0.0, 500.0)),
        "word_of_mouth.referral_programme.reward_referred": draw(st.floats(0.0, 100.0)),
        "word_of_mouth.referral_programme.ask_rate_per_month": draw(st.floats(0.0, 4.0)),
        "word_of_mouth.referral_programme.budget_per_month": draw(st.floats(0.0, 2000.0)),
        "word_of_mouth.referral_programme.cap_per_referrer": draw(st.integers(0, 3)),
        "word_of_mouth.referral_programme.min_satisfaction": draw(unit),
        "reviews.enabled": draw(st.booleans()),
        "reviews.delay_days": draw(st.integers(0, 30)),
        "product.price": draw(st.floats(0.0, 5000.0)),
        "product.satisfaction.mean": draw(unit),
        "product.churn_per_year": draw(st.floats(0.0, 5.0)),
        "product.repeat_purchases_per_year": draw(st.floats(0.0, 12.0)),
        "after_sale.care_touches_per_month": draw(st.floats(0.0, 4.0)),
        "after_sale.loyalty_reward": draw(st.floats(0.0, 100.0)),
    }
    for name in base.channels:
        if draw(st.booleans()):
            o[f"channels.{name}.enabled"] = draw(st.booleans())
            o[f"channels.{name}.budget"] = draw(st.floats(0.0, 20000.0))
            o[f"channels.{name}.reach_per_day"] = draw(unit)
            o[f"channels.{name}.reach_share"] = draw(unit)
            o[f"channels.{name}.quality.mean"] = draw(st.floats(0.1, 4.0))
            o[f"channels.{name}.intrusiveness"] = draw(st.floats(0.0, 2.0))
    return sim.load_scenario(path, o), draw(st.integers(0, 2**31))


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(scenarios())
def test_invariants_hold_for_random_scenarios(drawn):
    scenario, seed = drawn
    n = scenario.population.size
    model = sim.JourneyModel(scenario, seed)
    model.run()
    result = sim.collect(model)
    table, daily, ledger, k = model.prospects, result.daily, result.ledger, result.kpis

    # conservation of prospects, every day
    assert len(daily) == scenario.horizon_days + 1
    assert (daily[STAGE_COLUMNS].sum(axis=1) == n).all()
    assert daily["new_customers"].sum() == k["customers"]

    # ledger = summary
    by_type = ledger.groupby("payer_type", observed=False).amount.sum()
    for payer, kpi in [
        ("channel", "marketing_spend"),
        ("rep", "sales_cost"),
        ("referral", "referral_rewards"),
        ("post_purchase", "post_purchase_cost"),
        ("customer", "revenue"),
    ]:
        assert by_type.get(payer, 0.0) == pytest.approx(k[kpi], rel=1e-9, abs=1e-6)
    purchases = ledger[ledger.item == "purchase"]
    assert len(purchases) == k["customers"] and purchases.prospect_id.is_unique
    spend = [c for c in daily.columns if c.startswith("spend.")]
    assert daily[spend].to_numpy().sum() == pytest.approx(
        by_type.drop("customer", errors="ignore").sum(), rel=1e-9, abs=1e-6
    )

    # the referral programme keeps to its monthly budget
    paid = ledger[ledger.payer_type == "referral"]
    budget = scenario.word_of_mouth.referral_programme.budget_per_month
    monthly = paid.groupby((paid.day - 1) // 30).amount.sum()
    assert (monthly <= budget * scenario.population.sample_share + 1e-6).all()

    # nothing negative, satisfaction a share
    assert (table.trust >= 0).all() and (table.fatigue >= 0).all()
    assert (ledger.amount >= 0).all()
    assert ((table.satisfaction >= 0) & (table.satisfaction <= 1)).all()

    # every KPI finite, or None with a reason
    for name, value in k.items():
        if value is None:
            assert result.undefined.get(name), name
        else:
            assert isinstance(value, float) and math.isfinite(value), (name, value)
    assert set(result.undefined) <= {name for name, v in k.items() if v is None}
    assert np.isfinite(daily.drop(columns=["review_score"]).to_numpy()).all()
