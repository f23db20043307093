"""Against real customers: CDNOW's repeat purchases over weeks 40–78, held out.

The CDNOW sample (2,357 customers of an online music store who first bought in the first
12 weeks of 1997, every purchase to week 78; shipped in the ``lifetimes`` wheel) is the
data of Fader, Hardie & Lee (2005), “Counting your customers the easy way: an alternative
to the Pareto/NBD model”, Marketing Science 24(2). Both models are fitted on weeks 1–39
and predict the cohort's cumulative repeat transactions to week 78
(:mod:`sim.experiments.holdout`).

Measured (Touchpoint on seeds 0 and 1, 40 search evaluations, 4.5 s; the actual curve
reaches 2,457 at week 39 and 4,339 at week 78):

| model | week 78 | its error | weeks 40–78 alone | MAPE, weeks 40–78 |
|---|---:|---:|---:|---:|
| BG/NBD | 4,161 | −4.1 % | −11.4 % | 2.6 % |
| Touchpoint | 4,308 | −0.7 % | −0.6 % | 2.3 % |

Touchpoint's fit: 12.3 repeat purchases a year at full satisfaction, churn 15.3 a year at
neutral satisfaction, satisfaction Normal(0.33, 0.47) clipped to [0, 1]. Over the five
pairs of seeds 0–9 its errors ranged −2.7 to +1.2 % at week 78, −6.4 to +2.8 % over
weeks 40–78 alone, and its MAPE 1.4–4.3 % (0.5–1.6 × BG/NBD's). The tolerances: week 78
within 5 % (BG/NBD misses by 4.1 %), the held-out weeks' own repeat transactions within
10 % (BG/NBD misses by 11.4 %), MAPE at most 2 × BG/NBD's. Fixing the spread at 0
(every customer alike) misses week 78 by about 30 %: the test of that shows the fit can
fail, and what carries it.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from sim.experiments import holdout
from sim.experiments.holdout import bg_nbd, load_cdnow, touchpoint
from sim.scenario.errors import InputError

SEEDS = (0, 1)
EVALUATIONS = 40


@pytest.fixture(scope="module")
def cohort() -> holdout.Cohort:
    return load_cdnow()


@pytest.fixture(scope="module")
def bg(cohort):
    return bg_nbd(cohort)


def test_the_sample_is_the_papers(cohort, bg):
    """2,357 customers, first purchases in weeks 1–12, and the published BG/NBD estimates."""
    assert cohort.first_days.size == 2357
    assert cohort.first_days.min() == 0 and cohort.first_days.max() < 12 * 7
    actual = cohort.cumulative()
    assert actual.size == 78 and np.all(np.diff(actual) >= 0)
    assert (actual[38], actual[-1]) == (2457, 4339)
    # Fader, Hardie & Lee (2005): r = 0.243, alpha = 4.414, a = 0.793, b = 2.426
    published = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    assert bg.parameters == pytest.approx(published, abs=6e-4)


def test_touchpoint_predicts_the_held_out_weeks(cohort, bg):
    actual = cohort.cumulative()
    fit = touchpoint(cohort, SEEDS, evaluations=EVALUATIONS)
    assert abs(fit.final_error(actual)) < 0.05
    assert abs(fit.holdout_error(actual)) < 0.10
    assert fit.holdout_mape(actual) < 2 * bg.holdout_mape(actual)


def test_without_a_spread_between_customers_the_holdout_is_missed(cohort, monkeypatch):
    """Every customer alike: the decline in weeks 13–39 is read as churn of everyone."""
    bounds = holdout.SEARCH_BOUNDS
    monkeypatch.setattr(holdout, "SEARCH_BOUNDS", (*bounds[:2], (0.0, 0.0)))
    monkeypatch.setattr(holdout, "START_GRID", (*holdout.START_GRID[:2], (0.0,)))
    fit = touchpoint(cohort, SEEDS, evaluations=EVALUATIONS)
    assert fit.parameters["product.satisfaction.sd"] == 0
    assert fit.final_error(cohort.cumulative()) < -0.15


def test_a_log_the_package_does_not_ship_is_named():
    with pytest.raises(InputError, match="CDNOW_missing.txt"):
        load_cdnow("CDNOW_missing.txt")


def test_without_lifetimes_installed_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "lifetimes", None)  # as if not installed
    with pytest.raises(InputError, match=r"lifetimes package is not installed"):
        load_cdnow()
