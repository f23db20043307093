"""The social graph and word of mouth (“Why touchpoint management?”; “Marketing, Meet Sales”).

The graph is a CSR adjacency (``indptr``, ``indices``) built with numpy/scipy, so
a million prospects take seconds, not the minutes and gigabytes of networkx.
Word of mouth is receiver-driven: each day an open prospect talks with one of
their ties with probability ``conversation_rate_per_day``; if that tie is a
customer willing to recommend, the prospect receives a referral touch. Under
full mixing the tie is anyone else in the population, which makes the adoption
hazard from word of mouth ``q·F`` as in the Bass model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from sim.model import streams
from sim.model.prospects import ACTIVE_CUSTOMER, ProspectTable
from sim.model.replicas import Replicas


@dataclass(frozen=True, slots=True)
class SocialGraph:
    """Who talks to whom: a CSR adjacency, or full mixing when ``indptr`` is None.

    In a batch of replications each has its own graph: the adjacency is block
    diagonal (rows and ties are batch rows), and full mixing stays inside a block.

    Attributes:
        n: Prospects per replication.
    """

    n: int
    indptr: np.ndarray | None = None
    indices: np.ndarray | None = None

    @classmethod
    def random(cls, rng: np.random.Generator, n: int, mean_degree: float) -> SocialGraph:
        """An undirected random graph (Erdős–Rényi-like) with the given mean degree."""
        m = int(round(n * mean_degree / 2))
        src = rng.integers(0, n, size=m, dtype=np.int32)
        dst = rng.integers(0, n, size=m, dtype=np.int32)
        return cls.from_edges(n, src, dst)

    @classmethod
    def small_world(
        cls, rng: np.random.Generator, n: int, mean_degree: float, rewire: float
    ) -> SocialGraph:
        """A Watts–Strogatz graph (Watts & Strogatz 1998): a ring, some ties rewired.

        Each prospect is tied to its ``mean_degree / 2`` (rounded) next neighbours on a
        ring; each tie's far end moves to a uniformly random prospect with chance
        ``rewire``. Neighbours of neighbours are neighbours (high clustering) while the
        rewired ties keep paths short. Built as arrays, no Python loop over prospects.
        """
        half = min(int(round(mean_degree / 2)), max((n - 1) // 2, 0))
        src = np.repeat(np.arange(n, dtype=np.int64), half)
        dst = (src + np.tile(np.arange(1, half + 1, dtype=np.int64), n)) % max(n, 1)
        moved = rng.random(src.size) < rewire
        dst[moved] = rng.integers(0, n, size=int(moved.sum()))
        return cls.from_edges(n, src, dst)

    @classmethod
    def scale_free(
        cls, rng: np.random.Generator, n: int, mean_degree: float, exponent: float
    ) -> SocialGraph:
        """A graph with power-law degrees P(k) ∝ k^-exponent: a few hubs, many with few ties.

        Degrees are drawn from a power law above a minimum chosen so that the mean is
        ``mean_degree`` (capped at √(n·mean) to keep the graph simple, then rescaled to
        the mean and rounded at random), then paired at random (the erased configuration
        model: Newman, Strogatz & Watts 2001; self-ties and repeated ties dropped).
        """
        if n < 2 or mean_degree <= 0:
            return cls.from_edges(n, np.zeros(0, np.int64), np.zeros(0, np.int64))
        k_min = max(mean_degree * (exponent - 2) / (exponent - 1), 1.0)
        cap = max(np.sqrt(n * mean_degree), k_min + 1)
        u = rng.random(n)
        degrees = np.minimum(k_min * (1 - u) ** (-1 / (exponent - 1)), cap)
        degrees *= mean_degree / degrees.mean()  # the cap cut the tail: restore the mean
        degrees = np.floor(degrees + rng.random(n)).astype(np.int64)  # unbiased rounding
        stubs = np.repeat(np.arange(n, dtype=np.int64), degrees)
        rng.shuffle(stubs)
        pairs = stubs[: stubs.size // 2 * 2].reshape(-1, 2)
        return cls.from_edges(n, pairs[:, 0], pairs[:, 1])

    def clustering(self) -> float:
        """The mean local clustering coefficient (share of a prospect's tie pairs tied)."""
        if self.indptr is None:
            return 1.0
        adj = sp.csr_array(
            (np.ones(self.indices.size), self.indices, self.indptr), shape=(self.n, self.n)
        )
        triangles = (adj @ adj).multiply(adj).sum(axis=1) / 2
        degree = self.degrees()
        pairs = degree * (degree - 1) / 2
        local = np.divide(triangles, pairs, out=np.zeros(self.n), where=pairs > 0)
        return float(local.mean())

    @classmethod
    def from_edges(cls, n: int, sources: np.ndarray, targets: np.ndarray) -> SocialGraph:
        """An undirected graph of ``n`` prospects from its ties (row numbers, 0 .. n-1).

        Duplicate ties and self-ties are dropped. Use it to load a real network
        (e.g. ``zip(*networkx_graph.edges())``) in :meth:`JourneyModel.build_graph`.
        """
        src, dst = np.asarray(sources), np.asarray(targets)
        outside = src.size and (min(src.min(), dst.min()) < 0 or max(src.max(), dst.max()) >= n)
        if src.shape != dst.shape or outside:
            raise ValueError(f"ties must be pairs of rows 0..{n - 1}")
        keep = src != dst
        src, dst = src[keep], dst[keep]
        rows, cols = np.concatenate([src, dst]), np.concatenate([dst, src])
        ones = np.ones(rows.size, dtype=np.int8)
        adj = sp.csr_array((ones, (rows, cols)), shape=(n, n))  # duplicate ties merge
        return cls(n, adj.indptr.astype(np.int64), adj.indices.astype(np.int32))

    @classmethod
    def stack(cls, graphs: list[SocialGraph]) -> SocialGraph:
        """One graph per replication, as the block-diagonal graph of the batch."""
        first = graphs[0]
        if len(graphs) == 1 or first.indptr is None:
            return first
        ties = np.cumsum([0] + [g.indices.size for g in graphs[:-1]])
        indptr = np.concatenate(
            [g.indptr[:-1] + t for g, t in zip(graphs, ties, strict=True)]
            + [np.array([ties[-1] + graphs[-1].indices.size])]
        )
        indices = np.concatenate([g.indices + r * first.n for r, g in enumerate(graphs)])
        return cls(first.n, indptr.astype(np.int64), indices.astype(np.int64))

    @property
    def full_mixing(self) -> bool:
        """True when everyone can talk to everyone."""
        return self.indptr is None

    def degrees(self) -> np.ndarray:
        """Number of ties of each prospect."""
        if self.indptr is None:
            return np.full(self.n, self.n - 1)
        return np.diff(self.indptr)

    def pick_ties(
        self, replicas: Replicas, rows: np.ndarray, stream: str = streams.WOM_TIE
    ) -> np.ndarray:
        """One uniformly random tie of each prospect in ``rows`` (-1 if it has none)."""
        if self.indptr is None:  # anyone else in the replication: never oneself
            if self.n < 2:
                return np.full(rows.size, -1, dtype=np.int64)
            n = self.n
            ties = replicas.integers(stream, rows, n - 1)
            block = replicas.of(rows) * n
            return ties + (ties >= rows - block) + block
        start = self.indptr[rows]
        degree = self.indptr[rows + 1] - start
        offset = (replicas.uniform(stream, rows) * degree).astype(np.int64)
        ties = np.full(rows.size, -1, dtype=np.int64)
        has = degree > 0
        ties[has] = self.indices[start[has] + offset[has]]
        return ties

    def pick_ties_in(
        self,
        replicas: Replicas,
        rows: np.ndarray,
        stage: np.ndarray,
        stages: np.ndarray,
        stream: str,
    ) -> np.ndarray:
        """One uniformly random tie of each of ``rows`` among those whose stage is in ``stages``.

        -1 for a row with no such tie. Under full mixing the tie is one random other
        prospect of the replication, kept only if their stage is in ``stages``.
        """
        if self.indptr is None:
            ties = self.pick_ties(replicas, rows, stream)
            known = ties >= 0
            ties[known] = np.where(stages[stage[ties[known]]], ties[known], -1)
            return ties
        start = self.indptr[rows]
        degree = self.indptr[rows + 1] - start
        owner = np.repeat(np.arange(rows.size), degree)
        first = np.cumsum(degree) - degree
        everyone = self.indices[np.repeat(start - first, degree) + np.arange(owner.size)]
        wanted = stages[stage[everyone]]
        everyone, owner = everyone[wanted], owner[wanted]
        count = np.bincount(owner, minlength=rows.size)
        offset = (replicas.uniform(stream, rows) * count).astype(np.int64)
        ties = np.full(rows.size, -1, dtype=np.int64)
        has = count > 0
        ties[has] = everyone[(np.cumsum(count) - count)[has] + offset[has]]
        return ties


def recommendations(
    replicas: Replicas,
    graph: SocialGraph,
    table: ProspectTable,
    talkers: np.ndarray,
    willingness: Callable[[np.ndarray], np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Who receives a recommendation today, and from whom.

    Args:
        replicas: The batch's replications and their generators.
        graph: The social graph.
        table: Prospect columns (read only).
        talkers: Open prospects who talk about their need today.
        willingness: Each customer's chance to recommend, given their rows: their
            satisfaction, lifted by a referral reward
            (:meth:`~sim.model.referrals.ReferralProgramme.willingness`).

    Returns:
        ``(receivers, referrers)``: row indices of equal length.
    """
    ties = graph.pick_ties(replicas, talkers)
    known = ties >= 0
    talkers, ties = talkers[known], ties[known]
    is_customer = ACTIVE_CUSTOMER[table.stage[ties]]
    talkers, ties = talkers[is_customer], ties[is_customer]
    says_yes = replicas.chance(streams.WOM_YES, talkers, willingness(ties))
    return talkers[says_yes], ties[says_yes]
