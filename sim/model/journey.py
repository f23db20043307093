"""How prospects move through the journey before the sale.

Sources: “What are Sales Touchpoints?”; “Why touchpoint management?”; “Getting the next
sale”; “Marketing, Meet Sales”.

Needs arise and fade over time and gate attention (“Why touchpoint management?”). A prospect with a
need moves on as trust grows: aware → engaged → evaluating, where at the zero
moment of truth they look up reviews (“Marketing, Meet Sales”), → handed to sales when the
handoff rule is met, after qualification screens out poor fits (“Getting the next sale”).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.prospects import Stage, in_stages, stage_mask
from sim.model.sampling import bernoulli_rows

if TYPE_CHECKING:
    from sim.model.market import Market

_WARMING = stage_mask((Stage.AWARE, Stage.ENGAGED, Stage.EVALUATING))


def update_needs(model: Market) -> None:
    """Latent needs become active at ``need_rate_per_day``; active ones fade."""
    table, spec = model.prospects, model.spec.population
    need = table.need
    fading = bernoulli_rows(model.rng, need, 1.0 / spec.need_duration_days)
    arising = bernoulli_rows(model.rng, ~need, spec.need_rate_per_day)
    need[fading] = False
    need[arising] = True


def advance(model: Market, day: int) -> None:
    """Move warming prospects with a need along by their trust progress."""
    table, spec = model.prospects, model.spec
    rows = np.flatnonzero(in_stages(table.stage, _WARMING) & table.need)
    if rows.size == 0:
        return
    progress = table.progress(rows)
    stage = table.stage[rows]
    engaging = rows[(stage == Stage.AWARE) & (progress >= spec.journey.engage_at)]
    table.move(engaging, Stage.ENGAGED)

    is_entering = (stage < Stage.EVALUATING) & (progress >= spec.journey.evaluate_at)
    entering = rows[is_entering]
    table.move(entering, Stage.EVALUATING)
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
        table.move(ready[caught], Stage.DISQUALIFIED)
        ready = ready[~caught]
    model.sales_queue.hand_off(ready, day)
