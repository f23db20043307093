"""Statistics across replications: means with confidence intervals, paired differences.

Each KPI over replications is a mean with a Student-t 95% confidence interval.
Two strategies run on common random numbers are compared on the per-replication
differences (``scipy.stats.ttest_rel``); a difference is *clear* only when its
95% interval excludes 0.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

LEVEL = 0.95


def confidence_interval(values: np.ndarray, level: float = LEVEL) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval of finite ``values`` (NaN if fewer than 2)."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return (np.nan, np.nan, np.nan)
    mean = float(values.mean())
    if values.size < 2:
        return (mean, np.nan, np.nan)
    from scipy import stats  # deferred: scipy.stats takes half a second to import

    sem = float(values.std(ddof=1)) / np.sqrt(values.size)
    half = float(stats.t.ppf(0.5 + level / 2, values.size - 1)) * sem
    return (mean, mean - half, mean + half)


def _interval(series: pd.Series) -> pd.Series:
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    mean, low, high = confidence_interval(values)
    return pd.Series(
        {"mean": mean, "ci_low": low, "ci_high": high, "n": int(np.isfinite(values).sum())}
    )


def summarize(table: pd.DataFrame, by: str | Sequence[str], kpis: Sequence[str]) -> pd.DataFrame:
    """Mean and 95% CI of each KPI per group of a tidy per-run table.

    Args:
        table: One row per run, the ``by`` column(s), and one column per KPI.
        by: The grouping column(s): ``"scenario"``, or a sweep's parameter columns.
        kpis: The KPI columns to summarize.

    Returns:
        One row per group × KPI: the ``by`` columns, ``kpi``, ``mean``, ``ci_low``,
        ``ci_high``, ``n`` (runs where the KPI is defined), groups in order of appearance.
    """
    keys = [by] if isinstance(by, str) else list(by)
    long = table.melt(id_vars=keys, value_vars=list(kpis), var_name="kpi")
    long["kpi"] = pd.Categorical(long["kpi"], categories=list(dict.fromkeys(kpis)))
    grouped = long.groupby([*keys, "kpi"], sort=False, dropna=False, observed=True)["value"]
    summary = grouped.apply(_interval).unstack().reset_index()
    summary["kpi"] = summary["kpi"].astype(str)
    summary["n"] = summary["n"].astype(int)
    return summary[[*keys, "kpi", "mean", "ci_low", "ci_high", "n"]]


def paired_difference(
    baseline: np.ndarray, other: np.ndarray, level: float = LEVEL
) -> dict[str, float | bool]:
    """Paired comparison over replications run on common random numbers.

    Returns the mean difference (other − baseline), its t confidence interval, the
    paired t-test p-value, and ``clear``: whether the interval excludes 0. Pairs
    where either value is undefined are dropped.
    """
    a, b = np.asarray(baseline, float), np.asarray(other, float)
    ok = np.isfinite(a) & np.isfinite(b)
    diff = b[ok] - a[ok]
    mean, low, high = confidence_interval(diff, level)
    return {
        "diff": mean,
        "diff_low": low,
        "diff_high": high,
        "p_value": _p_value(a[ok], b[ok]),
        "clear": bool(np.isfinite(low) and (low > 0 or high < 0)),
        "pairs": int(diff.size),
    }


def _p_value(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sided paired t-test p-value; 0 for a constant non-zero difference."""
    if a.size < 2:
        return np.nan
    diff = b - a
    if np.ptp(diff) == 0:
        return 0.0 if diff[0] != 0 else np.nan
    from scipy import stats

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # near-constant differences
        return float(stats.ttest_rel(b, a).pvalue)
