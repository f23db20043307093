"""The compiled draws make exactly the draws numpy's own calls make, replication by replication.

Each kernel of ``sim.model.draws`` serves every replication of a batch in one call;
its numpy twin (``sim.model.sampling``, or a numpy call) draws for one replication,
and a batch uses one or the other by the size of the draw. Equal arrays, and
generators left in equal states, mean a seed's numbers do not depend on which drew them.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.model import draws, replicas
from sim.model.audiences import ranked_rows
from sim.model.prospects import stage_mask
from sim.model.replicas import Replicas
from sim.model.sampling import bernoulli_rows, sample_ranks
from sim.scenario.schema import Quality, Satisfaction


def generators(seed: int, count: int) -> list[np.random.Generator]:
    return [np.random.default_rng([seed, r]) for r in range(count)]


def same_states(a: list[np.random.Generator], b: list[np.random.Generator]) -> bool:
    return all(x.bit_generator.state == y.bit_generator.state for x, y in zip(a, b, strict=True))


CASES = [
    (seed, count, size, p)
    for seed, (count, size) in enumerate([(1, 50), (3, 3000), (4, 12_000), (2, 60_000)])
    for p in (0.001, 0.03, 0.19, 0.21, 0.6)
]


@pytest.mark.parametrize(("seed", "count", "size", "p"), CASES)
def test_bernoulli_draws_what_numpy_draws(seed: int, count: int, size: int, p: float) -> None:
    eligible = np.random.default_rng(seed).random(count * size) < 0.6
    ours, theirs = generators(seed, count), generators(seed, count)
    got = draws.bernoulli(draws.streams(ours), eligible, size, p)
    blocks = [eligible[r * size : (r + 1) * size] for r in range(count)]
    want = [
        bernoulli_rows(rng, b, p) + r * size
        for r, (rng, b) in enumerate(zip(theirs, blocks, strict=True))
    ]
    np.testing.assert_array_equal(got, np.concatenate(want))
    assert same_states(ours, theirs)


@pytest.mark.parametrize("share", [0.0, 0.005, 0.03, 0.1, 0.124, 0.126, 0.5, 0.99, 1.0, 1.5])
@pytest.mark.parametrize(("count", "size"), [(1, 40), (3, 5000), (2, 40_000)])
def test_ranks_draw_what_numpy_draws(share: float, count: int, size: int) -> None:
    """Every branch: all, numpy's Floyd and tail shuffle (m > 10,000), random keys."""
    available = np.random.default_rng(size).integers(size // 2, size, count)
    wanted = np.minimum((available * share).astype(np.int64), available)
    ours, theirs = generators(size, count), generators(size, count)
    got, cuts = draws.ranks(draws.streams(ours), available, wanted)
    want = [
        sample_ranks(rng, int(m), int(n))
        for rng, m, n in zip(theirs, available, wanted, strict=True)
    ]
    np.testing.assert_array_equal(got, np.concatenate(want))
    np.testing.assert_array_equal(np.diff(cuts), wanted)
    assert same_states(ours, theirs)


@pytest.mark.parametrize("compiled", [True, False])
def test_a_batch_draws_the_same_either_way(monkeypatch, compiled: bool) -> None:
    """Compiled for the batch or numpy per replication: the same rows, qualities, ranks."""
    monkeypatch.setattr(replicas, "COMPILED_BELOW", np.inf if compiled else 0)
    count, size = 4, 3000
    batch = Replicas([11, 12, 13, 14], size)
    alone = [Replicas([s], size) for s in (11, 12, 13, 14)]
    eligible = np.random.default_rng(0).random(count * size) < 0.5
    rows = np.flatnonzero(eligible)
    blocks = [eligible[r * size : (r + 1) * size] for r in range(count)]
    cuts = np.searchsorted(rows, np.arange(count + 1) * size)
    wanted = np.array([5, 900, 0, 2000])

    for p in (0.01, 0.5):
        got = batch.bernoulli(eligible, p)
        want = [
            a.bernoulli(b, p) + r * size for r, (a, b) in enumerate(zip(alone, blocks, strict=True))
        ]
        np.testing.assert_array_equal(got, np.concatenate(want))
    got = batch.sample(rows, wanted)
    want = [
        a.sample(rows[cuts[r] : cuts[r + 1]] - r * size, wanted[r : r + 1]) + r * size
        for r, a in enumerate(alone)
    ]
    np.testing.assert_array_equal(got, np.concatenate(want))
    dist = Quality(mean=0.5, sd=0.2)
    got = batch.quality(rows, dist)
    want = [a.quality(rows[cuts[r] : cuts[r + 1]] - r * size, dist) for r, a in enumerate(alone)]
    np.testing.assert_array_equal(got, np.concatenate(want))
    liking = Satisfaction(mean=0.7, sd=0.3)
    got = batch.satisfaction(rows, liking)
    want = [
        a.satisfaction(rows[cuts[r] : cuts[r + 1]] - r * size, liking) for r, a in enumerate(alone)
    ]
    np.testing.assert_array_equal(got, np.concatenate(want))
    got = batch.integers(rows, 2999)
    want = [a.integers(rows[cuts[r] : cuts[r + 1]] - r * size, 2999) for r, a in enumerate(alone)]
    np.testing.assert_array_equal(got, np.concatenate(want))
    np.testing.assert_array_equal(
        batch.binomial(np.diff(cuts), 0.3),
        [a.binomial(np.diff(cuts)[r : r + 1], 0.3)[0] for r, a in enumerate(alone)],
    )
    assert same_states(batch.rngs, [a.rngs[0] for a in alone])


def test_per_row_draws_are_numpy_draws() -> None:
    counts = np.array([0, 7, 300, 1])
    ours, theirs = generators(5, 4), generators(5, 4)
    streams = draws.streams(ours)
    np.testing.assert_array_equal(
        draws.per_row(streams, counts, draws.UNIFORM),
        np.concatenate([g.random(k) for g, k in zip(theirs, counts, strict=True)]),
    )
    for shape in (0.6, 2.0, 25.0):  # both of numpy's gamma algorithms
        np.testing.assert_array_equal(
            draws.per_row(streams, counts, draws.GAMMA, shape, 0.3),
            np.concatenate([g.gamma(shape, 0.3, k) for g, k in zip(theirs, counts, strict=True)]),
        )
    np.testing.assert_array_equal(
        draws.per_row(streams, counts, draws.NORMAL, 0.7, 0.2),
        np.concatenate([g.normal(0.7, 0.2, k) for g, k in zip(theirs, counts, strict=True)]),
    )
    np.testing.assert_array_equal(
        draws.per_row(streams, counts, draws.INTEGERS, 9_999),
        np.concatenate([g.integers(0, 9_999, size=k) for g, k in zip(theirs, counts, strict=True)]),
    )
    trials = np.array([0, 12, 5_000, 1])
    np.testing.assert_array_equal(
        draws.binomial(streams, trials, 0.37),
        [int(g.binomial(k, 0.37)) for g, k in zip(theirs, trials, strict=True)],
    )
    assert same_states(ours, theirs)


@pytest.mark.parametrize("share", [2, 7, 200])  # branch-free, row by row, 64 rows at a time
def test_ranked_rows_are_the_scan_indexed(share: int) -> None:
    """Rows found by rank without listing the audience are the listed audience's rows."""
    rng = np.random.default_rng(3)
    size, count = 20_000, 3
    stage = rng.integers(0, 11, size * count).astype(np.int8)
    stages = stage_mask([0, 1, 2, 3, 7])
    audience = np.flatnonzero(stages[stage])
    cuts = np.searchsorted(audience, np.arange(count + 1) * size)
    available = np.diff(cuts)
    chosen, bounds = draws.ranks(draws.streams(generators(1, count)), available, available // share)
    np.testing.assert_array_equal(
        ranked_rows(stage, stages, size, chosen, bounds),
        np.concatenate(
            [audience[cuts[r] : cuts[r + 1]][chosen[bounds[r] : bounds[r + 1]]] for r in range(3)]
        ),
    )


@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize("p", [0.02, 0.5])
def test_trials_among_stages_are_trials_of_the_stage_rows(monkeypatch, compiled, p) -> None:
    """Reading a stage only where a trial won gives the rows and draws of a full scan."""
    monkeypatch.setattr(replicas, "COMPILED_BELOW", np.inf if compiled else 0)
    size, seeds = 4000, [5, 6, 7]
    stage = np.random.default_rng(2).integers(0, 11, size * len(seeds)).astype(np.int8)
    stages = stage_mask([0, 1, 2, 3, 4])
    among, scanned = Replicas(seeds, size), Replicas(seeds, size)
    np.testing.assert_array_equal(
        among.bernoulli_in(stage, stages, p), scanned.bernoulli(stages[stage], p)
    )
    assert same_states(among.rngs, scanned.rngs)
