"""Counter-based random numbers: every draw is a hash of its keys, not a generator's state.

The number a prospect meets in a stream on a day is a function of four keys only:
the replication's seed, the stream (one per mechanism and source: a channel's
touches, word of mouth, a rep's calls, churn, ...), the day and the prospect. No
draw shifts another, so two runs that differ in one mechanism share every other
number: common random numbers down to the prospect and the day (Salmon, Moraes,
Dror & Shaw 2011, "Parallel random numbers: as easy as 1, 2, 3"). The hash is the
SplitMix64 finaliser (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number
generators"); it needs no sequential state, so a batch's replications, any subset of
rows and any order give the same numbers.

Sets drawn at once (which prospects a channel touches today, whose needs arise) are
prefixes of a keyed permutation of the prospects: a Feistel network with cycle walking
(Black & Rogaway 2002, "Ciphers with arbitrary finite domains"). A longer prefix holds
the shorter one, so a budget 1 % larger touches the same prospects and 1 % more.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_COUNT_SALT = np.uint64(0xD1B54A32D192ED03)
"""Keys the draw of how many a prefix holds apart from the permutation's round keys."""
_UNIT = 1.0 / 9007199254740992.0  # 2⁻⁵³


@njit
def _mix(z):  # noqa: ANN001, ANN202 - compiled
    """The SplitMix64 finaliser: a bijection of 64-bit words that scrambles every bit."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit
def _unit(z):  # noqa: ANN001, ANN202 - compiled
    """A 64-bit word as a uniform number in [0, 1) (its top 53 bits)."""
    return float(z >> _S11) * _UNIT


@njit
def _base(seed, stream, day):  # noqa: ANN001, ANN202 - compiled
    """The key of one replication's stream on one day."""
    return _mix(_mix(seed ^ stream) + np.uint64(day) * _GOLDEN)


@njit
def _word(base, prospect, j):  # noqa: ANN001, ANN202 - compiled
    """The ``j``-th 64-bit word a prospect meets under ``base``."""
    z = _mix(base + (np.uint64(prospect) + np.uint64(1)) * _GOLDEN)
    return z if j == 0 else _mix(z + np.uint64(j) * _M2)


@njit
def _normal(base, prospect, j):  # noqa: ANN001, ANN202 - compiled
    """A standard normal from words ``j`` and ``j + 1`` (Box–Muller)."""
    u = 1.0 - _unit(_word(base, prospect, j))  # in (0, 1]
    v = _unit(_word(base, prospect, j + 1))
    return math.sqrt(-2.0 * math.log(u)) * math.cos(2.0 * math.pi * v)


@njit
def _gamma(base, prospect, shape, scale):  # noqa: ANN001, ANN202 - compiled
    """A gamma draw (Marsaglia & Tsang 2000, "A simple method for generating gamma variables")."""
    boost = 1.0
    a = shape
    j = 0
    if shape < 1.0:  # gamma(a) = gamma(a + 1) · U^(1/a)
        boost = (1.0 - _unit(_word(base, prospect, 0))) ** (1.0 / shape)
        a = shape + 1.0
        j = 1
    d = a - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        x = _normal(base, prospect, j)
        t = 1.0 + c * x
        u = 1.0 - _unit(_word(base, prospect, j + 2))
        j += 3
        if t <= 0.0:
            continue
        v = t * t * t
        if math.log(u) < 0.5 * x * x + d - d * v + d * math.log(v):
            return d * v * scale * boost


