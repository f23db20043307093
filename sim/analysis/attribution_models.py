"""Multi-touch attribution: the usual models' credit for each touch source, from touch paths.

Each model splits the conversions among the sources on the converting paths; the
simulator's removal experiment then says how wrong each split is. ``journeys`` is one row
per touched prospect (built by :mod:`sim.analysis.paths`): ``sources`` and ``days``
(tuples, in time order, up to the conversion day for converters), ``converted`` and
``conversion_day`` (-1 if not converted).

Identical paths are aggregated first, so the cost grows with the number of distinct
paths and touches, not with Python loops over prospects.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.linalg import gmres, spsolve
from scipy.special import comb

from sim.scenario.errors import InputError, short

MODELS: tuple[str, ...] = (
    "first_touch",
    "last_touch",
    "linear",
    "time_decay",
    "position_based",
    "markov_1",
    "markov_2",
    "markov_3",
    "shapley",
)
"""Attribution model names, in the order tables and figures show them."""

MODEL_LABELS: dict[str, str] = {
    "first_touch": "First touch",
    "last_touch": "Last touch",
    "linear": "Linear",
    "time_decay": "Time decay",
    "position_based": "Position-based (40/20/40)",
    **{f"markov_{k}": f"Markov chain (order {k})" for k in (1, 2, 3)},
    "shapley": "Shapley value",
}
"""A marketer-readable label for each name in :data:`MODELS`."""

COLUMNS = ("sources", "days", "converted", "conversion_day")
"""Columns ``journeys`` must have (``value`` is not needed to credit conversions)."""

SHAPLEY_MAX_SOURCES = 20
"""The exact Shapley value sums over all 2^n coalitions: 2^20 is about a million."""


@dataclass(frozen=True)
class _Paths:
    """The distinct paths of a journeys table as integer source codes.

    Attributes:
        names: Source names, first seen first; a code indexes this.
        codes: Every distinct path's touches, concatenated.
        starts: Where each distinct path starts in ``codes``.
        lengths: Touches on each distinct path.
        walkers: Journeys that took each distinct path.
        conversions: Converting journeys on each distinct path.
        path_of: Each journey's distinct path.
    """

    names: pd.Index
    codes: np.ndarray
    starts: np.ndarray
    lengths: np.ndarray
    walkers: np.ndarray
    conversions: np.ndarray
    path_of: np.ndarray


def _paths(journeys: pd.DataFrame) -> _Paths:
    """Aggregate identical paths and code the sources (the one pass over prospects)."""
    missing = [column for column in COLUMNS if column not in journeys.columns]
    if missing:
        raise InputError(f"journeys: missing column(s) {', '.join(missing)}")
    path_of, distinct = pd.factorize(journeys["sources"])
    lengths = np.fromiter(map(len, distinct), dtype=np.int64, count=len(distinct))
    if (lengths == 0).any():
        raise InputError("journeys.sources: a journey with no touch (every row needs one)")
    flat = np.fromiter(chain.from_iterable(distinct), dtype=object, count=int(lengths.sum()))
    codes, names = pd.factorize(flat)
    converted = journeys["converted"].to_numpy(dtype=bool)
    return _Paths(
        names=pd.Index(names, name="source"),
        codes=codes,
        starts=np.cumsum(lengths) - lengths,
        lengths=lengths,
        walkers=np.bincount(path_of, minlength=len(distinct)).astype(float),
        conversions=np.bincount(path_of, weights=converted, minlength=len(distinct)),
        path_of=path_of,
    )


def _per_source(paths: _Paths, touch_weights: np.ndarray) -> np.ndarray:
    """Sum weights given to each touch of ``paths.codes`` by source."""
    return np.bincount(paths.codes, weights=touch_weights, minlength=len(paths.names))


def _first_touch(paths: _Paths) -> np.ndarray:
    """All of a conversion to the path's first touch."""
    first = paths.codes[paths.starts]
    return np.bincount(first, weights=paths.conversions, minlength=len(paths.names))


def _last_touch(paths: _Paths) -> np.ndarray:
    """All of a conversion to the path's last touch (the converting one)."""
    last = paths.codes[paths.starts + paths.lengths - 1]
    return np.bincount(last, weights=paths.conversions, minlength=len(paths.names))


def _linear(paths: _Paths) -> np.ndarray:
    """An equal share of a conversion to every touch (repeats count each time)."""
    return _per_source(paths, np.repeat(paths.conversions / paths.lengths, paths.lengths))


def _position_based(paths: _Paths) -> np.ndarray:
    """U-shaped: 40 % to the first touch, 40 % to the last, 20 % spread over the middle.

    A one-touch path gives it everything; a two-touch path splits 50/50 (Google Ads'
    and GA's position-based rule).
    """
    length = np.repeat(paths.lengths, paths.lengths)
    position = np.arange(len(paths.codes)) - np.repeat(paths.starts, paths.lengths)
    end = (position == 0) | (position == length - 1)
    share = np.where(end, 0.4, 0.2 / np.maximum(length - 2, 1))
    share = np.where(length == 1, 1.0, np.where(length == 2, 0.5, share))
    return _per_source(paths, share * np.repeat(paths.conversions, paths.lengths))


