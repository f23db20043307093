"""Compiled draws for a batch: each replication from its own generator, as numpy draws.

numba reads numpy's ``Generator`` objects (the same bit generator, the same state,
the same algorithms), so one compiled call can draw for every replication of a
batch where numpy needs a call per replication, and per-replication Python work
was most of a small run's time. Every kernel here makes exactly the draws, in
the order, that the numpy calls named in its docstring make: a seed's numbers
are the same either way (``tests/test_draws.py`` holds each kernel to its numpy
twin, replication by replication).

``streams`` is a numba typed list of the batch's generators (:func:`streams`);
drawing through it advances the generators themselves.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numba import njit
from numba.typed import List

from sim.model.sampling import DENSE_TRIALS, SMALL_SAMPLE


def streams(rngs: Sequence[np.random.Generator]) -> List:
    """The generators as a typed list a kernel can take (the same objects, shared state)."""
    return List(rngs)


UNIFORM, GAMMA, NORMAL, INTEGERS = range(4)
"""The kinds of :func:`per_row` draw."""


@njit(cache=True, nogil=True)
def per_row(streams, counts, kind, a=0.0, b=0.0):  # noqa: ANN001, ANN201 - compiled
    """``counts[r]`` draws of one kind from each replication, as numpy draws ``k`` of them.

    ``UNIFORM``: ``rng.random(k)``; ``GAMMA``: ``rng.gamma(a, b, k)`` (shape, scale);
    ``NORMAL``: ``rng.normal(a, b, k)`` (mean, sd); ``INTEGERS``: ``rng.integers(0, a,
    size=k)``, as floats (exact below 2**53).
    """
    out = np.empty(counts.sum())
    k = 0
    high = np.int64(a)
    for r in range(len(streams)):
        rng = streams[r]
        for _ in range(counts[r]):
            if kind == UNIFORM:
                out[k] = rng.random()
            elif kind == GAMMA:
                out[k] = rng.gamma(a, b)
            elif kind == NORMAL:
                out[k] = rng.normal(a, b)
            else:
                out[k] = rng.integers(0, high)
            k += 1
    return out


@njit(cache=True, nogil=True)
def binomial(streams, trials, p):  # noqa: ANN001, ANN201 - compiled
    """One binomial draw per replication: ``rng.binomial(trials[r], p)``."""
    out = np.empty(len(streams), dtype=np.int64)
    for r in range(len(streams)):
        out[r] = streams[r].binomial(trials[r], p) if trials[r] > 0 else 0
    return out


@njit(cache=True, nogil=True)
def bernoulli(streams, eligible, size, p):  # noqa: ANN001, ANN201 - compiled
    """Rows of each block of ``size`` where ``eligible`` holds and a trial of chance ``p`` wins.

    Every row gets its own trial, as ``eligible & (rng.random(size) < p)`` would,
    and so it is drawn above :data:`DENSE_TRIALS`; a smaller chance is drawn as
    geometric gaps between successes (chunks of ``int(n·p + 4·√(n·p) + 16)``, each
    drawn whole): a 1% daily chance over a million prospects costs ten thousand
    draws, not a million. An empty ``eligible``: every row may succeed. ``0 < p < 1``.
    Returns sorted batch rows.
    """
    out = np.empty(16, dtype=np.int64)
    k = 0
    everyone = eligible.size == 0
    for r in range(len(streams)):
        rng, base = streams[r], r * size
        if p > DENSE_TRIALS:
            for i in range(size):
                if rng.random() < p and (everyone or eligible[base + i]):
                    out = _room(out, k)
                    out[k] = base + i
                    k += 1
            continue
        chunk = int(size * p + 4.0 * np.sqrt(size * p) + 16)
        position = -1
        while position < size:
            for _ in range(chunk):
                position += min(rng.geometric(p), size + 1)
                if position < size and (everyone or eligible[base + position]):
                    out = _room(out, k)
                    out[k] = base + position
                    k += 1
    return out[:k]


@njit(cache=True, nogil=True)
def ranks(streams, available, wanted):  # noqa: ANN001, ANN201 - compiled
    """Sorted ranks of ``wanted[r]`` of ``available[r]`` items per replication, and their cuts.

    Uniformly without replacement: every rank if as many are wanted; below
    :data:`SMALL_SAMPLE` of them numpy's ``rng.choice(m, n, replace=False)``, sorted;
    else the ranks of the ``n`` smallest of ``m`` random keys. Sorted ranks keep the
    chosen in row order, so the touch that follows walks the columns in order
    (several times faster than in random order on large audiences).
    """
    count = len(streams)
    room = 0
    for r in range(count):  # the keys may tie, so a keyed sample has room for all its keys
        room += available[r] if SMALL_SAMPLE * available[r] <= wanted[r] else wanted[r]
    out = np.empty(room, dtype=np.int64)
    bounds = np.zeros(count + 1, dtype=np.int64)
    for r in range(count):
        m, n, k = available[r], wanted[r], bounds[r]
        if n >= m:
            out[k : k + m] = np.arange(m)
            bounds[r + 1] = k + m
        elif n < SMALL_SAMPLE * m:
            out[k : k + n] = np.sort(_choice(streams[r], m, n))
            bounds[r + 1] = k + n
        else:
            part = _smallest_keys(streams[r], m, n)
            out[k : k + part.size] = part
            bounds[r + 1] = k + part.size
    out = out[: bounds[count]]
    return out, bounds


@njit(cache=True, nogil=True)
def _smallest_keys(rng, m, n):  # noqa: ANN001, ANN202 - compiled
    """Ranks of the ``n`` smallest of ``m`` uniform keys (``rng.random(m)``), in order.

    The ``n``-th smallest key is found exactly, as ``np.partition`` would, by counting
    the keys in equal buckets of [0, 1) and sorting the one bucket that holds it.
    """
    keys = np.empty(m)
    for i in range(m):
        keys[i] = rng.random()
    buckets = 1 << max(4, min(20, int(np.log2(m)) - 1))  # a power of 2: key·buckets is exact
    counts = np.zeros(buckets, dtype=np.int64)
    for i in range(m):
        counts[int(keys[i] * buckets)] += 1
    below, b = 0, 0
    while below + counts[b] < n:
        below += counts[b]
        b += 1
    inside = np.empty(counts[b])
    j = 0
    for i in range(m):
        if int(keys[i] * buckets) == b:
            inside[j] = keys[i]
            j += 1
    cut = np.sort(inside)[n - below - 1]
    out = np.empty(m + 1, dtype=np.int64)
    k = 0
    for i in range(m):  # branch-free: half of the keys are in, at random
        out[k] = i
        k += keys[i] <= cut
    return out[:k].copy()


@njit(cache=True, nogil=True)
def _choice(rng, m, n):  # noqa: ANN001, ANN202 - compiled
    """The set numpy's ``rng.choice(m, n, replace=False)`` draws, with the same draws.

    numpy shuffles the tail of ``0..m-1`` when ``m > 10000`` and ``n > m // 50``,
    else uses Floyd's algorithm and then shuffles the result; the caller sorts, so
    that last shuffle's draws are made and its order dropped.
    """
    if m > 10000 and n > m // 50:
        order = np.arange(m)
        for i in range(m - 1, max(m - n, 1) - 1, -1):
            j = rng.integers(0, i + 1)
            order[i], order[j] = order[j], order[i]
        return order[m - n :].copy()
    chosen = np.empty(n, dtype=np.int64)
    slots = 1
    while slots < 1.2 * n + 1:
        slots *= 2
    mask = slots - 1
    table = np.full(slots, -1, dtype=np.int64)
    for j in range(m - n, m):
        value = rng.integers(0, j + 1)
        slot = value & mask
        while table[slot] != -1 and table[slot] != value:
            slot = (slot + 1) & mask
        if table[slot] == value:  # taken: Floyd takes j, never taken before
            value = j
            slot = j & mask
            while table[slot] != -1:
                slot = (slot + 1) & mask
        table[slot] = value
        chosen[j - m + n] = value
    for i in range(n - 1, 0, -1):
        rng.integers(0, i + 1)
    return chosen


@njit(cache=True, nogil=True)
def _room(out, k):  # noqa: ANN001, ANN202 - compiled
    """``out``, doubled if full at ``k``."""
    if k < out.size:
        return out
    grown = np.empty(out.size * 2, dtype=out.dtype)
    grown[:k] = out[:k]
    return grown
