"""The answer a decision needs: how much a plan gains, how sure that is, which unknown decides it.

Replication r of every plan draws one value set of the uncertain inputs and runs on one
seed, the same for every plan, so the difference D = plan − baseline is taken replication
by replication (paired). Over the replications D spreads for two reasons: the markets the
inputs make plausible and seed noise. :func:`decision_table` reports, per plan and KPI,
the expected gain (the mean of D with the paired Student-t interval of
:func:`~sim.analysis.stats.paired_difference`, exactly as
:func:`~sim.experiments.changes.paired_changes` gives it), the plausible range of D (its
central percentiles), the plausible worst case, the probability that the plan is better,
and the part of the range seed noise alone explains. :func:`decision_sensitivity` says
which input decides it: the share of D's variance each input explains alone and its
expected value of partial perfect information (EVPPI), both from a one-dimensional
nonparametric regression of D on the input, as in Strong, Oakley & Brennan (2014),
"Estimating multiparameter partial expected value of perfect information from a
probabilistic sensitivity analysis sample: a nonparametric regression approach" (Medical
Decision Making 34(3)). With no uncertain input (no ``input.<key>`` column) D spreads by
seed noise only: every range is seed noise, the inputs explain nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis.kpis import CATALOGUE, INPUT_PREFIX, Direction
from sim.analysis.stats import TIE, paired_difference
from sim.scenario.errors import InputError

LEVEL = 0.9
"""The share of plausible outcomes the range of a difference holds (its 5th to 95th percentile)."""

WORST_CASE = 0.05
"""The quantile of the gain that is the plausible worst case: 1 replication in 20 does worse."""

BINNED = 8
"""Fewer distinct values of an input than this: its conditional mean is the mean at each value."""

TABLE = (
    "scenario",
    "kpi",
    "pairs",
    "expected",
    "expected_low",
    "expected_high",
    "low",
    "high",
    "worst_case",
    "p_better",
    "seed_low",
    "seed_high",
    "input_share",
)
"""The columns of :func:`decision_table`."""

SENSITIVITY = ("scenario", "kpi", "input", "variance_share", "evppi", "rank")
"""The columns of :func:`decision_sensitivity`."""


@dataclass(frozen=True)
class Pairs:
    """One plan against the baseline on one KPI, replication by replication.

    Attributes:
        baseline: The baseline's KPI values on the replications both ran (NaN kept).
        plan: The plan's values on the same replications, in the same order.
        difference: D = plan − baseline where both are defined; differences within
            rounding of zero (relative :data:`~sim.analysis.stats.TIE`) are exact ties.
        inputs: The value each uncertain input drew in those replications, one column per
            input (its dotted key, without ``input.``), one row per element of ``difference``.
    """

    baseline: np.ndarray
    plan: np.ndarray
    difference: np.ndarray
    inputs: pd.DataFrame


def input_keys(kpis: pd.DataFrame) -> list[str]:
    """The dotted keys of the uncertain inputs of a tidy table (its ``input.<key>`` columns)."""
    return [c.removeprefix(INPUT_PREFIX) for c in kpis.columns if c.startswith(INPUT_PREFIX)]


def better_sign(kpi: str) -> float:
    """+1 if a higher ``kpi`` is better, −1 if lower is, NaN if neither (or not a declared KPI)."""
    try:
        direction = CATALOGUE.declaration(kpi).direction
    except KeyError:
        return math.nan
    return {Direction.HIGHER: 1.0, Direction.LOWER: -1.0}.get(direction, math.nan)


def paired_runs(kpis: pd.DataFrame, baseline: str, plan: str, kpi: str) -> Pairs:
    """A plan's and the baseline's runs of one KPI, paired by replication.

    Args:
        kpis: The tidy table: ``scenario``, ``replication``, ``input.<key>`` columns, KPIs.
        baseline: The baseline scenario's name.
        plan: The plan's name.
        kpi: The KPI column.

    Raises:
        InputError: Either scenario has no runs in the table.
    """
    a, b = _aligned(kpis, baseline, plan)
    return _pairs(a, b, _drawn(b), kpi)


def _aligned(kpis: pd.DataFrame, baseline: str, plan: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The baseline's and the plan's runs on the replications both ran, in replication order."""
    frames = []
    for name in (baseline, plan):
        runs = kpis[kpis["scenario"] == name]
        if runs.empty:
            raise InputError(f"scenario: no runs of {name!r} to compare")
        frames.append(runs.set_index("replication"))
    a, b = frames
    common = a.index.intersection(b.index).sort_values()
    return a.loc[common], b.loc[common]


def _drawn(runs: pd.DataFrame) -> pd.DataFrame:
    """The ``input.<key>`` columns of ``runs`` as floats, named by their keys."""
    columns = [c for c in runs.columns if c.startswith(INPUT_PREFIX)]
    drawn = runs[columns].astype(float).reset_index(drop=True)
    drawn.columns = [c.removeprefix(INPUT_PREFIX) for c in columns]
    return drawn


