"""The default market against published facts, each with its source and a stated tolerance.

The shipped strategies run on the shipped market (10,000 prospects × 365 days, 10
replications); docs/validation.md quotes the same figures from 30.

- B2B funnels: SQL → opportunity 40–80 %, opportunity → won 15–35 %, so roughly 8–35 % of
  sales-qualified leads are won; of prospects reached, a few percent buy within a year
  (published B2B funnel benchmarks, e.g. the SiriusDecisions Demand Waterfall).
- Oldroyd, McElheran & Elkington, "The Short Life of Online Sales Leads", Harvard Business
  Review (2011): leads tried within the hour were ~7× as likely to be qualified as an hour
  later and ~60× as after a day.
- Schmitt, Skiera & Van den Bulte, "Referral programs and customer value", Journal of
  Marketing 75 (2011): referred customers are at least 16 % more valuable.
- Sultan, Farley & Lehmann, "A meta-analysis of applications of diffusion models", Journal
  of Marketing Research 27 (1990): across 213 applications, p ≈ 0.03 and q ≈ 0.38 a year.
- Dawes, "Advertising effectiveness and the 95-5 rule" (Ehrenberg-Bass Institute / LinkedIn
  B2B Institute, 2021): about 5 % of B2B buyers are in market in a quarter.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import curve_fit

import sim
from sim.analysis.results import simulate_batch
from sim.experiments import compare
from sim.model.model import JourneyModel
from tests.conftest import SCENARIOS
from tests.test_strategies import STRATEGIES

REPLICATIONS = 10


@pytest.fixture(scope="module")
def shipped():
    scenarios = [sim.load_scenario(SCENARIOS / f"{name}.yaml") for name in STRATEGIES]
    result = compare(scenarios, replications=REPLICATIONS, seed=5, workers=1, progress=False)
    return result.kpis.groupby("scenario").mean(numeric_only=True)


def test_a_minority_of_sales_qualified_leads_is_won(shipped):
    """Published 8–35 %; tolerance 3 points either side."""
    won = shipped["conversion_rate.sales_qualified_to_customer"]
    assert won.between(0.05, 0.38).all(), won.to_dict()


def test_a_few_percent_of_prospects_reached_buy_within_the_year(shipped):
    """Published: low single digits; tolerance 0.3 % to 10 %."""
    rate = shipped["conversion_rate.aware_to_customer"]
    assert rate.between(0.003, 0.10).all(), rate.to_dict()


REFERRAL_REPLICATIONS = 30
"""Each run's ratio compares the lifetime values of its referred and other customers, each
life run on past the horizon: its SD between runs is about 0.14, so the mean of 30 is within
about ±0.05 of the model's value (95 %)."""


def test_referred_customers_are_worth_at_least_16_percent_more():
    """Schmitt et al. (2011): about 16 % more; the strategies that run a referral programme.

    The model holds the fact when its premium is not clearly below 16 % (the 95 % interval of
    the mean reaches 1.16) and is clearly a premium (the interval is above 1.05). Measured:
    touchpoint management 1.21, recommendation-driven 1.16 (SD 0.14 and 0.15 over 30 runs).
    """
    names = ["touchpoint_management", "recommendation_driven"]
    scenarios = [sim.load_scenario(SCENARIOS / f"{name}.yaml") for name in names]
    result = compare(
        scenarios, replications=REFERRAL_REPLICATIONS, seed=5, workers=1, progress=False
    )
    ratio = result.kpis.groupby("scenario")["referral_value_ratio"]
    half = 1.96 * ratio.std() / np.sqrt(ratio.count())
    low, high = ratio.mean() - half, ratio.mean() + half
    assert (high >= 1.16).all(), high.to_dict()
    assert (low > 1.05).all(), low.to_dict()


def test_answering_in_an_hour_wins_more_than_twice_the_leads_of_a_day():
    """HBR (2011): ~7× qualification within the hour; here the leads won, tolerance ≥ 2×."""
    base = sim.load_scenario(SCENARIOS / "touchpoint_management.yaml")
    policies = [
        base.model_copy(
            update={
                "name": f"{hours}h",
                "sales": base.sales.model_copy(update={"response_time_hours": hours}),
            }
        )
        for hours in (1.0, 24.0)
    ]
    result = compare(policies, replications=REPLICATIONS, seed=6, workers=1, progress=False)
    won = result.kpis.groupby("scenario")["conversion_rate.sales_qualified_to_customer"].mean()
    assert won["1.0h"] >= 2.0 * won["24.0h"], won.to_dict()


def _bass(t: np.ndarray, p: float, q: float) -> np.ndarray:
    decay = np.exp(-(p + q) * t)
    return (1.0 - decay) / (1.0 + q / p * decay)


def test_diffusion_speed_is_that_of_published_bass_estimates():
    """Sultan et al. (1990): p ≈ 0.03, q ≈ 0.38; tolerance a factor of 3 either way.

    Bass curves (market potential: the prospects) fitted to touchpoint management's
    cumulative first purchases over two years, mean of three seeds.
    """
    scenario = sim.load_scenario(
        SCENARIOS / "touchpoint_management.yaml", overrides={"horizon_days": 730}
    )
    fits = []
    for run in simulate_batch(scenario, [0, 1, 2]):  # each run is its single run (test_batches)
        daily = run.daily
        adopted = np.cumsum(daily["new_customers"].to_numpy()) / scenario.population.size
        years = daily["day"].to_numpy() / 365.0
        (p, q), _ = curve_fit(_bass, years, adopted, p0=(0.03, 0.4), bounds=([1e-5, 0], [5, 50]))
        fits.append((p, q))
    p, q = np.mean(fits, axis=0)
    assert 0.03 / 3 <= p <= 0.03 * 3, p
    assert 0.38 / 3 <= q <= 0.38 * 3, q


def test_about_one_buyer_in_twenty_is_in_market():
    """Dawes (2021), the 95-5 rule: ~5 % in market; tolerance 3–9 % (mean over a year)."""
    model = JourneyModel(sim.load_scenario(SCENARIOS / "touchpoint_management.yaml"), seed=3)
    shares = []
    while model.running:
        model.step()
        shares.append(model.prospects.need.mean())
    assert 0.03 <= np.mean(shares) <= 0.09, np.mean(shares)
