"""Replications as an axis: one random stream per replication, rows in blocks.

A model advances ``R`` replications of one scenario at once. Every prospect
column has ``R × N`` rows, replication ``r`` in rows ``[r·N, (r+1)·N)``, so
population-wide arithmetic is one numpy call for the whole batch and the fixed
cost of a simulated day is paid once per batch, not once per run.

Randomness stays per replication: each has its own generator (seeded by its
own seed), every draw for a row comes from the generator of that row's
replication, and the draws are made in the same order as in a run of that
replication alone. So replication ``r`` of a batch gives exactly the numbers of a
single run with its seed, whatever the batch it is in, the engine or the workers.
Small draws go through compiled kernels (:mod:`sim.model.draws`) that serve every
replication in one call, large ones through numpy, replication by replication.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from sim.model import draws
from sim.model.sampling import (
    DENSE_TRIALS,
    SMALL_SAMPLE,
    as_satisfaction,
    bernoulli_rows,
    gamma_parameters,
    sample_ranks,
)
from sim.scenario.schema import Quality, Satisfaction

Draw = Callable[[np.random.Generator, int], np.ndarray]
"""A draw of ``k`` numbers from one replication's generator."""

COMPILED_BELOW = 1000
"""Mean draws per replication below which one compiled call draws for the whole batch
(:mod:`sim.model.draws`); above, numpy draws for each replication in turn: numpy is
as fast or faster per number (a compiled integer costs ~3× numpy's, a gamma ~1.2×),
the compiled call is faster per batch.
Both make the same draws, so the choice changes no number."""


