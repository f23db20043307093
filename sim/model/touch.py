"""The one place where a touch becomes trust.

Sources: “Rub those sore sales muscles!”; “Why touchpoint management?”.

trust gained on dimension d = quality × receptivity × weight[d], where
receptivity = (1 if the prospect has an active need else ``no_need_receptivity``)
/ (1 + fatigue). Channels, reps, referrals, reviews and post-purchase care all go
through :func:`deliver`. Between touches trust decays and fatigue wears off
(:func:`decay`).
"""

from __future__ import annotations

import numpy as np

from sim.model.prospects import ProspectTable, Stage
from sim.scenario.schema import Attention


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
    counts: bool = True,
) -> np.ndarray:
    """Deliver one touch to each of ``rows`` (unique indices) and return the gain.

    Args:
        table: The prospect columns, written in place.
        rows: Prospects touched, each at most once.
        quality: Quality of each touch (quality units), or one value for all.
        weights: How the quality splits over the four trusts (length 4).
        source: Index of the touch source, for attribution.
        attention: Receptivity and fatigue parameters.
        intrusiveness: Fatigue this touch adds.
        online: Whether the touch leaves an online trail a rep can read (“Marketing, Meet Sales”).
        counts: Whether it counts as a touch for attribution (reviews read at the
            zero moment of truth do; negative ones still move trust).

    Returns:
        The effective quality (quality × receptivity) of each touch.
    """
    if rows.size == 0:
        return np.zeros(0)
    receptivity = np.where(table.need[rows], 1.0, attention.no_need_receptivity)
    receptivity = receptivity / (1.0 + table.fatigue[rows])
    gain = np.asarray(quality, dtype=np.float64) * receptivity
    trust = table.trust[rows] + (gain[:, None] * weights[None, :]).astype(np.float32)
    table.trust[rows] = np.maximum(trust, 0.0)
    if intrusiveness:
        table.fatigue[rows] += np.float32(intrusiveness)
    if counts:
        table.touches_by_dim[rows] += (weights > 0).astype(np.int16)
        table.touches_by_source[rows, source] += 1
        if online:
            table.online_touches[rows] += 1
        fresh = rows[table.first_touch[rows] < 0]
        table.first_touch[fresh] = source
        table.last_touch[rows] = source
    unaware = rows[table.stage[rows] == Stage.UNAWARE]
    table.move(unaware, Stage.AWARE)
    return gain


def decay(table: ProspectTable, attention: Attention) -> None:
    """One day passes: trust decays and fatigue wears off (in place, whole columns)."""
    if attention.decay_per_day:
        table.trust *= np.float32(1.0 - attention.decay_per_day)
    if attention.fatigue_recovery_per_day:
        table.fatigue *= np.float32(1.0 - attention.fatigue_recovery_per_day)
