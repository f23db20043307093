"""Against real customers: CDNOW's repeat purchases, Touchpoint beside the BG/NBD model.

The CDNOW sample (Fader, Hardie & Lee 2005, “Counting your customers the easy way: an
alternative to the Pareto/NBD model”, Marketing Science 24(2)) is 2,357 customers who first
bought at the online music store CDNOW in the first 12 weeks of 1997, with every purchase
they made over 78 weeks, to 30 June 1998. It ships in the ``lifetimes`` package's wheel
(``lifetimes/datasets/CDNOW_sample.txt``) and is read from there, never copied.

The test is the paper's “tracking cumulative repeat transactions”: each model is fitted on
weeks 1–39 and predicts the cohort's cumulative repeat transactions week by week to week
78, from each customer's first-purchase day alone. Repeat transactions are the purchases
after a customer's first, one per customer and day (several orders on one day count once).

- **BG/NBD**: ``lifetimes``' ``BetaGeoFitter`` on each customer's frequency, recency and age
  at the end of week 39; its prediction is the sum over customers of the expected repeat
  purchases up to each week (equation 9 of the paper).
- **Touchpoint**: the after-sale process of a one-off product with no care and no drift
  (each customer's satisfaction stays as drawn at purchase): repeat purchases at
  ``repeat_purchases_per_year`` × satisfaction, churn at ``churn_per_year`` × 2 ×
  (1 − satisfaction), satisfaction Normal(mean, sd) clipped to [0, 1]. The four values are
  fitted by least squares to the weekly cumulative curve of weeks 1–39, each candidate run
  on the same seeds (common random numbers), then the cohort is run to week 78.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from sim.model.lifetime import repeat_purchases
from sim.scenario.errors import InputError
from sim.scenario.loading import scenario_from_dict
from sim.scenario.schema import Scenario
from sim.scenario.schema.fields import Satisfaction

DAYS_PER_WEEK = 7
CALIBRATION_WEEKS = 39
"""Weeks 1–39 (to 30 September 1997) fit the models."""
WEEKS = 78
"""Weeks 40–78 (to 30 June 1998) are held out."""
FIRST_DAY = pd.Timestamp("1997-01-01")
"""Day 0: the store's customers of the sample first bought from this day on."""
SAMPLE = "CDNOW_sample.txt"
"""The 2,357-customer sample in ``lifetimes/datasets``."""
LOGS = {
    SAMPLE: {"usecols": [1, 2], "header": None},  # master id, sample id, date, CDs, dollars
    "CDNOW_master.txt": {"usecols": [0, 1], "header": 0},  # all 23,570: id, date, CDs, dollars
}
"""The CDNOW logs ``lifetimes`` ships: where their customer and date columns are."""

PARAMETERS = (
    "product.repeat_purchases_per_year",
    "product.churn_per_year",
    "product.satisfaction.mean",
    "product.satisfaction.sd",
)
"""Touchpoint's after-sale values the fit sets, in this order."""
REPEAT_BOUNDS = (0.5, 60.0)
"""Repeat purchases a year at full satisfaction: from one every two years to more than weekly."""
SEARCH_BOUNDS = ((0.0, 50.0), (0.02, 1.0), (0.0, 0.6))
"""Churn a year at neutral satisfaction (none to gone in days), satisfaction's mean and sd."""
START_GRID = ((2.0, 15.0), (0.3, 0.6), (0.2, 0.5))
"""The search starts from the best of these eight corners (a coarse look first)."""
REFERENCE_REPEATS = 10.0
"""The repeat rate each candidate is run at; the fitted rate rescales its curve."""
AFTER_SALE_ONLY = {
    "product.term_months": None,  # a one-off product: repeat purchases, daily churn
    "after_sale.care_touches_per_month": 0,
    "after_sale.satisfaction_decay_per_day": 0,  # satisfaction stays as drawn at purchase
    "after_sale.loyalty_reward": 0,
}
"""What the process is reduced to: satisfaction, repeats and churn, nothing else."""