def _pairs(a: pd.DataFrame, b: pd.DataFrame, drawn: pd.DataFrame, kpi: str) -> Pairs:
    base, other = a[kpi].to_numpy(float), b[kpi].to_numpy(float)
    ok = np.isfinite(base) & np.isfinite(other)
    difference = other[ok] - base[ok]
    ties = np.abs(difference) <= TIE * np.maximum(np.abs(base[ok]), np.abs(other[ok]))
    difference[ties] = 0.0
    inputs = pd.DataFrame(drawn.to_numpy()[ok], columns=drawn.columns)
    return Pairs(base, other, difference, inputs)


def decision_table(
    kpis: pd.DataFrame, baseline: str, names: Sequence[str], level: float = LEVEL
) -> pd.DataFrame:
    """Each plan against the baseline, KPI by KPI: the figures a decision needs.

    Every figure is over the replications where both define the KPI, with D = plan −
    baseline replication by replication.

    Args:
        kpis: The tidy table (:attr:`~sim.experiments.compare.Comparison.kpis`).
        baseline: The baseline scenario's name.
        names: The KPIs to compare.
        level: The share of plausible outcomes ``low``..``high`` holds.

    Returns:
        One row per plan (in order of appearance) × KPI, the columns :data:`TABLE`:
        ``pairs`` (replications where both define the KPI); ``expected`` (the mean of D)
        with ``expected_low`` and ``expected_high``, its 95 % interval (seed noise and
        the sampling of the inputs: how well the replications pin the mean down),
        identical to :func:`~sim.experiments.changes.paired_changes`' ``diff``,
        ``diff_low``, ``diff_high``; ``low`` and ``high``, the plausible range (the
        central ``level`` of D over the plausible markets and seeds: its 5th and 95th
        percentiles at 0.9); ``worst_case`` (the difference at the 5th percentile of the
        gain in the KPI's better direction: D's 5th percentile if higher is better, its
        95th if lower is; NaN for a KPI with no better direction); ``p_better`` (the
        share of replications where the plan is better, ties counting half);
        ``seed_low`` and ``seed_high`` (the range seed noise alone gives: the spread of
        D left after a linear regression on the inputs, centred on ``expected``; with no
        uncertain input, ``low`` and ``high`` themselves); ``input_share`` (the share of
        D's variance the inputs explain linearly, adjusted for their number; 0 with none).

    Raises:
        InputError: The baseline has no runs.
    """
    if not (kpis["scenario"] == baseline).any():
        raise InputError(f"baseline: no runs of {baseline!r} to compare against")
    plans = [s for s in dict.fromkeys(kpis["scenario"]) if s != baseline]
    rows = []
    for plan in plans:
        a, b = _aligned(kpis, baseline, plan)
        drawn = _drawn(b)
        rows += [
            {"scenario": plan, "kpi": kpi, **_figures(_pairs(a, b, drawn, kpi), kpi, level)}
            for kpi in names
        ]
    return pd.DataFrame(rows, columns=list(TABLE))


def _figures(pairs: Pairs, kpi: str, level: float) -> dict[str, float | int]:
    changed = paired_difference(pairs.baseline, pairs.plan)
    d = pairs.difference
    low, high = _range(d, level)
    sign = better_sign(kpi)
    directed = d.size > 0 and not math.isnan(sign)
    gain = sign * d
    if varying_inputs(pairs.inputs).empty:  # seed noise is all there is
        seed_low, seed_high, share = low, high, 0.0
    else:
        seed_low, seed_high, share = _seed_range(d, pairs.inputs, changed["diff"], level)
    return {
        "pairs": changed["pairs"],
        "expected": changed["diff"],
        "expected_low": changed["diff_low"],
        "expected_high": changed["diff_high"],
        "low": low,
        "high": high,
        "worst_case": sign * float(np.percentile(gain, 100 * WORST_CASE)) if directed else math.nan,
        "p_better": float(np.mean(gain > 0) + np.mean(gain == 0) / 2) if directed else math.nan,
        "seed_low": seed_low,
        "seed_high": seed_high,
        "input_share": share,
    }


def _range(values: np.ndarray, level: float) -> tuple[float, float]:
    """The central ``level`` of ``values``: their (1 − level)/2 and (1 + level)/2 quantiles."""
    if values.size == 0:
        return math.nan, math.nan
    low, high = np.percentile(values, [50 * (1 - level), 50 * (1 + level)])
    return float(low), float(high)


def varying_inputs(inputs: pd.DataFrame) -> pd.DataFrame:
    """The inputs that take more than one value."""
    values = inputs.to_numpy()
    if values.size == 0:
        return inputs.iloc[:, :0]
    return inputs.loc[:, np.nanmax(values, axis=0) > np.nanmin(values, axis=0)]