def _time_decay(paths: _Paths, journeys: pd.DataFrame, half_life_days: float) -> np.ndarray:
    """Weight 2^(-(conversion day - touch day) / half-life), normalised per converting path.

    GA4's and Google Ads' time-decay model uses a 7-day half-life. Touch days differ
    between journeys on the same path, so this one works on the converters' touches.
    """
    rows = np.flatnonzero(journeys["converted"].to_numpy(dtype=bool))
    path = paths.path_of[rows]
    touches = paths.lengths[path]
    days = journeys["days"].to_numpy()[rows]
    if not np.array_equal(np.fromiter(map(len, days), np.int64, count=len(days)), touches):
        raise InputError("journeys.days: a converting row's days and sources differ in length")
    day = np.fromiter(chain.from_iterable(days), dtype=float, count=int(touches.sum()))
    first = np.cumsum(touches) - touches
    journey = np.repeat(np.arange(len(rows)), touches)
    lag = journeys["conversion_day"].to_numpy(dtype=float)[rows][journey] - day
    if (lag < 0).any():
        raise InputError("journeys.days: a converter's touch falls after its conversion_day")
    lag -= np.minimum.reduceat(lag, first)[journey]  # the latest touch weighs 1: no underflow
    weight = np.exp2(-lag / half_life_days)
    weight /= np.bincount(journey, weights=weight)[journey]
    touch = np.repeat(paths.starts[path], touches) + np.arange(len(day)) - first[journey]
    return np.bincount(paths.codes[touch], weights=weight, minlength=len(paths.names))


def _markov(paths: _Paths, order: int) -> np.ndarray:
    """Removal effects of an order-``order`` Markov chain, scaled to the conversions.

    Anderl, Becker, von Wangenheim & Schumann (2016), "Mapping the customer journey:
    Lessons learned from graph-based online attribution modeling", IJRM 33(3), and the
    ChannelAttribution package: removal effect of c = 1 - P(conversion | every state
    holding c leads to null) / P(conversion); credit = conversions x effect / sum of
    effects. The probabilities are solved (absorbing chain, a linear system), not
    simulated as ChannelAttribution does.
    """
    system, to_conversion, holds = _chain(paths, order)
    everything = _conversion_probability(system, to_conversion, np.ones(len(holds), dtype=bool))
    removal = np.array(
        [
            1 - _conversion_probability(system, to_conversion, ~holds[:, c]) / everything
            for c in range(len(paths.names))
        ]
    ).clip(min=0.0)
    return paths.conversions.sum() * removal / removal.sum()


