"""Statistics across replications: means with confidence intervals, paired differences.

A KPI over replications is reported as its mean with a 95 % Student-t interval,
cut to the range of the values seen. KPIs of a run are sums and averages over
thousands of prospects, so across replications they are close to normal, and the
t interval holds its nominal coverage at the replication counts the commands use
(checked by repetition: blocks of 10 replications of the five shipped strategies,
each block's interval against the mean of the other 290 runs, covered 0.93 for
Student t against 0.87 for the BCa bootstrap this replaced; ``tests/test_statistics.py``
repeats the check on the model in a slow test). Cutting the interval to the values
seen keeps a bounded KPI's interval inside its range (a share in [0, 1], a cost
>= 0: every value seen is inside, so the cut interval is too) and costs no measurable
coverage. Two strategies run on common random numbers are compared on the
per-replication differences, which have no bound: a Student-t interval of the mean
difference and the paired t-test, so a difference is *clear* (its interval excludes
0) exactly when p < 0.05. Differences within rounding of zero are exact ties.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

LEVEL = 0.95
RESAMPLES = 2000
"""Bootstrap resamples of the interval of a cost per extra customer (a ratio of means)."""

TIE = 1e-9
"""Relative size under which a paired difference is rounding, not a difference."""


def intervals(
    values: np.ndarray, level: float = LEVEL
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and Student-t interval of each row of ``values`` (rows × replications).

    Undefined values (NaN) are left out row by row. The interval is cut to the
    smallest and largest value of its row, so it never leaves the KPI's range. A
    row with one finite value has no interval (NaN); a constant row has the
    zero-width interval at its value.
    """
    values = np.atleast_2d(np.asarray(values, dtype=float))
    finite = np.isfinite(values)
    count = finite.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, np.where(finite, values, 0.0).sum(axis=1) / count, np.nan)
        squares = np.where(finite, (values - mean[:, None]) ** 2, 0.0).sum(axis=1)
        spread = np.sqrt(squares / (count - 1))
    low = np.full(len(values), np.nan)
    high = np.full(len(values), np.nan)
    rows = count >= 2
    if rows.any():
        from scipy import stats  # deferred: scipy.stats takes half a second to import

        half = stats.t.ppf(0.5 + level / 2, count[rows] - 1) * spread[rows] / np.sqrt(count[rows])
        bottom = np.where(finite, values, np.inf).min(axis=1)[rows]
        top = np.where(finite, values, -np.inf).max(axis=1)[rows]
        low[rows] = np.clip(mean[rows] - half, bottom, top)
        high[rows] = np.clip(mean[rows] + half, bottom, top)
    return mean, low, high


def confidence_interval(values: np.ndarray, level: float = LEVEL) -> tuple[float, float, float]:
    """Mean and 95% interval of one KPI's values (see :func:`intervals`)."""
    mean, low, high = intervals(np.asarray(values, dtype=float)[None, :], level)
    return float(mean[0]), float(low[0]), float(high[0])


def summarize(table: pd.DataFrame, by: str | Sequence[str], kpis: Sequence[str]) -> pd.DataFrame:
    """Mean and 95% interval of each KPI per group of a tidy per-run table.

    Args:
        table: One row per run, the ``by`` column(s), and one column per KPI.
        by: The grouping column(s): ``"scenario"``, or a sweep's parameter columns.
        kpis: The KPI columns to summarize.

    Returns:
        One row per group × KPI: the ``by`` columns, ``kpi``, ``mean``, ``ci_low``,
        ``ci_high``, ``n`` (runs where the KPI is defined: the mean and interval are over
        these) and ``runs`` (the group's runs), groups in order of appearance. Where
        ``n < runs``, a display says so ("2 of 20 runs") beside the interval.
    """
    keys = [by] if isinstance(by, str) else list(by)
    kpis = list(dict.fromkeys(kpis))
    frames = []
    for group, runs in table.groupby(keys, sort=False, dropna=False):
        values = runs[kpis].apply(pd.to_numeric, errors="coerce").to_numpy(float).T
        mean, low, high = intervals(values)
        frame = pd.DataFrame(
            {
                "kpi": kpis,
                "mean": mean,
                "ci_low": low,
                "ci_high": high,
                "n": np.isfinite(values).sum(axis=1).astype(int),
                "runs": len(runs),
            }
        )
        for key, value in zip(keys, group if isinstance(group, tuple) else (group,), strict=True):
            frame.insert(len(frame.columns) - 6, key, value)
        frames.append(frame)
    columns = [*keys, "kpi", "mean", "ci_low", "ci_high", "n", "runs"]
    return pd.concat(frames, ignore_index=True)[columns]