@dataclass(frozen=True)
class Cohort:
    """One cohort's transaction log, reduced to what the two models read.

    Attributes:
        first_days: Each customer's first-purchase day (days since 1 January 1997).
        repeat_days: Each repeat transaction's customer (index into ``first_days``) and day,
            as two rows.
    """

    first_days: np.ndarray
    repeat_days: np.ndarray

    @property
    def days(self) -> int:
        """Days the log covers: 78 weeks."""
        return WEEKS * DAYS_PER_WEEK

    def cumulative(self) -> np.ndarray:
        """Cumulative repeat transactions at the end of weeks 1–78."""
        daily = np.bincount(self.repeat_days[1], minlength=self.days)
        return weekly(daily)

    def calibration(self) -> pd.DataFrame:
        """Frequency, recency and age T (weeks) of each customer at the end of week 39.

        The BG/NBD's summary: repeat transactions in weeks 1–39, the time from the first
        purchase to the last one then, and the time from the first purchase to the end.
        """
        end = CALIBRATION_WEEKS * DAYS_PER_WEEK - 1
        customer, day = self.repeat_days[:, self.repeat_days[1] <= end]
        count = len(self.first_days)
        last = self.first_days.astype(float).copy()
        np.maximum.at(last, customer, day)
        return pd.DataFrame(
            {
                "frequency": np.bincount(customer, minlength=count),
                "recency": (last - self.first_days) / DAYS_PER_WEEK,
                "T": (end - self.first_days) / DAYS_PER_WEEK,
            }
        )


