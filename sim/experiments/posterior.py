"""What a posterior says: priors, weighted quantiles, the summary and the predictive check."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.experiments.targets import Targets

INFORMED_BELOW = 0.7
"""A posterior 90% interval narrower than this share of the prior's is 'informed'."""

CHECK_DRAWS = 40
"""Posterior draws simulated for the predictive check (and runs of the start scenario)."""


@dataclass(frozen=True)
class Prior:
    """A parameter's prior: uniform, or log-uniform (a scale parameter), on [low, high]."""

    key: str
    low: float
    high: float
    log: bool = False

    def scaled(self, values: np.ndarray) -> np.ndarray:
        """Values on the prior's own scale (log for a log-uniform prior)."""
        return np.log(values) if self.log else np.asarray(values, dtype=float)


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs: Sequence[float]) -> np.ndarray:
    """Quantiles of a weighted sample (the inverse of its weighted CDF, interpolated)."""
    order = np.argsort(values)
    cdf = np.cumsum(weights[order]) / np.sum(weights)
    return np.interp(qs, cdf - weights[order] / (2 * np.sum(weights)), values[order])


def summarize(prior: list[Prior], posterior: pd.DataFrame) -> pd.DataFrame:
    """Per parameter: prior, weighted median and 90% interval, and whether it was informed."""
    weights = posterior["weight"].to_numpy()
    rows = []
    for p in prior:
        values = posterior[p.key].to_numpy(dtype=float)
        low, median, high = weighted_quantiles(values, weights, [0.05, 0.5, 0.95])
        prior_width = 0.9 * (p.scaled(p.high) - p.scaled(p.low))
        shrinkage = float((p.scaled(high) - p.scaled(low)) / prior_width)
        rows.append(
            {
                "param": p.key,
                "prior": "log-uniform" if p.log else "uniform",
                "prior_low": p.low,
                "prior_high": p.high,
                "median": median,
                "low90": low,
                "high90": high,
                "shrinkage": shrinkage,
                "informed": shrinkage < INFORMED_BELOW,
            }
        )
    return pd.DataFrame(rows)


def predictive_check(
    figures_at: Callable[[Mapping[str, float], int], dict[str, float]],
    posterior: pd.DataFrame,
    targets: Targets,
    at_start: Mapping[str, float],
    seed: int,
    mapper: Callable[..., Iterator[dict[str, float]]] = map,
) -> pd.DataFrame:
    """Each target against the posterior predictive distribution and the start scenario.

    ``figures_at(values, seed)`` simulates the compared figures at parameter values
    (key → value); ``at_start`` holds the start scenario's figures; ``mapper`` maps
    ``figures_at`` over the draws (an executor's ``map`` runs them in parallel).
    """
    rng = np.random.default_rng(seed)
    keys = [c for c in posterior.columns if c != "weight"]
    picks = rng.choice(len(posterior), size=CHECK_DRAWS, p=posterior["weight"].to_numpy())
    values: Iterable[dict[str, float]] = [
        {k: float(posterior.at[row, k]) for k in keys} for row in picks
    ]
    draws = mapper(figures_at, values, [seed + 1 + i for i in range(len(picks))])
    predicted = pd.DataFrame(list(draws))
    noisy = predicted + rng.normal(size=predicted.shape) * targets.sds
    rows = []
    for name, observed, sd in zip(targets.statistics(), targets.values, targets.sds, strict=True):
        low, mid, high = np.nanquantile(noisy[name].replace(np.inf, np.nan), [0.05, 0.5, 0.95])
        rows.append(
            {
                "target": name,
                "observed": observed,
                "sd": sd,
                "predicted": mid,
                "predicted_low": low,
                "predicted_high": high,
                "inside": bool(low <= observed <= high),
                "start": at_start[name],
                "start_z": (at_start[name] - observed) / sd,
            }
        )
    return pd.DataFrame(rows)