@njit(cache=True, nogil=True)
def draw(seeds, stream, day, size, rows, kind, a, b, events):  # noqa: ANN001, ANN201, PLR0913
    """One number per row (replication ``row // size``, prospect ``row % size``).

    ``kind`` 0: uniform in [0, 1); 1: gamma of shape ``a``, scale ``b``; 2: normal of
    mean ``a``, sd ``b``. Keyed by ``day``, or, if ``events`` is not empty, by each row's
    event number (the prospect's first call, second call, ...) in its place.
    """
    out = np.empty(rows.size, dtype=np.float64)
    r_last, base = -1, np.uint64(0)
    keyed = events.size > 0
    for i in range(rows.size):
        r = rows[i] // size
        if keyed:
            base, r_last = _base(seeds[r], stream, events[i]), r
        elif r != r_last:
            base, r_last = _base(seeds[r], stream, day), r
        p = rows[i] - r * size
        if kind == 0:
            out[i] = _unit(_word(base, p, 0))
        elif kind == 1:
            out[i] = _gamma(base, p, a, b)
        else:
            out[i] = a + b * _normal(base, p, 0)
    return out


_S32 = np.uint64(32)


@njit
def _round(z, k):  # noqa: ANN001, ANN202 - compiled
    """A Feistel round's function: the middle bits of a keyed product (multiply-shift)."""
    return ((z ^ k) * _M1) >> _S32


@njit
def _permute(x, layout, keys):  # noqa: ANN001, ANN202 - compiled
    """One pass of the 4-round Feistel network over ``high + low`` bits (halves alternate)."""
    high, low, m_high, m_low = layout
    k0, k1, k2, k3 = keys
    x = ((x & m_low) << high) | ((x >> low) ^ (_round(x & m_low, k0) & m_high))
    x = ((x & m_high) << low) | ((x >> high) ^ (_round(x & m_high, k1) & m_low))
    x = ((x & m_low) << high) | ((x >> low) ^ (_round(x & m_low, k2) & m_high))
    return ((x & m_high) << low) | ((x >> high) ^ (_round(x & m_high, k3) & m_low))


@njit
def _unpermute(y, layout, keys):  # noqa: ANN001, ANN202 - compiled
    """The inverse of :func:`_permute`: its rounds undone, last first."""
    high, low, m_high, m_low = layout
    k0, k1, k2, k3 = keys
    y = (((y & m_low) ^ (_round(y >> low, k3) & m_low)) << high) | (y >> low)
    y = (((y & m_high) ^ (_round(y >> high, k2) & m_high)) << low) | (y >> high)
    y = (((y & m_low) ^ (_round(y >> low, k1) & m_low)) << high) | (y >> low)
    return (((y & m_high) ^ (_round(y >> high, k0) & m_high)) << low) | (y >> high)