def paired_difference(
    baseline: np.ndarray, other: np.ndarray, level: float = LEVEL
) -> dict[str, float | bool]:
    """Paired comparison over replications run on common random numbers.

    Returns the mean difference (other − baseline), its Student-t interval, the
    paired t-test p-value, and ``clear``: whether the interval excludes 0. Pairs
    where either value is undefined are dropped; differences within rounding of
    zero (relative ``TIE``) count as exact ties.
    """
    a, b = np.asarray(baseline, float), np.asarray(other, float)
    ok = np.isfinite(a) & np.isfinite(b)
    a, b = a[ok], b[ok]
    diff = b - a
    diff[np.abs(diff) <= TIE * np.maximum(np.abs(a), np.abs(b))] = 0.0
    mean, low, high = _t_interval(diff, level)
    return {
        "diff": mean,
        "diff_low": low,
        "diff_high": high,
        "p_value": _p_value(diff),
        "clear": bool(diff.size >= 2 and np.isfinite(low) and (low > 0 or high < 0)),
        "pairs": int(diff.size),
    }


def _t_interval(diff: np.ndarray, level: float) -> tuple[float, float, float]:
    """Mean and Student-t interval; zero width when every difference is the same."""
    if diff.size == 0:
        return (np.nan, np.nan, np.nan)
    mean = float(diff.mean())
    if diff.size < 2:
        return (mean, np.nan, np.nan)
    if np.ptp(diff) == 0:
        return (mean, mean, mean)
    from scipy import stats

    half = stats.t.ppf(0.5 + level / 2, diff.size - 1) * diff.std(ddof=1) / np.sqrt(diff.size)
    return (mean, mean - float(half), mean + float(half))


def _p_value(diff: np.ndarray) -> float:
    """Two-sided paired t-test p-value; 0 for a constant non-zero difference."""
    if diff.size < 2:
        return np.nan
    if np.ptp(diff) == 0:
        return 0.0 if diff[0] != 0 else 1.0
    from scipy import stats

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # near-constant differences
        return float(stats.ttest_1samp(diff, 0.0).pvalue)


def cost_per_extra(
    base_cost: np.ndarray,
    base_customers: np.ndarray,
    cost: np.ndarray,
    customers: np.ndarray,
    level: float = LEVEL,
) -> dict[str, float]:
    """What each customer beyond the baseline's cost, paired by replication.

    The ratio of the mean extra acquisition cost to the mean extra customers, with
    a paired bootstrap percentile interval (its upper end is ``inf`` when resamples
    without extra customers are common). NaN unless the change clearly wins more
    customers (the paired interval of the extra customers lies above 0): a gain that
    may be noise has no price.
    """
    arrays = [np.asarray(a, dtype=float) for a in (base_cost, base_customers, cost, customers)]
    ok = np.logical_and.reduce([np.isfinite(a) for a in arrays])
    extra_cost = arrays[2][ok] - arrays[0][ok]
    extra = arrays[3][ok] - arrays[1][ok]
    out = {
        "extra_customers": float(extra.mean()) if extra.size else np.nan,
        "extra_cost": float(extra_cost.mean()) if extra.size else np.nan,
        "cost_per_extra_customer": np.nan,
        "cost_per_extra_low": np.nan,
        "cost_per_extra_high": np.nan,
    }
    if extra.size == 0 or not (_t_interval(extra, level)[1] > 0):
        return out
    out["cost_per_extra_customer"] = float(extra_cost.mean() / extra.mean())
    if extra.size < 2 or np.ptp(extra) == np.ptp(extra_cost) == 0:
        return out
    from scipy import stats

    def ratio(c: np.ndarray, n: np.ndarray, axis: int = -1) -> np.ndarray:
        mean = n.mean(axis=axis)  # no extra customer in a resample: no price is too high
        return np.where(mean > 0, c.mean(axis=axis) / np.where(mean > 0, mean, 1.0), np.inf)

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        interval = stats.bootstrap(
            (extra_cost, extra),
            ratio,
            paired=True,
            vectorized=True,
            confidence_level=level,
            n_resamples=RESAMPLES,
            method="percentile",
            random_state=np.random.default_rng(0),
        ).confidence_interval
    out["cost_per_extra_low"], out["cost_per_extra_high"] = (
        float(interval.low),
        float(interval.high),
    )
    return out
