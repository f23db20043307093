"""Review sites and the zero moment of truth (“Marketing, Meet Sales”).

Customers post reviews with their satisfaction as the score; prospects who start
evaluating look them up, and the score moves their trust up or down.
"""

from __future__ import annotations

import numpy as np

from sim.model.prospects import ProspectTable
from sim.model.touch import deliver
from sim.scenario.schema import Attention, Reviews


class ReviewBoard:
    """Review sites: the score customers leave and prospects read at the ZMOT."""

    def __init__(
        self, table: ProspectTable, spec: Reviews, attention: Attention, source: int
    ) -> None:
        """Start with the scenario's initial reviews; lookups are touches from ``source``."""
        self.table = table
        self.spec = spec
        self.attention = attention
        self.source = source
        self.count = spec.initial_count if spec.enabled else 0
        self.score_sum = spec.initial_score * self.count
        self.weights = np.asarray(spec.trust.as_tuple())

    @property
    def score(self) -> float | None:
        """Mean review score (0..1), None when there are no reviews."""
        return self.score_sum / self.count if self.count else None

    def post(self, scores: np.ndarray) -> None:
        """Customers post reviews with their current satisfaction as the score."""
        if self.spec.enabled:
            self.count += scores.size
            self.score_sum += float(scores.sum())

    def look_up(self, rows: np.ndarray) -> None:
        """Prospects at the zero moment of truth read the reviews (“Marketing, Meet Sales”).

        Trust moves by ``weight × (score − neutral) × n / (n + saturation)``: good
        reviews help, bad ones hurt, and a handful of reviews count for little.
        """
        spec = self.spec
        if not spec.enabled or self.count == 0 or rows.size == 0:
            return
        confidence = self.count / (self.count + spec.saturation)
        quality = spec.weight * (self.score - spec.neutral_score) * confidence
        deliver(self.table, rows, quality, self.weights, self.source, self.attention)