class Replicas:
    """The replications of a batch: their seeds, generators and row blocks.

    Args:
        seeds: One seed per replication.
        size: Prospects per replication (``N``).
        first: The generator of the first replication, if it exists already (Mesa's
            ``model.rng``, seeded with ``seeds[0]``).
    """

    def __init__(
        self, seeds: Sequence[int], size: int, first: np.random.Generator | None = None
    ) -> None:
        self.seeds = [int(s) for s in seeds]
        self.count = len(self.seeds)
        self.size = size
        self.rngs = [np.random.default_rng(s) for s in self.seeds]
        if first is not None:
            self.rngs[0] = first
        self.streams = draws.streams(self.rngs)
        self.offsets = np.arange(self.count, dtype=np.int64) * size
        self._bounds = np.arange(self.count + 1, dtype=np.int64) * size
        self._numbers = np.arange(self.count, dtype=np.int64)

    @property
    def rows(self) -> int:
        """Rows of every prospect column: replications × prospects."""
        return self.count * self.size

    def of(self, rows: np.ndarray) -> np.ndarray:
        """The replication of each row (``rows`` grouped by replication, in order)."""
        if self.count == 1:
            return np.zeros(rows.size, dtype=np.int64)
        return np.repeat(self._numbers, self.counts(rows))

    def counts(self, rows: np.ndarray) -> np.ndarray:
        """How many of ``rows`` fall in each replication (length ``R``).

        ``rows`` must be grouped by replication, in replication order (row numbers
        need not be sorted inside a group): then each replication's rows lie between
        two binary-search cuts.
        """
        if self.count == 1:
            return np.array([rows.size], dtype=np.int64)
        cuts = rows.searchsorted(self._bounds)
        return cuts[1:] - cuts[:-1]

    def _cuts(self, rows: np.ndarray) -> np.ndarray:
        """Where each replication's rows start in ``rows`` (and where the last ends)."""
        return rows.searchsorted(self._bounds)

    def blocks(self, rows: np.ndarray) -> list[np.ndarray]:
        """``rows`` (grouped by replication, in replication order) cut per replication."""
        if self.count == 1:
            return [rows]
        cuts = self._cuts(rows)
        return [rows[cuts[r] : cuts[r + 1]] for r in range(self.count)]

    def sums(self, rows: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Per-replication sums of ``values`` (one row of values per row of ``rows``).

        ``rows`` grouped by replication; integer values are summed exactly.
        """
        if self.count == 1:
            return values.sum(axis=0, dtype=np.int64)[None, ...]
        cuts = self._cuts(rows)
        running = np.zeros((values.shape[0] + 1, *values.shape[1:]), dtype=np.int64)
        np.cumsum(values, axis=0, out=running[1:])
        return running[cuts[1:]] - running[cuts[:-1]]

    def merge(self, *parts: np.ndarray) -> np.ndarray:
        """Row arrays (each grouped by replication) joined replication by replication.

        For each replication: its rows of the first part, then of the second, ...
        """
        if self.count == 1:
            return np.concatenate(parts)
        blocks = [self.blocks(part) for part in parts]
        return np.concatenate([rows for r in range(self.count) for rows in (b[r] for b in blocks)])

    def uniform(self, rows: np.ndarray) -> np.ndarray:
        """One uniform number in [0, 1) per row."""
        if self.count == 1:
            return self.rngs[0].random(rows.size)
        return draws.per_row(self.streams, self.counts(rows), draws.UNIFORM)

    def chance(self, rows: np.ndarray, p: float | np.ndarray) -> np.ndarray:
        """Whether each row succeeds in a trial of chance ``p`` (scalar or per row)."""
        return self.uniform(rows) < p

    def quality(self, rows: np.ndarray, dist: Quality) -> np.ndarray:
        """One touch quality per row (:func:`~sim.model.sampling.sample_quality`)."""
        gamma = gamma_parameters(dist)
        if gamma is None:
            return np.full(rows.size, dist.mean)
        counts = self.counts(rows)
        if self._compiled(rows.size / self.count):
            return draws.per_row(self.streams, counts, draws.GAMMA, *gamma)
        return self._each(counts, lambda rng, k: rng.gamma(*gamma, size=k))

    def satisfaction(self, rows: np.ndarray, dist: Satisfaction) -> np.ndarray:
        """One satisfaction per row (:func:`~sim.model.sampling.sample_satisfaction`)."""
        if dist.sd == 0:
            return np.full(rows.size, dist.mean, dtype=np.float32)
        counts = self.counts(rows)
        if self._compiled(rows.size / self.count):
            drawn = draws.per_row(self.streams, counts, draws.NORMAL, dist.mean, dist.sd)
        else:
            drawn = self._each(counts, lambda rng, k: rng.normal(dist.mean, dist.sd, size=k))
        return as_satisfaction(drawn)

    def integers(self, rows: np.ndarray, high: int) -> np.ndarray:
        """One integer in [0, high) per row."""
        counts = self.counts(rows)
        if self._compiled(10 * rows.size / self.count):  # a compiled integer costs ~3× numpy's
            return draws.per_row(self.streams, counts, draws.INTEGERS, high).astype(np.int64)
        return self._each(counts, lambda rng, k: rng.integers(0, high, size=k))

    def binomial(self, trials: np.ndarray, p: float) -> np.ndarray:
        """Successes in ``trials[r]`` trials of chance ``p``, per replication."""
        trials = np.asarray(trials, dtype=np.int64)
        if self.count == 1:
            return np.array([self.rngs[0].binomial(trials[0], p)], dtype=np.int64)
        return draws.binomial(self.streams, trials, p)

    def bernoulli(self, eligible: np.ndarray | None, p: float) -> np.ndarray:
        """Rows where ``eligible`` holds (None: every row) that win a trial of chance ``p``, sorted.

        Each replication draws its own trials (:func:`~sim.model.sampling.bernoulli_rows`).
        """
        if p <= 0:
            return np.zeros(0, dtype=np.int64)
        if p >= 1:
            return np.arange(self.rows) if eligible is None else np.flatnonzero(eligible)
        if self._compiled(self.size if p > DENSE_TRIALS else self.size * p):
            everyone = np.zeros(0, dtype=bool)  # the kernel's "every row"
            return draws.bernoulli(
                self.streams, everyone if eligible is None else eligible, self.size, p
            )
        parts = [
            bernoulli_rows(rng, self.size if eligible is None else self.block(eligible, r), p)
            + self.offsets[r]
            for r, rng in enumerate(self.rngs)
        ]
        return parts[0] if self.count == 1 else np.concatenate(parts)

    def bernoulli_in(self, stage: np.ndarray, stages: np.ndarray, p: float) -> np.ndarray:
        """:meth:`bernoulli` of the rows whose stage is in ``stages``, sorted.

        The same rows and draws, but a stage is read only where a trial succeeded:
        no pass over the whole stage column.
        """
        hits = self.bernoulli(None, p)
        return hits[stages[stage[hits]]]

    def sample(self, rows: np.ndarray, wanted: np.ndarray) -> np.ndarray:
        """``wanted[r]`` of replication ``r``'s ``rows``, uniformly without replacement.

        ``rows`` grouped by replication; the chosen stay in the order of ``rows``.
        """
        cuts = self._cuts(rows)
        ranks, bounds = self.ranks(cuts[1:] - cuts[:-1], wanted)
        return rows[np.repeat(cuts[:-1], bounds[1:] - bounds[:-1]) + ranks]

    def ranks(self, available: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sorted ranks of ``wanted[r]`` of ``available[r]`` items per replication, and cuts.

        Replication ``r``'s ranks are ``ranks[cuts[r]:cuts[r+1]]``
        (:func:`~sim.model.sampling.sample_ranks`).
        """
        available = np.asarray(available, dtype=np.int64)
        wanted = np.minimum(np.asarray(wanted, dtype=np.int64), available)
        floyd = wanted[wanted < SMALL_SAMPLE * available]  # the others: random keys
        if floyd.sum() < COMPILED_BELOW * self.count:  # compiled keys are faster, integers slower
            return draws.ranks(self.streams, available, wanted)
        parts = [
            sample_ranks(rng, int(m), int(n))
            for rng, m, n in zip(self.rngs, available, wanted, strict=True)
        ]
        sizes = [part.size for part in parts]  # random keys may tie: a part may hold more
        return np.concatenate(parts), np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)

    def _compiled(self, draws_per_replica: float) -> bool:
        """Whether one compiled call should draw for the batch (see :data:`COMPILED_BELOW`)."""
        return self.count > 1 and draws_per_replica < COMPILED_BELOW

    def _each(self, counts: np.ndarray, draw: Draw) -> np.ndarray:
        """``draw(generator, k)`` for each replication, its ``counts[r]`` numbers joined."""
        parts = [draw(rng, int(k)) for rng, k in zip(self.rngs, counts, strict=True)]
        return parts[0] if self.count == 1 else np.concatenate(parts)

    def block(self, column: np.ndarray, r: int) -> np.ndarray:
        """Replication ``r``'s rows of a prospect column (a view)."""
        return column[r * self.size : (r + 1) * self.size]
