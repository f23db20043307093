"""How prospects move through the journey before the sale.

Sources: “What are Sales Touchpoints?”; “Why touchpoint management?”; “Getting the next
sale”; “Marketing, Meet Sales”.

Needs arise and fade over time and gate attention. A prospect with a need moves
on as trust grows: aware → engaged → evaluating, where at the zero moment of truth
they look up reviews, → handed to sales when the handoff rule is met, after
qualification screens out poor fits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model import streams
from sim.model.prospects import OPEN_STAGES, Stage, stage_mask

if TYPE_CHECKING:
    from sim.model.market import Market

_WARMING = stage_mask((Stage.AWARE, Stage.ENGAGED, Stage.EVALUATING))


def update_needs(model: Market) -> None:
    """Latent needs become active at ``need_rate_per_day``; active ones fade."""
    spec, replicas = model.spec.population, model.replicas
    need = model.prospects.need
    fading = replicas.bernoulli(streams.NEED_FADES, need, 1.0 / spec.need_duration_days)
    arising = replicas.bernoulli(streams.NEED_ARISES, ~need, spec.need_rate_per_day)
    need[fading] = False
    need[arising] = True
    model.prospects.need_since[arising] = model.day
    model.prospects.changed[arising] = True


def advance(model: Market, day: int) -> None:
    """Move warming prospects with a need along by their trust progress."""
    table, spec = model.prospects, model.spec
    looked = np.flatnonzero(table.changed)  # nobody else can move on (or buy) today
    table.changed[looked] = False
    table.looked = looked
    rows = looked[_WARMING[table.stage[looked]] & table.need[looked]]
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
        caught = ~table.good_fit[ready] & model.replicas.chance(
            streams.QUALIFIES, ready, spec.handoff.qualification_accuracy, once=True
        )
        table.move(ready[caught], Stage.DISQUALIFIED)
        ready = ready[~caught]
    model.sales_queue.hand_off(ready, day)


def opt_out(model: Market) -> None:
    """Prospects fatigued past the limit opt out (“Why touchpoint management?”)."""
    spec = model.spec
    if not any(spec.channels[n].intrusiveness > 0 for n in spec.enabled_channels()):
        return  # no touch is intrusive: fatigue stays 0
    table = model.prospects
    tired = np.flatnonzero(table.fatigue > spec.attention.opt_out_fatigue)
    tired = tired[OPEN_STAGES[table.stage[tired]]]
    table.move(tired, Stage.LOST)
    table.fatigue[tired] = 0.0
    table.next_contact[tired] = np.inf
