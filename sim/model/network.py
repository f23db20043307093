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

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from sim.model.prospects import ACTIVE_CUSTOMER, ProspectTable


@dataclass(frozen=True, slots=True)
class SocialGraph:
    """Who talks to whom: a CSR adjacency, or full mixing when ``indptr`` is None."""

    n: int
    indptr: np.ndarray | None = None
    indices: np.ndarray | None = None

    @classmethod
    def random(cls, rng: np.random.Generator, n: int, mean_degree: float) -> SocialGraph:
        """An undirected random graph (Erdős–Rényi-like) with the given mean degree."""
        m = int(round(n * mean_degree / 2))
        src = rng.integers(0, n, size=m, dtype=np.int32)
        dst = rng.integers(0, n, size=m, dtype=np.int32)
        keep = src != dst
        src, dst = src[keep], dst[keep]
        rows = np.concatenate([src, dst])
        cols = np.concatenate([dst, src])
        ones = np.ones(rows.size, dtype=np.int8)
        adj = sp.csr_array((ones, (rows, cols)), shape=(n, n))
        return cls(n, adj.indptr.astype(np.int64), adj.indices.astype(np.int32))

    @property
    def full_mixing(self) -> bool:
        """True when everyone can talk to everyone."""
        return self.indptr is None

    def degrees(self) -> np.ndarray:
        """Number of ties of each prospect."""
        if self.indptr is None:
            return np.full(self.n, self.n - 1)
        return np.diff(self.indptr)

    def pick_ties(self, rng: np.random.Generator, rows: np.ndarray) -> np.ndarray:
        """One uniformly random tie of each prospect in ``rows`` (-1 if it has none)."""
        if self.indptr is None:  # anyone else: never oneself
            if self.n < 2:
                return np.full(rows.size, -1, dtype=np.int64)
            ties = rng.integers(0, self.n - 1, size=rows.size)
            return ties + (ties >= rows)
        start = self.indptr[rows]
        degree = self.indptr[rows + 1] - start
        offset = (rng.random(rows.size) * degree).astype(np.int64)
        ties = np.full(rows.size, -1, dtype=np.int64)
        has = degree > 0
        ties[has] = self.indices[start[has] + offset[has]]
        return ties


def recommendations(
    rng: np.random.Generator,
    graph: SocialGraph,
    table: ProspectTable,
    talkers: np.ndarray,
    reward_lift: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Who receives a recommendation today, and from whom.

    Args:
        rng: The model's generator.
        graph: The social graph.
        table: Prospect columns (read only).
        talkers: Open prospects who talk about their need today.
        reward_lift: Relative lift of willingness to recommend from a referral reward.

    Returns:
        ``(receivers, referrers)``: row indices of equal length.
    """
    ties = graph.pick_ties(rng, talkers)
    known = ties >= 0
    talkers, ties = talkers[known], ties[known]
    is_customer = ACTIVE_CUSTOMER[table.stage[ties]]
    talkers, ties = talkers[is_customer], ties[is_customer]
    willingness = np.minimum(table.satisfaction[ties] * (1.0 + reward_lift), 1.0)
    says_yes = rng.random(ties.size) < willingness
    return talkers[says_yes], ties[says_yes]
