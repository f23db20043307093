"""The one place where a touch becomes trust.

Sources: “Rub those sore sales muscles!”; “Why touchpoint management?”.

A touch on a prospect without an active need mostly bounces: it listens with chance
``no_need_receptivity`` (:func:`listening`, decided before any quality is drawn), one with
a need always. trust gained on dimension d = quality × weight[d] / (1 + fatigue) for a
touch that is listened to, nothing for one that bounces (it still costs, tires and makes
the prospect aware). Channels, reps, referrals and reviews all go through :func:`deliver`.
Between touches trust decays and fatigue wears off (:func:`decay`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.model.prospects import ProspectTable, Stage
from sim.model.replicas import Replicas
from sim.model.streams import listens
from sim.scenario.schema import Attention


def listening(
    replicas: Replicas, table: ProspectTable, rows: np.ndarray, source: str, attention: Attention
) -> np.ndarray:
    """Whether each touched prospect listens to ``source``'s touch (“Why touchpoint management?”).

    One with an active need always does; one without, with chance ``no_need_receptivity``
    (its own stream per source, keyed by prospect and day).
    """
    listen = table.need[rows]
    chance = attention.no_need_receptivity
    if chance >= 1.0:
        return np.ones(rows.size, dtype=bool)
    if chance > 0.0 and not listen.all():
        idle = ~listen
        listen[idle] = replicas.chance(listens(source), rows[idle], chance)
    return listen


def deliver(
    table: ProspectTable,
    rows: np.ndarray,
    quality: np.ndarray | float,
    weights: np.ndarray,
    source: int,
    attention: Attention,
    *,
    intrusiveness: float = 0.0,
    online: bool = True,
    listen: np.ndarray | None = None,
) -> None:
    """Deliver one touch to each of ``rows`` (unique indices).

    Args:
        table: The prospect columns, written in place.
        rows: Prospects touched, each at most once.
        quality: Quality of each touch (quality units), or one value for all; only
            read where the touch is listened to.
        weights: How the quality splits over the four trusts (length 4).
        source: Index of the touch source, for attribution (and the touch log, if kept).
        attention: Receptivity and fatigue parameters.
        intrusiveness: Fatigue this touch adds.
        online: Whether the touch leaves an online trail a rep can read
            (“Marketing, Meet Sales”).
        listen: Whether each touch is listened to (:func:`listening`); None: every one.
    """
    if rows.size == 0:
        return
    if not (isinstance(quality, np.ndarray) and quality.dtype == np.float64):
        quality = np.asarray(quality, dtype=np.float64)
    if quality.shape != rows.shape:
        quality = np.full(rows.shape, quality)
    elif not quality.flags.c_contiguous:
        quality = np.ascontiguousarray(quality)
    if listen is None:
        listen = np.ones(rows.size, dtype=bool)
    if table.touch_log is not None:
        table.touch_log.record(rows, np.where(listen, quality, 0.0), source, table.today)
    _touch(
        rows,
        quality,
        listen,
        np.asarray(weights, dtype=np.float64),
        source,
        np.float32(intrusiveness),
        online,
        table.fatigue,
        table.trust,
        table.touches_by_dim,
        table.touches_by_source,
        table.online_touches,
        table.first_touch,
        table.first_touch_day,
        table.today,
        table.last_touch,
        table.stage,
        table.reached,
        table.changed,
        table.stage_counts,
        table.block_size,
    )
    for observe in table.observers:  # JourneyModel.touched, when a subclass defines it
        observe(rows, np.where(listen, quality, 0.0), source)


_AWARE = int(Stage.AWARE)
_AWARE_BITS = (1 << (_AWARE + 1)) - 1
"""Reaching "aware" also records "unaware" (see :meth:`ProspectTable.move`)."""


@njit(cache=True, nogil=True)
def _touch(  # noqa: PLR0913 - one compiled pass over every column a touch writes
    rows, quality, listen, weights, source, intrusiveness, online,
    fatigue, trust, touches_by_dim, touches_by_source, online_touches,
    first_touch, first_touch_day, today, last_touch, stage, reached, changed, stage_counts, block,
):  # fmt: skip
    dims = weights.size
    for i in range(rows.size):
        r = rows[i]
        if listen[i]:
            gain = quality[i] / (np.float32(1.0) + fatigue[r])
            for d in range(dims):
                t = trust[r, d] + np.float32(gain * weights[d])
                trust[r, d] = t if t > np.float32(0.0) else np.float32(0.0)
                if weights[d] > 0:
                    touches_by_dim[r, d] += 1
        fatigue[r] += intrusiveness
        touches_by_source[r, source] += 1
        if online:
            online_touches[r] += 1
        if first_touch[r] < 0:
            first_touch[r] = source
            first_touch_day[r] = today
        last_touch[r] = source
        if stage[r] == 0:
            stage[r] = _AWARE
            reached[r] |= _AWARE_BITS
            stage_counts[r // block, 0] -= 1
            stage_counts[r // block, _AWARE] += 1
        changed[r] = True


def decay(table: ProspectTable, attention: Attention) -> None:
    """One day passes: trust decays and fatigue wears off (in place, whole columns)."""
    if attention.decay_per_day:
        table.trust *= np.float32(1.0 - attention.decay_per_day)
    if attention.fatigue_recovery_per_day:
        table.fatigue *= np.float32(1.0 - attention.fatigue_recovery_per_day)
