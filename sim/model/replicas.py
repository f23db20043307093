"""Replications as an axis: one seed per replication, rows in blocks.

A model advances ``R`` replications of one scenario at once. Every prospect
column has ``R × N`` rows, replication ``r`` in rows ``[r·N, (r+1)·N)``, so
population-wide arithmetic is one numpy call for the whole batch and the fixed
cost of a simulated day is paid once per batch, not once per run.

Every draw is keyed by the replication's seed, a named stream (:mod:`sim.model.streams`),
the day and the prospect (:mod:`sim.model.counters`): no generator carries state, so
replication ``r`` of a batch gives exactly the numbers of a single run with its seed,
whatever the batch it is in, the engine or the workers, and two runs that differ in
one mechanism meet the same numbers everywhere else.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.model import counters
from sim.model.sampling import as_satisfaction, gamma_parameters
from sim.model.streams import seed_key, stream_key
from sim.scenario.schema import Quality, Satisfaction

_UNIFORM, _GAMMA, _NORMAL = 0, 1, 2
_NO_EVENTS = np.zeros(0, dtype=np.int64)
_MEMBER = np.array([False, True])
"""Stage table of a membership column (1: a member) for :meth:`Replicas.walk`."""


class Replicas:
    """The replications of a batch: their seeds, row blocks and keyed draws.

    Every draw method takes the stream's name first and draws for today
    (:attr:`day`): the same (stream, day, prospect) always gives the same number. A
    draw with ``once=True`` is keyed by the prospect alone (day 0, before the run):
    for what happens once in a prospect's life (how satisfied they are with the
    purchase, whether qualification catches them), and one with ``event=`` by the
    prospect's event number (their first call, second call, ...), so that an event
    that comes a day earlier or later in another run has the same outcome.

    Args:
        seeds: One seed per replication.
        size: Prospects per replication (``N``).
    """

    def __init__(self, seeds: Sequence[int], size: int) -> None:
        self.seeds = [int(s) for s in seeds]
        self.count = len(self.seeds)
        self.size = size
        self.keys = np.array([seed_key(s) for s in self.seeds], dtype=np.uint64)
        self.day = 0
        """The day draws are keyed by (the model sets it each morning)."""
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

    def uniform(
        self, stream: str, rows: np.ndarray, *, once: bool = False, event: np.ndarray | None = None
    ) -> np.ndarray:
        """One uniform number in [0, 1) per row (rows grouped by replication)."""
        return self._draw(stream, rows, _UNIFORM, once=once, event=event)

    def chance(
        self,
        stream: str,
        rows: np.ndarray,
        p: float | np.ndarray,
        *,
        once: bool = False,
        event: np.ndarray | None = None,
    ) -> np.ndarray:
        """Whether each row succeeds in a trial of chance ``p`` (scalar or per row)."""
        return self.uniform(stream, rows, once=once, event=event) < p

    def quality(
        self,
        stream: str,
        rows: np.ndarray,
        dist: Quality,
        *,
        once: bool = False,
        event: np.ndarray | None = None,
    ) -> np.ndarray:
        """One touch quality (or any gamma quantity) per row, with ``dist``'s mean and sd."""
        gamma = gamma_parameters(dist)
        if gamma is None:
            return np.full(rows.size, dist.mean)
        return self._draw(stream, rows, _GAMMA, *gamma, once=once, event=event)

    def satisfaction(
        self, stream: str, rows: np.ndarray, dist: Satisfaction, *, once: bool = False
    ) -> np.ndarray:
        """One satisfaction per row: a normal, clipped to [0, 1]."""
        if dist.sd == 0:
            return np.full(rows.size, dist.mean, dtype=np.float32)
        drawn = self._draw(stream, rows, _NORMAL, dist.mean, dist.sd, once=once)
        return as_satisfaction(drawn)

    def integers(self, stream: str, rows: np.ndarray, high: int) -> np.ndarray:
        """One integer in [0, high) per row."""
        return (self.uniform(stream, rows) * high).astype(np.int64)

    def bernoulli(self, stream: str, eligible: np.ndarray | None, p: float) -> np.ndarray:
        """Rows where ``eligible`` holds (None: every row) that win a trial of chance ``p``, sorted.

        Whether a prospect wins is fixed by the stream, the day and ``p``, whatever
        ``eligible`` is; a larger ``p`` keeps every winner of a smaller one
        (:func:`~sim.model.counters.prefix`).
        """
        if p <= 0:
            return np.zeros(0, dtype=np.int64)
        if p >= 1:
            return np.arange(self.rows) if eligible is None else np.flatnonzero(eligible)
        counts = self.prefix_counts(stream, p)
        hits = self._sorted(
            counters.prefix(self.keys, stream_key(stream), self.day, self.size, counts)
        )
        return hits if eligible is None else hits[eligible[hits]]

    def prefix_counts(self, stream: str, p: float) -> np.ndarray:
        """Per replication, how many of the day's order a trial of chance ``p`` each takes.

        A Binomial(N, ``p``) count from one number of the stream's day: the first that
        many of :meth:`positions`' order are the winners.
        """
        key = stream_key(stream)
        return counters.prefix_counts(self.keys, key, self.day, self.size, float(p))

    def bernoulli_in(
        self, stream: str, stage: np.ndarray, stages: np.ndarray, p: float
    ) -> np.ndarray:
        """:meth:`bernoulli` of the rows whose stage is in ``stages``, sorted."""
        hits = self.bernoulli(stream, None, p)
        return hits[stages[stage[hits]]]

    def positions(self, stream: str, rows: np.ndarray) -> np.ndarray:
        """Each row's place in its replication's order of the day (0 .. N-1, all distinct)."""
        return counters.positions(self.keys, stream_key(stream), self.day, self.size, rows)

    def first(
        self,
        stream: str,
        rows: np.ndarray,
        wanted: np.ndarray,
        window: np.ndarray | None = None,
    ) -> np.ndarray:
        """The first ``wanted[r]`` of replication ``r``'s ``rows`` in the day's order.

        Only rows placed below ``window[r]`` (default: all) may be chosen. ``rows``
        grouped by replication; the chosen stay in the order of ``rows``. A larger
        ``wanted`` or window keeps everyone a smaller one chose.
        """
        wanted = np.asarray(wanted, dtype=np.int64)
        counts = self.counts(rows)
        if window is None and (wanted >= counts).all():
            return rows  # everyone: no order needed
        if self.walk_is_cheaper(wanted, counts, window):
            member = np.zeros(self.rows, dtype=np.int8)  # walking the order is cheaper:
            member[rows] = 1  # the same rows, found without placing every one
            return self.walk(stream, member, _MEMBER, wanted, window)
        place = self.positions(stream, rows)
        if window is not None:
            inside = place < window[self.of(rows)]
            rows, place = rows[inside], place[inside]
        wanted = np.minimum(wanted, self.counts(rows))
        cuts = self._cuts(rows)
        keep = np.zeros(rows.size, dtype=bool)
        for r in range(self.count):
            lo, hi, n = cuts[r], cuts[r + 1], wanted[r]
            if n >= hi - lo:
                keep[lo:hi] = True
            elif n > 0:
                mine = place[lo:hi]
                keep[lo:hi] = mine <= np.partition(mine, n - 1)[n - 1]
        return rows[keep]

    def walk_is_cheaper(
        self, wanted: np.ndarray, available: np.ndarray, window: np.ndarray | None
    ) -> bool:
        """Whether walking the order finds ``wanted[r]`` of ``available[r]`` for less than listing.

        A walk takes about N / available places per prospect found (at most the window);
        a step of the walk costs about what placing a listed prospect does.
        """
        span = self.size if window is None else window
        steps = np.minimum(span, wanted * self.size / np.maximum(available, 1))
        return bool(steps.sum() < available.sum())

    def walk(
        self,
        stream: str,
        stage: np.ndarray,
        stages: np.ndarray,
        wanted: np.ndarray,
        window: np.ndarray | None = None,
    ) -> np.ndarray:
        """:meth:`first` among the rows whose stage is in ``stages``, without listing them.

        The same rows, found by walking the day's order until enough are found:
        cheaper than listing when few of a large audience are wanted.
        """
        if window is None:
            window = np.full(self.count, self.size, dtype=np.int64)
        return self._sorted(
            counters.walk(
                self.keys,
                stream_key(stream),
                self.day,
                self.size,
                stage,
                stages,
                np.asarray(wanted, dtype=np.int64),
                window,
            )
        )

    def _sorted(self, rows: np.ndarray) -> np.ndarray:
        """Distinct rows in row order: marked in a mask when many, else sorted."""
        if rows.size * 16 < self.rows:
            return np.sort(rows)
        mask = np.zeros(self.rows, dtype=bool)
        mask[rows] = True
        return np.flatnonzero(mask)

    def _draw(
        self,
        stream: str,
        rows: np.ndarray,
        kind: int,
        a: float = 0.0,
        b: float = 0.0,
        *,
        once: bool = False,
        event: np.ndarray | None = None,
    ) -> np.ndarray:
        """``counters.draw`` for today, day 0 if ``once``, or per-row ``event`` numbers."""
        day = 0 if once else self.day
        events = _NO_EVENTS if event is None else np.asarray(event, dtype=np.int64)
        key = stream_key(stream)
        return counters.draw(self.keys, key, day, self.size, rows, kind, float(a), float(b), events)

    def block(self, column: np.ndarray, r: int) -> np.ndarray:
        """Replication ``r``'s rows of a prospect column (a view)."""
        return column[r * self.size : (r + 1) * self.size]
