"""Random draws that make prospects and touches differ, from the model's generator.

Each function takes the generator explicitly: randomness has one door (the seed
given to the model), and these only shape its numbers.
"""

from __future__ import annotations

import numpy as np

from sim.scenario.schema import Quality, Satisfaction

DENSE_TRIALS = 0.2
"""Above this chance, trials are drawn as one uniform per prospect; below, as gaps."""

SMALL_SAMPLE = 0.125
"""Below this share of the items, a sample is drawn as indices; above, as random keys."""


def bernoulli_rows(rng: np.random.Generator, eligible: np.ndarray | int, p: float) -> np.ndarray:
    """Rows where ``eligible`` holds that succeed in an independent trial of chance ``p``.

    Every prospect gets its own trial, as ``eligible & (rng.random(n) < p)`` would,
    but a small chance is drawn as geometric gaps between successes: a 1% daily
    chance over a million prospects costs ten thousand draws, not a million.
    ``eligible`` may be a row count instead: every row may succeed. ``0 < p < 1``.

    Returns:
        Sorted row indices.
    """
    n = eligible if isinstance(eligible, int) else eligible.size
    if p > DENSE_TRIALS:
        hits = np.flatnonzero(rng.random(n) < p)
    else:
        hits = _success_positions(rng, n, p)
    return hits if isinstance(eligible, int) else hits[eligible[hits]]


def _success_positions(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    """Positions of the successes in ``n`` independent trials of chance ``p``."""
    size = int(n * p + 4.0 * np.sqrt(n * p) + 16)
    # a gap past n ends the trials either way; capping it keeps the sums from overflowing
    positions = np.cumsum(np.minimum(rng.geometric(p, size=size), n + 1)) - 1
    while positions[-1] < n:
        more = np.cumsum(np.minimum(rng.geometric(p, size=size), n + 1)) + positions[-1]
        positions = np.concatenate([positions, more])
    return positions[: np.searchsorted(positions, n)]


def sample_ranks(rng: np.random.Generator, m: int, n: int) -> np.ndarray:
    """Sorted ranks of ``n`` of ``m`` items, uniformly without replacement.

    Every rank if as many are wanted; below :data:`SMALL_SAMPLE` of them numpy's
    ``rng.choice`` (sorted); else the ranks of the ``n`` smallest of ``m`` random keys.
    """
    if n >= m:
        return np.arange(m)
    if n < SMALL_SAMPLE * m:
        return np.sort(rng.choice(m, n, replace=False))
    keys = rng.random(m)
    return np.flatnonzero(keys <= np.partition(keys, n - 1)[n - 1])


def gamma_parameters(dist: Quality) -> tuple[float, float] | None:
    """``(shape, scale)`` of the gamma with ``dist``'s mean and sd; None if every draw is it.

    A spread that is nil against the mean would overflow the shape ``(mean/sd)²``.
    """
    if dist.sd <= 1e-9 * dist.mean or dist.mean == 0:
        return None
    shape = (dist.mean / dist.sd) ** 2
    return shape, dist.mean / shape


def sample_quality(rng: np.random.Generator, dist: Quality, n: int) -> np.ndarray:
    """Draw ``n`` positive qualities from a gamma with the given mean and sd."""
    gamma = gamma_parameters(dist)
    if gamma is None:
        return np.full(n, dist.mean, dtype=np.float64)
    return rng.gamma(*gamma, size=n)


def as_satisfaction(drawn: np.ndarray) -> np.ndarray:
    """Normal draws as satisfactions: clipped to [0, 1], in the column's float32."""
    return np.clip(drawn, 0.0, 1.0).astype(np.float32)


def sample_satisfaction(rng: np.random.Generator, dist: Satisfaction, n: int) -> np.ndarray:
    """Draw ``n`` satisfactions: normal, clipped to [0, 1]."""
    if dist.sd == 0:
        return np.full(n, dist.mean, dtype=np.float32)
    return as_satisfaction(rng.normal(dist.mean, dist.sd, size=n))
