"""Review sites and the zero moment of truth (“Marketing, Meet Sales”).

Customers post reviews with their satisfaction as the score; prospects who start
evaluating look them up, and the score moves their trust up or down.
"""

from __future__ import annotations

import numpy as np

from sim.model.prospects import ProspectTable
from sim.model.replicas import Replicas
from sim.model.touch import deliver
from sim.scenario.schema import Attention, Reviews


class ReviewBoard:
    """Review sites: the score customers leave and prospects read at the ZMOT.

    Each replication has its own board: ``count`` and ``score_sum`` are per replication.
    """

    def __init__(
        self,
        table: ProspectTable,
        spec: Reviews,
        attention: Attention,
        source: int,
        replicas: Replicas,
        sample_share: float = 1.0,
    ) -> None:
        """Start with the scenario's initial reviews; lookups are touches from ``source``.

        ``count`` is in the simulated prospects' units: when they are a sample of the
        market, its share of the market's reviews (``sample_share`` × the market's), so
        that a review's weight against ``saturation`` is the market's.
        """
        self.table = table
        self.spec = spec
        self.attention = attention
        self.source = source
        self.replicas = replicas
        self.share = sample_share
        initial = spec.initial_count * sample_share if spec.enabled else 0.0
        self.count = np.full(replicas.count, initial, dtype=np.float64)
        self.score_sum = np.full(replicas.count, spec.initial_score * initial)
        self.weights = np.asarray(spec.trust.as_tuple())

    def score(self, replica: int = 0) -> float | None:
        """Mean review score (0..1) of one replication, None when it has no reviews."""
        score = self.scores()[replica]
        return None if np.isnan(score) else float(score)

    def scores(self) -> np.ndarray:
        """Mean review score of every replication, NaN where it has no reviews."""
        return np.where(self.count > 0, self.score_sum / np.maximum(self.count, 1), np.nan)

    def post(self, rows: np.ndarray, scores: np.ndarray) -> None:
        """Customers ``rows`` post reviews with their current satisfaction as the score."""
        if self.spec.enabled:
            replica = self.replicas.of(rows)
            self.count += self.replicas.counts(rows)
            self.score_sum += np.bincount(replica, weights=scores, minlength=self.replicas.count)

    def look_up(self, rows: np.ndarray) -> None:
        """Prospects at the zero moment of truth read the reviews (“Marketing, Meet Sales”).

        Trust moves by ``weight × (score − neutral) × n / (n + saturation)``: good
        reviews help, bad ones hurt, and a handful of reviews count for little.
        """
        spec = self.spec
        if not spec.enabled or rows.size == 0:
            return
        replica = self.replicas.of(rows)
        count = self.count[replica]
        rows, replica, count = rows[count > 0], replica[count > 0], count[count > 0]
        if rows.size == 0:
            return
        market = count / self.share
        confidence = market / (market + spec.saturation)
        score = self.score_sum[replica] / count
        quality = spec.weight * (score - spec.neutral_score) * confidence
        deliver(self.table, rows, quality, self.weights, self.source, self.attention)