def weekly(daily: np.ndarray) -> np.ndarray:
    """Cumulative totals at the end of each whole week, from totals per day (from day 0)."""
    ends = np.arange(1, daily.size // DAYS_PER_WEEK + 1) * DAYS_PER_WEEK - 1
    return np.cumsum(daily)[ends]


def load_cdnow(name: str = SAMPLE) -> Cohort:
    """A CDNOW transaction log shipped with ``lifetimes`` (``name``: one of :data:`LOGS`).

    Raises:
        InputError: ``lifetimes`` is not installed, or it ships no such log.
    """
    if name not in LOGS:
        raise InputError(f"CDNOW log {name!r}: not one of {', '.join(LOGS)}")
    source = _lifetimes_resources() / "datasets" / name
    if not source.is_file():
        raise InputError(f"CDNOW log {name!r}: not in the installed lifetimes package")
    with source.open() as text:
        log = pd.read_csv(text, sep=r"\s+", names=["customer", "date"], dtype=str, **LOGS[name])
    day = (pd.to_datetime(log["date"], format="%Y%m%d") - FIRST_DAY).dt.days.to_numpy()
    customer = pd.factorize(log["customer"])[0]
    days = np.unique(np.stack([customer, day]), axis=1)  # one transaction per customer-day
    first = np.full(customer.max() + 1, np.iinfo(np.int64).max)
    np.minimum.at(first, days[0], days[1])
    return Cohort(first_days=first, repeat_days=days[:, days[1] > first[days[0]]])


@dataclass(frozen=True)
class Forecast:
    """A model's cumulative repeat transactions at the end of weeks 1–78, and its fit."""

    model: str
    cumulative: np.ndarray
    parameters: dict[str, float]

    def holdout_mape(self, actual: np.ndarray) -> float:
        """Mean absolute percentage error of the cumulative curve over weeks 40–78."""
        held = slice(CALIBRATION_WEEKS, WEEKS)
        return float(np.mean(np.abs(self.cumulative[held] / actual[held] - 1.0)))

    def final_error(self, actual: np.ndarray) -> float:
        """Relative error of the cumulative total at week 78 (+: too many)."""
        return float(self.cumulative[-1] / actual[-1] - 1.0)

    def holdout_error(self, actual: np.ndarray) -> float:
        """Relative error of the repeat transactions in weeks 40–78 alone (+: too many)."""
        held = self.cumulative[-1] - self.cumulative[CALIBRATION_WEEKS - 1]
        return float(held / (actual[-1] - actual[CALIBRATION_WEEKS - 1]) - 1.0)


def bg_nbd(cohort: Cohort) -> Forecast:
    """The BG/NBD model fitted on weeks 1–39 (``lifetimes``' ``BetaGeoFitter``)."""
    with _quiet_lifetimes():
        from lifetimes import BetaGeoFitter

    summary = cohort.calibration()
    fitter = BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    ends = np.arange(1, WEEKS + 1) * DAYS_PER_WEEK - 1
    ages = (ends[:, None] - cohort.first_days[None, :]) / DAYS_PER_WEEK
    expected = fitter.expected_number_of_purchases_up_to_time(np.clip(ages, 0.0, None))
    parameters = {name: float(value) for name, value in fitter.params_.items()}
    return Forecast("BG/NBD", np.asarray(expected).sum(axis=1), parameters)


def touchpoint(cohort: Cohort, seeds: Sequence[int], evaluations: int = 100) -> Forecast:
    """Touchpoint's after-sale process fitted on weeks 1–39, run on to week 78.

    The squared error of the weekly cumulative curve over weeks 1–39 is minimised over
    churn and satisfaction's mean and sd by Nelder–Mead, from the best corner of
    :data:`START_GRID`. The repeat rate needs no search: a customer buys at
    ``repeat_purchases_per_year`` × satisfaction while a customer, and the rate has no say
    in when they leave, so the expected curve is proportional to it. Each candidate is run
    once at :data:`REFERENCE_REPEATS` and the rate that fits its curve best follows in
    closed form (least squares of one scale).

    Args:
        cohort: The customers' first days and repeat transactions.
        seeds: The runs each candidate is averaged over, the same for every candidate
            (common random numbers: the error changes with the values, not the draws).
        evaluations: The most candidates the search runs after the start grid.
    """
    scenario = after_sale_only()
    actual = cohort.cumulative()[:CALIBRATION_WEEKS]

    def best_rate(values: Sequence[float]) -> tuple[float, float]:
        """The best repeat rate for churn, mean and sd ``values``, and its squared error."""
        candidate = with_after_sale(scenario, (REFERENCE_REPEATS, *values))
        days = CALIBRATION_WEEKS * DAYS_PER_WEEK
        curve = weekly(repeat_purchases(candidate, cohort.first_days, days, seeds))
        scale = curve @ actual / max(curve @ curve, 1.0)
        rate = float(np.clip(REFERENCE_REPEATS * scale, *REPEAT_BOUNDS))
        return rate, float(np.sum((curve * rate / REFERENCE_REPEATS - actual) ** 2))

    def squared_error(values: Sequence[float]) -> float:
        return best_rate(values)[1]

    corners = np.stack(np.meshgrid(*START_GRID, indexing="ij"), axis=-1).reshape(-1, 3)
    found = minimize(
        squared_error,
        min(corners, key=squared_error),
        method="Nelder-Mead",
        bounds=SEARCH_BOUNDS,
        options={"maxfev": evaluations, "xatol": 1e-3, "fatol": 1.0},
    )
    values = (best_rate(found.x)[0], *map(float, found.x))
    daily = repeat_purchases(
        with_after_sale(scenario, values), cohort.first_days, cohort.days, seeds
    )
    parameters = dict(zip(PARAMETERS, values, strict=True))
    return Forecast("Touchpoint", weekly(daily), parameters)


def after_sale_only() -> Scenario:
    """The schema's default scenario reduced to repeats and churn (:data:`AFTER_SALE_ONLY`)."""
    return scenario_from_dict({}, source="CDNOW holdout", overrides=AFTER_SALE_ONLY)


def with_after_sale(scenario: Scenario, values: Sequence[float]) -> Scenario:
    """``scenario`` with the fitted values in :data:`PARAMETERS`' order."""
    repeats, churn, mean, sd = (float(value) for value in values)
    product = scenario.product.model_copy(
        update={
            "repeat_purchases_per_year": repeats,
            "churn_per_year": churn,
            "satisfaction": Satisfaction(mean=mean, sd=sd),
        }
    )
    return scenario.model_copy(update={"product": product})


def holdout_table(actual: np.ndarray, forecasts: Sequence[Forecast]) -> pd.DataFrame:
    """Each model's errors over the held-out weeks 40–78 against the actual curve."""
    rows = [
        {
            "model": forecast.model,
            "week_78": forecast.cumulative[-1],
            "week_78_error": forecast.final_error(actual),
            "weeks_40_78_error": forecast.holdout_error(actual),
            "mape_weeks_40_78": forecast.holdout_mape(actual),
        }
        for forecast in forecasts
    ]
    return pd.DataFrame(rows).set_index("model")


def _lifetimes_resources():
    """The installed ``lifetimes`` package's files.

    Raises:
        InputError: ``lifetimes`` is not installed.
    """
    from importlib.resources import files

    try:
        with _quiet_lifetimes():
            return files("lifetimes")
    except ModuleNotFoundError:
        raise InputError(
            "CDNOW: the lifetimes package is not installed (pip install -e '.[test]')"
        ) from None


@contextmanager
def _quiet_lifetimes() -> Iterator[None]:
    """Import ``lifetimes`` without its one warning under pandas 3.

    ``lifetimes.utils`` sets ``pd.options.mode.chained_assignment``, an option pandas 3
    deprecates (it does nothing there); nothing else of the package is silenced.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"The 'mode\.chained_assignment' option")
        yield