def _chain(paths: _Paths, order: int) -> tuple[sparse.csr_array, np.ndarray, np.ndarray]:
    """The absorbing chain of the paths: I - transient moves, P(convert next), sources held.

    A state is the last ``order`` sources (fewer at a path's start); start is the last
    transient state, conversion and null absorb; probabilities are path counts.
    Consecutive repeats of a source are collapsed first: at order 1 that changes no
    probability (ChannelAttribution collapses there), at higher orders a state then
    holds ``order`` distinct steps instead of, say, three searches in a row.
    """
    n = len(paths.names)
    path = np.repeat(np.arange(len(paths.lengths)), paths.lengths)
    kept = np.ones(len(paths.codes), dtype=bool)
    kept[1:] = (paths.codes[1:] != paths.codes[:-1]) | (path[1:] != path[:-1])
    codes, path = paths.codes[kept], path[kept]
    lengths = np.bincount(path, minlength=len(paths.lengths))
    position = np.arange(len(codes)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    base = n + 1  # digit 0 = no source (a state near a path's start)
    key = np.zeros(len(codes), dtype=np.int64)
    for back in range(order):
        earlier = np.concatenate([np.zeros(back, np.int64), codes[: len(codes) - back] + 1])
        key += np.where(position >= back, earlier, 0) * base**back
    state, keys = pd.factorize(key)
    start = len(keys)
    size = start + 1
    previous = np.where(position == 0, start, np.roll(state, 1))
    moves = sparse.csr_array(
        (paths.walkers[path], (previous, state)), shape=(size, size), dtype=float
    )
    last = state[np.cumsum(lengths) - 1]
    leaving = moves.sum(axis=1) + np.bincount(last, weights=paths.walkers, minlength=size)
    to_conversion = np.bincount(last, weights=paths.conversions, minlength=size) / leaving
    system = (sparse.eye_array(size) - sparse.diags_array(1 / leaving) @ moves).tocsr()
    digits = keys[:, None] // base ** np.arange(order) % base - 1
    holds = (digits[:, :, None] == np.arange(n)).any(axis=1)
    return system, to_conversion, np.vstack([holds, np.zeros((1, n), dtype=bool)])


def _conversion_probability(
    system: sparse.csr_array, to_conversion: np.ndarray, open_: np.ndarray
) -> float:
    """P(conversion from start) when only the ``open_`` states (start last) can be entered.

    GMRES to a 1e-12 relative residual takes milliseconds where a sparse LU of a dense
    order-3 chain takes a second; the LU answers if GMRES does not converge.
    """
    index = np.flatnonzero(open_)
    matrix, right = system[index][:, index], to_conversion[index]
    solved, failed = gmres(matrix, right, rtol=1e-12, atol=0.0)
    if failed:
        solved = np.atleast_1d(spsolve(matrix.tocsc(), right))
    return float(solved[-1])


def _shapley(paths: _Paths) -> np.ndarray:
    """Exact Shapley values of v(S) = conversions whose distinct sources all lie in S.

    Dalessandro, Perlich, Stitelman & Provost (2012), "Causally motivated attribution for
    online advertising"; Zhao, Mahdian & Feng (2018), "Shapley value methods for
    attribution modeling in online advertising". Coalitions are bitmasks: v is the
    subset sum (zeta transform) of the conversions per exact source set, and
    phi_i = sum over S without i of |S|! (n-|S|-1)! / n! (v(S + i) - v(S)). The values
    sum to v(all sources), the number of conversions. (v is a sum of unanimity games,
    so this equals an equal split of each conversion over its path's distinct sources.)
    """
    n = len(paths.names)
    if n > SHAPLEY_MAX_SOURCES:
        raise InputError(
            f"journeys.sources: {n} sources; exact Shapley values take at most "
            f"{SHAPLEY_MAX_SOURCES}"
        )
    sets = np.bitwise_or.reduceat(np.left_shift(1, paths.codes), paths.starts)
    value = np.bincount(sets, weights=paths.conversions, minlength=1 << n)
    members = np.zeros(1 << n, dtype=np.int64)
    for bit in range(n):
        value.reshape(-1, 2, 1 << bit)[:, 1, :] += value.reshape(-1, 2, 1 << bit)[:, 0, :]
        members.reshape(-1, 2, 1 << bit)[:, 1, :] += 1
    weight = 1 / (n * comb(n - 1, np.arange(n)))  # |S|! (n-|S|-1)! / n! by |S|
    phi = np.empty(n)
    for bit in range(n):
        value_by_bit = value.reshape(-1, 2, 1 << bit)
        size = members.reshape(-1, 2, 1 << bit)[:, 0, :]
        phi[bit] = (weight[size] * (value_by_bit[:, 1, :] - value_by_bit[:, 0, :])).sum()
    return phi


def _credit(paths: _Paths, journeys: pd.DataFrame, model: str, half_life_days: float) -> np.ndarray:
    """Conversions credited to each source by ``model`` (zeros without conversions)."""
    if paths.conversions.sum() == 0:
        return np.zeros(len(paths.names))
    if model.startswith("markov_"):
        return _markov(paths, int(model.removeprefix("markov_")))
    if model == "time_decay":
        return _time_decay(paths, journeys, half_life_days)
    rules = {
        "first_touch": _first_touch,
        "last_touch": _last_touch,
        "linear": _linear,
        "position_based": _position_based,
        "shapley": _shapley,
    }
    return rules[model](paths)


def _check(model: str | None, half_life_days: float) -> None:
    """Refuse an unknown model or a half-life that is not a positive number of days."""
    if model is not None and model not in MODELS:
        raise InputError(f"model: {short(model)} is not one of {', '.join(MODELS)}")
    if not half_life_days > 0:
        raise InputError(f"half_life_days: {short(half_life_days)} is not a positive number")


def credit(journeys: pd.DataFrame, model: str, *, half_life_days: float = 7.0) -> pd.Series:
    """Conversions credited to each touch source by one attribution model.

    Args:
        journeys: One row per touched prospect (see the module docstring).
        model: One of :data:`MODELS`.
        half_life_days: Half-life of the ``time_decay`` weights (GA4's default, 7 days).

    Returns:
        Credit per source (index: sources as first seen; a source given nothing has 0),
        summing to the number of converted journeys.

    Raises:
        InputError: An unknown model, a bad half-life, or journeys not as described.
    """
    _check(model, half_life_days)
    paths = _paths(journeys)
    return pd.Series(_credit(paths, journeys, model, half_life_days), index=paths.names, name=model)


def shares(journeys: pd.DataFrame, *, half_life_days: float = 7.0) -> pd.DataFrame:
    """Each model's share of the conversions per source, to set against the true shares.

    Args:
        journeys: One row per touched prospect (see the module docstring).
        half_life_days: Half-life of the ``time_decay`` weights.

    Returns:
        Index :data:`MODELS` (named ``model``), one column per source as first seen;
        each row sums to 1, or is NaN when nothing converted.

    Raises:
        InputError: A bad half-life, or journeys not as described.
    """
    _check(None, half_life_days)
    paths = _paths(journeys)
    credits = np.array([_credit(paths, journeys, m, half_life_days) for m in MODELS])
    total = paths.conversions.sum()
    table = credits / total if total > 0 else np.full_like(credits, np.nan)
    return pd.DataFrame(table, index=pd.Index(MODELS, name="model"), columns=paths.names)