@njit
def _layout(size):  # noqa: ANN001, ANN202 - compiled
    """The Feistel halves for the smallest power of two ≥ ``size`` (at least 4): bits, masks."""
    bits = 2
    while (1 << bits) < size:
        bits += 1
    high, low = np.uint64(bits // 2), np.uint64(bits - bits // 2)
    one = np.uint64(1)
    return high, low, (one << high) - one, (one << low) - one


@njit
def _keys(base):  # noqa: ANN001, ANN202 - compiled
    """The four round keys of a day's order."""
    return (
        _mix(base + _GOLDEN),
        _mix(base + np.uint64(2) * _GOLDEN),
        _mix(base + np.uint64(3) * _GOLDEN),
        _mix(base + np.uint64(4) * _GOLDEN),
    )


@njit
def _position_of(p, size, layout, keys):  # noqa: ANN001, ANN202 - compiled
    """Where prospect ``p`` stands in the day's order (cycle walking keeps it below size)."""
    y = _unpermute(np.uint64(p), layout, keys)
    while y >= np.uint64(size):
        y = _unpermute(y, layout, keys)
    return np.int64(y)


@njit
def _prospect_at(j, size, layout, keys):  # noqa: ANN001, ANN202 - compiled
    """The prospect at position ``j`` of the day's order."""
    x = _permute(np.uint64(j), layout, keys)
    while x >= np.uint64(size):
        x = _permute(x, layout, keys)
    return np.int64(x)


@njit(cache=True, nogil=True)
def positions(seeds, stream, day, size, rows):  # noqa: ANN001, ANN201 - compiled
    """Each row's position in its replication's order of the day (a permutation of 0..size-1)."""
    layout = _layout(size)
    out = np.empty(rows.size, dtype=np.int64)
    r_last = -1
    keys = _keys(np.uint64(0))
    for i in range(rows.size):
        r = rows[i] // size
        if r != r_last:
            keys, r_last = _keys(_base(seeds[r], stream, day)), r
        out[i] = _position_of(rows[i] - r * size, size, layout, keys)
    return out


@njit(cache=True, nogil=True)
def walk(seeds, stream, day, size, stage, targets, wanted, window):  # noqa: ANN001, ANN201, PLR0913
    """Per replication, the first ``wanted[r]`` rows in ``targets`` stages in the day's order.

    Only positions below ``window[r]`` count. Rows come out in the order found, grouped
    by replication (sort them: numba's sort costs seconds to compile); the set is the
    one :func:`positions` would pick among the listed audience.
    """
    layout = _layout(size)
    out = np.empty(int(wanted.sum()), dtype=np.int64)
    k = 0
    for r in range(seeds.size):
        keys = _keys(_base(seeds[r], stream, day))
        found, j = 0, 0
        while found < wanted[r] and j < window[r]:
            row = r * size + _prospect_at(j, size, layout, keys)
            if targets[stage[row]]:
                out[k] = row
                k += 1
                found += 1
            j += 1
    return out[:k]


@njit
def _binomial_quantile(u, n, p):  # noqa: ANN001, ANN202 - compiled
    """The smallest k with P(Binomial(n, p) ≤ k) > u: a binomial count from one uniform.

    Walks the probabilities from the mode, so the cost grows with the spread, not n.
    """
    if n == 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    ratio = p / (1.0 - p)
    mode = min(n, int((n + 1) * p))
    log_mode = (
        math.lgamma(n + 1.0) - math.lgamma(mode + 1.0) - math.lgamma(n - mode + 1.0)
        + mode * math.log(p) + (n - mode) * math.log1p(-p)
    )  # fmt: skip
    at_mode = math.exp(log_mode)
    below = 0.0  # P(X < mode), summed down until the terms vanish
    term, k = at_mode, mode
    while k > 0 and term > 1e-300:
        term *= k / ((n - k + 1.0) * ratio)
        k -= 1
        below += term
        if term < 1e-17 * below:
            break
    cdf = below + at_mode
    if u < cdf:  # walk down
        k, term = mode, at_mode
        while k > 0:
            if u >= cdf - term:
                return k
            cdf -= term
            term *= k / ((n - k + 1.0) * ratio)
            k -= 1
        return 0
    k, term = mode, at_mode
    while k < n and u >= cdf:
        term *= (n - k) / (k + 1.0) * ratio
        k += 1
        cdf += term
        if term < 1e-20 * cdf:  # the rest of the tail is below rounding: u is in it
            break
    return k


@njit(cache=True, nogil=True)
def prefix_counts(seeds, stream, day, size, p):  # noqa: ANN001, ANN201 - compiled
    """Per replication, a Binomial(size, p) count keyed by the stream and day."""
    counts = np.empty(seeds.size, dtype=np.int64)
    for r in range(seeds.size):
        base = _base(seeds[r], stream, day)
        counts[r] = _binomial_quantile(_unit(_mix(base ^ _COUNT_SALT)), size, p)
    return counts


@njit(cache=True, nogil=True)
def prefix(seeds, stream, day, size, counts):  # noqa: ANN001, ANN201 - compiled
    """The first ``counts[r]`` prospects of each replication's order of the day, as rows.

    With ``counts`` from :func:`prefix_counts`, each prospect is in with chance ``p``,
    independently, and a larger ``p`` keeps everyone a smaller one took. Rows come out
    in the day's order, grouped by replication.
    """
    layout = _layout(size)
    out = np.empty(int(counts.sum()), dtype=np.int64)
    k = 0
    for r in range(seeds.size):
        keys = _keys(_base(seeds[r], stream, day))
        for j in range(counts[r]):
            out[k + j] = r * size + _prospect_at(j, size, layout, keys)
        k += counts[r]
    return out
