"""Counter-based streams: each draw a function of (seed, stream, day, prospect), and sound."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.model.agents import whole_on
from sim.model.prospects import N_STAGES
from sim.model.replicas import Replicas
from sim.scenario.schema import Quality, Satisfaction


def replicas(seeds=(7,), size=5000, day=3) -> Replicas:
    batch = Replicas(list(seeds), size)
    batch.day = day
    return batch


def test_a_draw_depends_on_its_keys_only():
    a, b = replicas(), replicas()
    rows = np.arange(5000)
    first = a.uniform("s", rows)
    a.uniform("other stream", rows)  # drawing elsewhere shifts nothing
    np.testing.assert_array_equal(a.uniform("s", rows), first)
    np.testing.assert_array_equal(b.uniform("s", rows[::7]), first[::7])  # any subset
    assert not np.array_equal(a.uniform("t", rows), first)
    b.day = 4
    assert not np.array_equal(b.uniform("s", rows), first)
    assert not np.array_equal(replicas(seeds=(8,)).uniform("s", rows), first)


def test_a_replication_of_a_batch_draws_as_it_would_alone():
    batch, alone = replicas(seeds=(3, 9, 4), size=1000), replicas(seeds=(9,), size=1000)
    rows = np.sort(np.random.default_rng(0).choice(3000, 900, replace=False))
    mine = (rows >= 1000) & (rows < 2000)
    np.testing.assert_array_equal(
        batch.quality("q", rows, Quality(mean=2, sd=1))[mine],
        alone.quality("q", rows[mine] - 1000, Quality(mean=2, sd=1)),
    )
    np.testing.assert_array_equal(
        _block(batch.bernoulli("b", None, 0.05), 1), alone.bernoulli("b", None, 0.05)
    )
    audience = np.arange(0, 3000, 2)
    np.testing.assert_array_equal(
        _block(batch.first("c", audience, np.array([50, 60, 70])), 1),
        alone.first("c", audience[audience < 1000], np.array([60])),
    )


def _block(rows: np.ndarray, r: int, size: int = 1000) -> np.ndarray:
    return rows[(rows >= r * size) & (rows < (r + 1) * size)] - r * size


def test_uniforms_are_uniform_and_independent_across_streams():
    rows = np.arange(5000)
    u, v = replicas().uniform("a", rows), replicas().uniform("b", rows)
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    assert abs(np.corrcoef(u, v)[0, 1]) < 0.05


@pytest.mark.parametrize(("mean", "sd"), [(2.5, 0.8), (1.0, 2.0), (0.3, 0.1)])
def test_qualities_are_gamma_with_the_asked_mean_and_sd(mean, sd):
    batch = replicas(size=40_000)
    drawn = batch.quality("q", np.arange(40_000), Quality(mean=mean, sd=sd))
    shape = (mean / sd) ** 2
    assert stats.kstest(drawn, "gamma", args=(shape, 0, mean / shape)).pvalue > 1e-3


def test_satisfactions_are_clipped_normals():
    drawn = replicas(size=20_000).satisfaction(
        "s", np.arange(20_000), Satisfaction(mean=0.6, sd=0.2)
    )
    assert drawn.min() >= 0 and drawn.max() <= 1
    inside = drawn[(drawn > 0) & (drawn < 1)]
    law = stats.truncnorm(-0.6 / 0.2, 0.4 / 0.2, loc=0.6, scale=0.2)
    assert stats.kstest(inside, law.cdf).pvalue > 1e-3


@pytest.mark.parametrize("size", [1, 2, 3, 5, 1000, 1025, 4096])
def test_the_day_order_is_a_permutation(size):
    batch = replicas(seeds=(1, 2), size=size)
    place = batch.positions("o", np.arange(2 * size))
    for r in range(2):
        np.testing.assert_array_equal(np.sort(place[r * size : (r + 1) * size]), np.arange(size))


def test_walking_the_order_finds_who_listing_it_finds():
    size = 3000
    batch = replicas(seeds=(1, 2, 3), size=size)
    rng = np.random.default_rng(5)
    stage = rng.integers(0, N_STAGES, 3 * size).astype(np.int8)
    targets = np.zeros(N_STAGES, dtype=bool)
    targets[[1, 3]] = True
    audience = np.flatnonzero(targets[stage])
    wanted = np.array([10, 400, 5000])
    for window in (None, np.array([3000, 300, 1500])):
        listed = batch.first("c", audience, wanted, window)
        walked = batch.walk("c", stage, targets, wanted, window)
        np.testing.assert_array_equal(walked, listed)
    chosen = batch.counts(batch.first("c", audience, wanted))
    np.testing.assert_array_equal(chosen, np.minimum(wanted, batch.counts(audience)))


def test_more_wanted_keeps_everyone_fewer_chose():
    batch = replicas(size=10_000)
    audience = np.arange(0, 10_000, 3)
    few = batch.first("c", audience, np.array([200]))
    more = batch.first("c", audience, np.array([202]))
    assert few.size == 200 and more.size == 202
    assert np.isin(few, more).all()


def test_population_trials_have_the_binomial_law_and_nest():
    size, p = 2000, 0.03
    counts, seen = [], np.zeros(size)
    batch = replicas(size=size)
    for day in range(1, 401):
        batch.day = day
        hits = batch.bernoulli("n", None, p)
        assert np.isin(hits, batch.bernoulli("n", None, p * 1.01)).all()  # a larger p keeps them
        counts.append(hits.size)
        seen[hits] += 1
    counts = np.asarray(counts)
    assert counts.mean() == pytest.approx(size * p, rel=0.03)
    assert counts.var() == pytest.approx(size * p * (1 - p), rel=0.25)
    # every prospect is as likely as any other to be drawn
    assert stats.chisquare(seen).pvalue > 1e-3


def test_eligibility_filters_but_does_not_move_the_trials():
    batch = replicas(size=3000)
    eligible = np.zeros(3000, dtype=bool)
    eligible[::2] = True
    everyone = batch.bernoulli("n", None, 0.1)
    np.testing.assert_array_equal(batch.bernoulli("n", eligible, 0.1), everyone[everyone % 2 == 0])


def test_whole_units_never_fall_when_the_amount_rises_and_keep_the_total():
    days = np.arange(1, 3651)
    for amount in (0.3, 2.78, 3.3333, 100.0):
        low = np.array([whole_on(amount, d) for d in days])
        high = np.array([whole_on(amount * 1.01, d) for d in days])
        assert (high >= low).all()
        assert np.abs(np.cumsum(low) - amount * days).max() < 3.0
