"""Where a decision flips: the region of the uncertain inputs in which the usual answer turns.

When a plan beats the baseline in most replications but not all (or loses in most but not
all), the replications that go the other way are the flips. Scenario discovery finds a box
of the inputs that holds most flips and few others, with the Patient Rule Induction Method
of Friedman & Fisher (1999), "Bump hunting in high-dimensional data" (Statistics and
Computing 9), as EMA workbench implements it for scenario discovery (Kwakkel, "The
Exploratory Modeling Workbench", Environmental Modelling & Software 96, 2017; Bryant &
Lempert, "Thinking inside the box", Technological Forecasting and Social Change 77, 2010).
EMA workbench is optional (the ``uncertainty`` extra): without it :func:`flip_region`
says so in its reason instead of failing.
"""

from __future__ import annotations

import logging
import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis.decision import better_sign, paired_runs, varying_inputs

MIN_FLIPS = 5
"""Fewer flipped replications than this are too few to locate."""

COVERAGE_MIN = 0.5
"""A box must hold at least this share of the flips to be the answer."""


EMA_LOGGER = "EMA"
"""EMA workbench's root logger, quietened while PRIM runs."""


@dataclass(frozen=True)
class FlipRegion:
    """The box of the inputs where a plan's comparison with the baseline flips.

    Attributes:
        scenario: The plan.
        kpi: The KPI compared.
        flips_to: What the plan turns into inside the box: ``worse`` (it is better than
            the baseline in most replications) or ``better`` (it is worse in most).
        flips: The replications that go against the majority.
        pairs: The replications compared (both defined the KPI).
        limits: Input key → ``(low, high)`` for each input the box restricts: the box
            holds values from ``low`` to ``high``; None on a side the box leaves open
            (the box reaches the smallest or largest value drawn).
        coverage: The share of the flips inside the box.
        density: The share of the replications inside the box that flip.
    """

    scenario: str
    kpi: str
    flips_to: str
    flips: int
    pairs: int
    limits: dict[str, tuple[float | None, float | None]]
    coverage: float
    density: float


@dataclass(frozen=True)
class NoRegion:
    """Why no flip region is given, in words a caller can show (``reason``)."""

    reason: str


def flip_region(
    kpis: pd.DataFrame, baseline: str, plan: str, kpi: str, min_flips: int = MIN_FLIPS
) -> FlipRegion | NoRegion:
    """Find where in the uncertain inputs the plan's comparison with the baseline flips.

    The flips are the replications where the plan is worse than the baseline (in the
    KPI's better direction) when it is better in most, or better when it is worse in
    most; ties are neither. PRIM (EMA workbench, default peeling and pasting, 5 % at a
    step, boxes down to 5 % of the replications) peels a box around them. The box taken
    from its peeling trajectory is, among those holding at least :data:`COVERAGE_MIN` of
    the flips, the one with the largest coverage × density (the share of the flips it
    holds times the share of its replications that flip): it gives up a flip only for
    purity, and purity only for flips, at the same rate.

    Args:
        kpis: The tidy table with its ``input.<key>`` columns.
        baseline: The baseline scenario's name.
        plan: The plan's name.
        kpi: The KPI column.
        min_flips: Fewer flips than this give no region.

    Returns:
        The :class:`FlipRegion`, or a :class:`NoRegion` saying why there is none: no
        better direction for the KPI, no uncertain input that varies, no majority, no
        flip or too few, ema_workbench not installed, or no box restricting any input.

    Raises:
        InputError: Either scenario has no runs.
    """
    pairs = paired_runs(kpis, baseline, plan, kpi)
    sign = better_sign(kpi)
    if math.isnan(sign):
        return NoRegion(f"{kpi} has no better direction: nothing flips")
    inputs = varying_inputs(pairs.inputs)
    if inputs.empty:
        return NoRegion("no uncertain input varies: only seed noise can flip the answer")
    gain = sign * pairs.difference
    better, worse = int((gain > 0).sum()), int((gain < 0).sum())
    if better == worse:
        return NoRegion(f"{plan} is better in as many replications as it is worse: no majority")
    flips_to, flipped = ("worse", gain < 0) if better > worse else ("better", gain > 0)
    count = int(flipped.sum())
    if count == 0:
        return NoRegion(f"{plan} is {'better' if better else 'worse'} in every replication")
    if count < min_flips:
        runs = "replication" if count == 1 else "replications"
        return NoRegion(f"{plan} is {flips_to} in only {count} {runs}: too few to locate")
    found = _prim(inputs, flipped)
    if isinstance(found, NoRegion):
        return found
    limits, coverage, density = found
    return FlipRegion(plan, kpi, flips_to, count, pairs.difference.size, limits, coverage, density)


def _prim(
    inputs: pd.DataFrame, flipped: np.ndarray
) -> tuple[dict[str, tuple[float | None, float | None]], float, float] | NoRegion:
    """PRIM's box around the flips: its restricted limits, coverage and density."""
    ema = logging.getLogger(EMA_LOGGER)
    level = ema.level
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ipyparallel missing; pandas deprecations inside
        try:
            from ema_workbench.analysis.prim import Prim
        except ImportError:
            return NoRegion("finding where it flips needs ema_workbench (the uncertainty extra)")
        ema.setLevel(logging.ERROR)
        try:
            prim = Prim(inputs.reset_index(drop=True), np.asarray(flipped, dtype=bool))
            box = prim.find_box()
        finally:
            ema.setLevel(level)
    if box is None:
        return NoRegion("PRIM found no box")
    trajectory = box.peeling_trajectory
    eligible = trajectory[trajectory["coverage"] >= COVERAGE_MIN]
    chosen = int((eligible["coverage"] * eligible["density"]).astype(float).idxmax())
    lims, start = box.box_lims[chosen], prim.box_init
    limits: dict[str, tuple[float | None, float | None]] = {}
    for key in inputs.columns:
        low, high = float(lims[key].iloc[0]), float(lims[key].iloc[1])
        opened = (low <= float(start[key].iloc[0]), high >= float(start[key].iloc[1]))
        if not all(opened):
            limits[key] = (None if opened[0] else low, None if opened[1] else high)
    if not limits:
        return NoRegion("no box of the inputs holds the flips apart from the rest")
    row = trajectory.loc[chosen]
    return limits, float(row["coverage"]), float(row["density"])