def _seed_range(
    d: np.ndarray, inputs: pd.DataFrame, expected: float, level: float
) -> tuple[float, float, float]:
    """The range of D from seed noise alone, and the share of D's variance the inputs explain.

    The residuals of an ordinary least-squares fit of D on the varying inputs, scaled by
    sqrt((n − 1)/(n − p − 1)) so that their variance is unbiased for the noise's, are the
    spread the inputs leave; their central ``level`` is placed on ``expected``. The share
    is the adjusted R² (cut to 0..1). NaN unless there are more replications than
    inputs + 2; at least one input varies.
    """
    x = varying_inputs(inputs).to_numpy(float)
    n, p = x.shape
    if n <= p + 2:
        return math.nan, math.nan, math.nan
    design = np.column_stack([np.ones(n), (x - x.mean(axis=0)) / x.std(axis=0)])
    coef, *_ = np.linalg.lstsq(design, d, rcond=None)
    residual = (d - design @ coef) * math.sqrt((n - 1) / (n - p - 1))
    low, high = _range(residual - residual.mean(), level)
    spread = float(np.var(d, ddof=1))
    share = min(1.0, max(0.0, 1 - float(np.var(residual, ddof=1)) / spread)) if spread > 0 else 0.0
    return expected + low, expected + high, share


def decision_sensitivity(kpis: pd.DataFrame, baseline: str, kpi: str) -> pd.DataFrame:
    """Which uncertain input decides each plan's comparison with the baseline on one KPI.

    For each plan and input X_i, the conditional mean g(x) = E[D | X_i = x] is estimated
    by a one-dimensional smoother (:func:`conditional_mean`). Then

    * ``variance_share`` = Var(g(X_i)) / Var(D): the first-order share of the
      difference's variance the input explains alone (cut to 0..1);
    * ``evppi`` = E[max(0, s·g(X_i))] − max(0, E[s·g(X_i)]), s = +1 if higher is better
      and −1 if lower is: the expected value of partial perfect information for the
      choice between the plan and the baseline, in the KPI's units per run, the
      regression estimator of Strong, Oakley & Brennan (2014). It is 0 when no value of
      the input changes which of the two is better on average; NaN for a KPI with no
      better direction.

    Args:
        kpis: The tidy table with its ``input.<key>`` columns.
        baseline: The baseline scenario's name.
        kpi: The KPI column.

    Returns:
        One row per plan × varying input, the columns :data:`SENSITIVITY`: ``input`` is the
        input's dotted key; rows of a plan by ``evppi`` then ``variance_share``, largest
        first, ``rank`` 1 for the input that decides most. Empty (same columns) with no
        uncertain input.

    Raises:
        InputError: The baseline has no runs.
    """
    if not (kpis["scenario"] == baseline).any():
        raise InputError(f"baseline: no runs of {baseline!r} to compare against")
    sign = better_sign(kpi)
    frames = []
    for plan in [s for s in dict.fromkeys(kpis["scenario"]) if s != baseline]:
        pairs = paired_runs(kpis, baseline, plan, kpi)
        d = pairs.difference
        spread = float(np.var(d)) if d.size else 0.0  # no pairs: no input varies either
        rows = []
        for key, values in varying_inputs(pairs.inputs).items():
            g = conditional_mean(values.to_numpy(float), d)
            share = min(1.0, float(np.var(g)) / spread) if spread > 0 else 0.0
            gain = sign * g
            evppi = float(np.mean(np.maximum(gain, 0)) - max(0.0, float(np.mean(gain))))
            rows.append(
                {
                    "scenario": plan,
                    "kpi": kpi,
                    "input": key,
                    "variance_share": share,
                    "evppi": evppi,
                }
            )
        frame = pd.DataFrame(rows, columns=list(SENSITIVITY[:-1]))
        frame = frame.sort_values(["evppi", "variance_share"], ascending=False, na_position="last")
        frame["rank"] = np.arange(1, len(frame) + 1)
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=list(SENSITIVITY))
    return pd.concat(frames, ignore_index=True)[list(SENSITIVITY)]


def conditional_mean(x: np.ndarray, d: np.ndarray) -> np.ndarray:
    """E[d | x] at each sample: a one-dimensional nonparametric regression of ``d`` on ``x``.

    Ties in ``x`` are pooled: the mean of ``d`` at each distinct value, weighted by how
    many samples share it. With fewer than :data:`BINNED` distinct values (a discrete
    input, a posterior with few particles) those means are the estimate; otherwise a
    cubic smoothing spline through them, its smoothness chosen by generalised
    cross-validation (scipy's ``make_smoothing_spline``; Wahba, "Spline Models for
    Observational Data", 1990), on the input standardised.
    """
    values, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    means = np.bincount(inverse, weights=d) / counts
    if values.size < BINNED:
        return means[inverse]
    from scipy.interpolate import make_smoothing_spline  # deferred: scipy is slow to import

    centre, scale = values.mean(), values.std()
    spline = make_smoothing_spline((values - centre) / scale, means, w=counts.astype(float))
    return spline((x - centre) / scale)
