"""The referral programme: rewards that lift referrals, a monthly budget, a cap, eligibility."""

from __future__ import annotations

import numpy as np

from sim.analysis.results import simulate_batch
from sim.model import word_of_mouth
from sim.model.model import JourneyModel
from sim.model.prospects import OPEN_STAGES, Stage
from sim.scenario.vocabulary import DAYS_PER_MONTH, Payer
from tests.conftest import BUSY, small

PROGRAMME = "word_of_mouth.referral_programme"
SEEDS = [1, 2, 3]


def market(days: int = 120, size: int = 2000, overrides: dict | None = None, **programme: float):
    """A small market where word of mouth matters, with the programme's fields set."""
    fields = {f"{PROGRAMME}.{key}": value for key, value in programme.items()}
    return small("recommendation_driven", size, days, **{**BUSY, **fields, **(overrides or {})})


def run(spec, seed: int = 1) -> JourneyModel:
    model = JourneyModel(spec, seed=seed)
    model.collect_every_day = False
    model.run()
    return model


def rewards_paid(model: JourneyModel):
    ledger = model.ledger.to_frame(0)
    return ledger[ledger.payer_type == Payer.REFERRAL]


def test_a_reward_that_doubles_lifts_the_referral_share_monotonically():
    shares = []
    for reward in (0, 500, 1000, 2000):
        results = simulate_batch(market(reward_referrer=reward), SEEDS)
        shares.append(np.mean([r.kpis["referral_share"] for r in results]))
    assert all(a < b for a, b in zip(shares, shares[1:], strict=False)), shares


def test_a_reward_lifts_referrals_on_a_dear_contract_too():
    """A reward's pull is its absolute size: 1,000 on an 18,000 contract still moves people."""
    shares = []
    for reward in (0, 1000):
        spec = market(reward_referrer=reward, overrides={"product.price": 18000})
        shares.append(np.mean([r.kpis["referral_share"] for r in simulate_batch(spec, SEEDS)]))
    assert shares[1] > shares[0] * 1.05, shares


def test_a_months_rewards_never_exceed_its_budget():
    terms = {"reward_referrer": 100, "reward_referred": 50, "ask_rate_per_month": 4}
    free = rewards_paid(run(market(**terms)))
    capped = rewards_paid(run(market(**terms, budget_per_month=450)))
    month = lambda paid: ((paid.day - 1) // DAYS_PER_MONTH).astype(int)  # noqa: E731
    by_month = capped.groupby(month(capped)).amount.sum()
    assert by_month.max() <= 450
    assert (by_month == 450).any()  # the budget binds: three referrals' rewards a month
    assert free.groupby(month(free)).amount.sum().max() > 450  # without it, more is paid


def test_no_customer_is_rewarded_for_more_referrals_than_the_cap():
    terms = {"reward_referrer": 100, "ask_rate_per_month": 10}
    free, capped = run(market(**terms)), run(market(**terms, cap_per_referrer=1))
    for model, most in ((free, None), (capped, 1)):
        buyers = rewards_paid(model).prospect_id.to_numpy()
        per_referrer = np.bincount(model.prospects.referred_by[buyers])
        assert per_referrer.sum() == model.referrals.rewarded.sum() == buyers.size
        if most is None:
            assert per_referrer.max() > 1  # the cap has something to stop
        else:
            assert per_referrer.max() == most
            assert model.referrals.rewarded.max() == most


def asked_referrers(spec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every day's asked customers who refer: their satisfaction and tenure, and the receivers."""
    model = JourneyModel(spec, seed=1)
    model.collect_every_day = False
    satisfaction, tenure, receivers = [], [], []
    for _ in range(spec.horizon_days):
        model.step()
        table = model.prospects
        told, asked = model.referrals.ask(table, model.graph, model.day)  # today's, again
        satisfaction.append(table.satisfaction[asked])
        tenure.append(model.day - table.customer_since[asked])
        receivers.append(table.stage[told])
    return tuple(np.concatenate(x) for x in (satisfaction, tenure, receivers))


def asks_only(**programme: float):
    """Nobody talks of their own accord: every referral comes from an ask."""
    quiet = {"word_of_mouth.conversation_rate_per_day": 0.0}
    return market(90, overrides=quiet, ask_rate_per_month=30, reward_referrer=100, **programme)


def test_ineligible_customers_are_not_asked_to_refer():
    satisfaction, tenure, told = asked_referrers(asks_only())
    assert (satisfaction < 0.7).any() and (tenure < DAYS_PER_MONTH).any()  # a rule would bite
    assert OPEN_STAGES[told].all()  # a referral goes to an open prospect
    satisfaction, _, _ = asked_referrers(asks_only(min_satisfaction=0.7))
    assert satisfaction.size > 0 and (satisfaction >= np.float32(0.7)).all()
    _, tenure, _ = asked_referrers(asks_only(eligible_after_months=1.0))
    assert tenure.size > 0 and (tenure >= DAYS_PER_MONTH).all()


def test_nobody_refers_through_asks_before_they_are_eligible():
    ever = asks_only()
    never = asks_only(eligible_after_months=4.0)  # longer than the run
    shares = [r.kpis["referral_share"] for s in (ever, never) for r in simulate_batch(s, [1])]
    assert shares[0] > 0.05 and shares[1] == 0.0


def test_a_referral_not_listened_to_does_not_make_its_receiver_referred():
    """Regression: a bounced recommendation marked its receiver as referred (and paid a reward
    if they bought later by another path)."""
    bounce = {
        "word_of_mouth.conversation_rate_per_day": 1.0,
        "word_of_mouth.need_activation": 0.0,
        "word_of_mouth.fit_screening": 0.0,
        "attention.no_need_receptivity": 0.0,
    }
    spec = market(days=10, size=400, overrides=bounce, reward_referrer=100)
    model = JourneyModel(spec, seed=1)
    table = model.prospects
    customers = np.arange(0, 400, 2)
    table.move(customers, Stage.CUSTOMER)
    table.satisfaction[customers] = 1.0
    listening = np.arange(1, 400, 4)  # half the open prospects have a need: they listen
    table.need[:] = False
    table.need[listening] = True
    word_of_mouth.spread(model, model.graph)
    referred = np.flatnonzero(table.referred_by >= 0)
    touched = np.flatnonzero(table.touches_by_source[:, model.source_index["referral"]])
    assert referred.size > 0 and touched.size > referred.size  # some bounced
    assert table.need[referred].all()  # only those who listened are referred
    assert not model.referrals.promised[~table.need].any()
