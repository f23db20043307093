"""Draws that make prospects differ when the population is built (the population stream).

Each function takes the generator explicitly: randomness has one door (the seed
given to the model), and these only shape its numbers.
"""

from __future__ import annotations

import numpy as np

from sim.scenario.schema import Quality, Satisfaction


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
