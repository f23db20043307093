"""Prospect state as columns, and the one verb that moves prospects between stages.

All per-prospect state lives in numpy arrays owned by the model, one row per
prospect, so that a campaign touching 50,000 prospects is one vectorized
operation (the agent set *is* a table, as in mesa-frames). A
:class:`~sim.model.agents.Prospect` agent is a thin view on its row.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum

import numpy as np
from numba import njit

from sim.model.sampling import sample_quality, sample_satisfaction
from sim.model.touchlog import TouchLog
from sim.scenario.schema import Population, Quality, Satisfaction
from sim.scenario.vocabulary import DIMENSIONS, STAGES

Stage = IntEnum("Stage", [(name.upper(), code) for code, name in enumerate(STAGES)])
"""Journey stages as the integer codes of the ``stage`` column (``Stage.CUSTOMER``),
in the order of :data:`~sim.scenario.vocabulary.STAGES`."""

N_DIMS = len(DIMENSIONS)
N_STAGES = len(Stage)
PROSPECT_STAGES = (Stage.UNAWARE, Stage.AWARE, Stage.ENGAGED, Stage.EVALUATING)
"""Stages in which a prospect is still being won (before the sales handoff)."""


def stage_mask(stages: object) -> np.ndarray:
    """A lookup table ``table[stage] -> bool`` for a set of stages."""
    table = np.zeros(N_STAGES, dtype=bool)
    for stage in stages:
        table[int(stage)] = True
    return table


def in_stages(stage: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``mask[stage]`` for a whole stage column, as range comparisons.

    Equal to the lookup, but a comparison per run of consecutive stages in the
    mask is ~20× faster than fancy indexing on a million prospects.
    """
    result = None
    for lo, hi in _runs(mask):
        if lo == hi:
            part = stage == lo
        elif lo == 0:
            part = stage <= hi
        else:  # lo <= stage <= hi in one pass: stages below lo wrap around to large values
            part = (stage.view(np.uint8) - np.uint8(lo)) <= np.uint8(hi - lo)
        result = part if result is None else np.logical_or(result, part, out=result)
    return np.zeros(stage.shape, dtype=bool) if result is None else result


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Runs ``(first, last)`` of consecutive True entries in a stage mask."""
    runs: list[tuple[int, int]] = []
    for s in np.flatnonzero(mask).tolist():
        if runs and runs[-1][1] == s - 1:
            runs[-1] = (runs[-1][0], s)
        else:
            runs.append((s, s))
    return runs


OPEN_STAGES = stage_mask((*PROSPECT_STAGES, Stage.SALES_QUALIFIED))
"""Prospects not yet won or gone: the ones touches and word of mouth can reach."""
ACTIVE_CUSTOMER = stage_mask((Stage.CUSTOMER, Stage.ADVOCATE))


class ProspectTable:
    """The columns of prospect state, one row per prospect.

    Attributes are public numpy arrays; the model and the touchpoint function
    write them in place. Sources (channels, reps, referral, reviews) are indexed
    by small integers; ``-1`` means "none".
    """

    def __init__(self, n: int, n_sources: int, block: int | None = None) -> None:
        """Allocate zeroed columns for ``n`` rows and ``n_sources`` touch sources.

        ``block`` is the rows of one replication (default ``n``: one replication).
        """
        self.n = n
        self.block_size = block or n
        # prospects per replication and stage, kept up to date by every move
        self.stage_counts = np.zeros((n // self.block_size, N_STAGES), dtype=np.int64)
        self.stage_counts[:, 0] = self.block_size
        self.stage = np.zeros(n, dtype=np.int8)
        self.reached = np.zeros(n, dtype=np.uint16)  # bit per stage ever reached
        self.trust = np.zeros((n, N_DIMS), dtype=np.float32)
        self.threshold = np.zeros((n, N_DIMS), dtype=np.float32)
        self.good_fit = np.zeros(n, dtype=bool)
        self.need = np.zeros(n, dtype=bool)
        self.browses = np.zeros(n, dtype=bool)  # finds pull channels without a need
        self.fatigue = np.zeros(n, dtype=np.float32)
        self.touches_by_dim = np.zeros((n, N_DIMS), dtype=np.int32)
        self.touches_by_source = np.zeros((n, n_sources), dtype=np.int32)
        self.online_touches = np.zeros(n, dtype=np.int32)
        self.first_touch = np.full(n, -1, dtype=np.int16)
        self.first_touch_day = np.full(n, -1, dtype=np.int32)  # the day of the first touch
        self.need_since = np.zeros(n, dtype=np.int32)  # the day the current need arose
        self.today = 0  # the day being simulated (stamped on first touches)
        self.last_touch = np.full(n, -1, dtype=np.int16)
        self.referred_by = np.full(n, -1, dtype=np.int64)  # the referrer's row
        # sales pipeline
        self.handoff_day = np.full(n, -1, dtype=np.int32)
        self.handoff_hour = np.zeros(n, dtype=np.float64)  # the hour of that day (0–24)
        self.next_contact = np.full(n, np.inf, dtype=np.float64)  # day (fractional)
        self.rep_touches = np.zeros(n, dtype=np.int32)  # rep calls made, reached or not
        self.contacted = np.zeros(n, dtype=bool)  # a rep has spoken with the decision maker
        self.deal_stage = np.zeros(n, dtype=np.int8)  # DEAL_STAGES code while in sales
        self.deal_reached = np.zeros(n, dtype=np.uint8)  # bit per deal stage ever reached
        self.deal_meetings = np.zeros(n, dtype=np.int16)  # meetings held in the current stage
        self.meetings = np.zeros(n, dtype=np.int16)  # meetings held in the whole deal
        self.opportunity_day = np.full(n, -1, dtype=np.int32)  # the day it became one
        self.no_decision = np.zeros(n, dtype=bool)  # ready to buy, the deal was shelved
        # after the sale
        self.customer_since = np.full(n, -1, dtype=np.int32)
        self.tenure = np.zeros(n, dtype=np.int32)  # days as a customer before day 0 (installed)
        self.satisfaction = np.zeros(n, dtype=np.float32)
        self.term_price = np.zeros(n, dtype=np.float64)  # a subscriber's price per term
        self.base_satisfaction = np.zeros(n, dtype=np.float32)
        self.review_day = np.full(n, -1, dtype=np.int32)
        self.left_day = np.full(n, -1, dtype=np.int32)  # the day a customer churned
        self.touch_log: TouchLog | None = None  # every touch, when the model keeps one
        # called with (rows, quality listened, source index) after every delivered touch
        self.observers: list[Callable[[np.ndarray, np.ndarray, int], None]] = []
        # touched, or given a need, since the journey last looked (only they can move on)
        self.changed = np.ones(n, dtype=bool)
        self.looked = np.zeros(0, dtype=np.int64)  # the rows changed when it looked today

    def progress(self, rows: np.ndarray, rule: str = "mean") -> np.ndarray:
        """Trust as a share of threshold (0..1), mean or weakest of the four trusts.

        A trust nobody needs (threshold 0) is met, as :meth:`trusts_met` says.
        """
        return _progress(rows, self.trust, self.threshold, rule == "min")

    def trusts_met(self, rows: np.ndarray) -> np.ndarray:
        """Whether each prospect's trust meets its threshold on all four dimensions."""
        return (self.trust[rows] >= self.threshold[rows]).all(axis=1)

    def move(self, rows: np.ndarray, stage: Stage) -> None:
        """Move prospects to ``stage`` and record that they reached it.

        Reaching a stage of the journey also records the open stages before it (a
        referral can take a prospect from unaware to a lead in one day), so funnel
        counts stay nested; leaving (lost, disqualified, churned, bought elsewhere)
        records only the exit. ``rows`` are unique.
        """
        bits = 1 << int(stage)
        if stage <= Stage.ADVOCATE:  # a step forward passes the open stages before it
            bits |= (1 << (min(int(stage), int(Stage.EVALUATING)) + 1)) - 1
        _move(
            np.asarray(rows, dtype=np.int64),
            int(stage),
            np.uint16(bits),
            self.stage,
            self.reached,
            self.stage_counts,
            self.block_size,
        )

    def ever_reached(self, stage: Stage) -> np.ndarray:
        """Whether each prospect has ever been in ``stage``."""
        return (self.reached & (1 << int(stage))) != 0

    def block(self, start: int, stop: int) -> ProspectTable:
        """Rows ``start .. stop`` (one replication) as a table of views, not copies."""
        view = object.__new__(ProspectTable)
        for name, column in vars(self).items():
            setattr(view, name, column[start:stop] if isinstance(column, np.ndarray) else column)
        view.n = stop - start
        view.stage_counts = self.stage_counts[start // self.block_size : stop // self.block_size]
        return view


@njit(cache=True, nogil=True)
def _move(rows, stage, bits, stages, reached, counts, block):  # noqa: ANN001, ANN202 - compiled
    for i in range(rows.size):
        row = rows[i]
        counts[row // block, stages[row]] -= 1
        counts[row // block, stage] += 1
        stages[row] = stage
        reached[row] |= bits


@njit(cache=True, nogil=True)
def _progress(rows, trust, threshold, weakest):  # noqa: ANN001, ANN202 - a compiled kernel
    out = np.empty(rows.size, dtype=np.float32)
    dims = trust.shape[1]
    for i in range(rows.size):
        r = rows[i]
        total = np.float32(0.0)
        low = np.float32(1.0)
        for d in range(dims):
            need = threshold[r, d]
            share = np.float32(1.0) if need <= 0 else min(trust[r, d] / need, np.float32(1.0))
            total += share
            low = min(low, share)
        out[i] = low if weakest else total / np.float32(dims)
    return out


def populate(
    table: ProspectTable,
    start: int,
    rng: np.random.Generator,
    spec: Population,
    satisfaction: Satisfaction,
) -> None:
    """Fill rows ``start .. start + spec.size`` with prospects.

    They differ in thresholds, fit and need.

    Uses its own generator, so that every strategy run with the same seed meets
    the same prospects (common random numbers). An installed base
    (``initial_customer_share``) starts as customers of day 0.
    """
    n = spec.size
    rows = slice(start, start + n)
    t = spec.trust_threshold
    scepticism = sample_quality(rng, Quality(mean=1.0, sd=t.spread), n)
    table.threshold[rows] = scepticism[:, None] * np.asarray(t.as_tuple())[None, :]
    table.good_fit[rows] = rng.random(n) < spec.good_fit_share
    table.need[rows] = rng.random(n) < spec.initial_need_share
    base = start + np.flatnonzero(rng.random(n) < spec.initial_customer_share)
    table.move(base, Stage.CUSTOMER)
    table.customer_since[base] = 0
    table.base_satisfaction[base] = sample_satisfaction(rng, satisfaction, base.size)
    table.satisfaction[base] = table.base_satisfaction[base]
    table.browses[rows] = rng.random(n) < spec.browsing_share
    unaware = start + np.flatnonzero(table.stage[rows] == Stage.UNAWARE)
    table.reached[unaware] = 1 << Stage.UNAWARE
