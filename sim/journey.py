"""How prospects move through the journey before the sale (seeds 001, 002, 003, 004).

Needs arise and fade over time and gate attention (seed 002). A prospect with a
need moves on as trust grows: aware → engaged → evaluating, where at the zero
moment of truth they look up reviews (seed 004), → handed to sales when the
handoff rule is met, after qualification screens out poor fits (seed 003).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.population import Stage, bernoulli_rows, in_stages, stage_mask
from sim.touchpoints import deliver

if TYPE_CHECKING:
    from sim.model import JourneyModel

_WARMING = stage_mask((Stage.AWARE, Stage.ENGAGED, Stage.EVALUATING))


def update_needs(model: JourneyModel) -> None:
    """Latent needs become active at ``need_rate_per_day``; active ones fade."""
    table, spec = model.prospects, model.spec.population
    need = table.need
    fading = bernoulli_rows(model.rng, need, 1.0 / spec.need_duration_days)
    arising = bernoulli_rows(model.rng, ~need, spec.need_rate_per_day)
    need[fading] = False
    need[arising] = True


def advance(model: JourneyModel, day: int) -> None:
    """Move warming prospects with a need along by their trust progress."""
    table, spec = model.prospects, model.spec
    rows = np.flatnonzero(in_stages(table.stage, _WARMING) & table.need)
    if rows.size == 0:
        return
    progress = table.progress(rows)
    stage = table.stage[rows]
    engaging = rows[(stage == Stage.AWARE) & (progress >= spec.journey.engage_at)]
    table.stage[engaging] = Stage.ENGAGED
    table.mark_reached(engaging, Stage.ENGAGED)

    is_entering = (stage < Stage.EVALUATING) & (progress >= spec.journey.evaluate_at)
    entering = rows[is_entering]
    table.stage[entering] = Stage.EVALUATING
    table.mark_reached(entering, Stage.EVALUATING)
    model.reviews.look_up(entering)

    evaluating = table.stage[rows] == Stage.EVALUATING
    if spec.handoff.rule == "mean":  # reuse today's progress; reviews moved only the entering
        if entering.size:
            progress[is_entering] = table.progress(entering)
        ready = rows[evaluating & (progress >= spec.handoff.level)]
    else:
        evaluating = rows[evaluating]
        ready = evaluating[table.progress(evaluating, spec.handoff.rule) >= spec.handoff.level]
    if spec.handoff.qualify:
        caught = ~table.good_fit[ready] & (
            model.rng.random(ready.size) < spec.handoff.qualification_accuracy
        )
        table.stage[ready[caught]] = Stage.DISQUALIFIED
        table.mark_reached(ready[caught], Stage.DISQUALIFIED)
        ready = ready[~caught]
    model.sales_queue.hand_off(ready, day)


class ReviewBoard:
    """Review sites: the score customers leave and prospects read at the ZMOT."""

    def __init__(self, model: JourneyModel) -> None:
        """Start with the scenario's initial reviews."""
        self.model = model
        spec = model.spec.reviews
        self.count = spec.initial_count if spec.enabled else 0
        self.score_sum = spec.initial_score * self.count
        self.weights = np.asarray(spec.trust.as_tuple())

    @property
    def score(self) -> float | None:
        """Mean review score (0..1), None when there are no reviews."""
        return self.score_sum / self.count if self.count else None

    def post(self, scores: np.ndarray) -> None:
        """Customers post reviews with their current satisfaction as the score."""
        if self.model.spec.reviews.enabled:
            self.count += scores.size
            self.score_sum += float(scores.sum())

    def look_up(self, rows: np.ndarray) -> None:
        """Prospects at the zero moment of truth read the reviews (seed 004).

        Trust moves by ``weight × (score − neutral) × n / (n + saturation)``: good
        reviews help, bad ones hurt, and a handful of reviews count for little.
        """
        spec = self.model.spec.reviews
        if not spec.enabled or self.count == 0 or rows.size == 0:
            return
        confidence = self.count / (self.count + spec.saturation)
        quality = spec.weight * (self.score - spec.neutral_score) * confidence
        deliver(
            self.model.prospects,
            rows,
            quality,
            self.weights,
            self.model.source_index["reviews"],
            self.model.spec.attention,
        )
