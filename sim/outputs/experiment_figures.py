"""Figures of sweeps and sensitivity analyses, from their tables.

Each function takes a results table (from :func:`sim.experiments.sweep` or
:func:`sim.experiments.sensitivity`) and returns a matplotlib ``Figure`` built
without pyplot, so the command line, notebooks and the dashboard share them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.analysis.stats import confidence_interval

MAX_LINES = 6
"""A panel draws one line per value of the other swept parameters up to this many,
and their average beyond."""


def sweep_figure(table: pd.DataFrame, kpi: str, params: Sequence[str] | None = None) -> Figure:
    """A KPI against each swept parameter: mean over replications with its 95% CI band.

    Args:
        table: A tidy sweep table (``param.<key>`` columns, ``replication``, KPIs).
        kpi: The KPI to plot, e.g. ``"cost_of_sale"``.
        params: The swept keys to plot against (default: every ``param.<key>`` column).

    Returns:
        One panel per parameter. With two or more swept parameters, each panel draws a
        line per combination of the others (up to :data:`MAX_LINES`), else their average.
    """
    columns = (
        [f"param.{p}" for p in params]
        if params
        else [c for c in table.columns if c.startswith("param.")]
    )
    if kpi not in table.columns:
        raise ValueError(f"kpi: no such column {kpi!r}")
    n = max(len(columns), 1)
    fig = Figure(figsize=(5.0 * n, 3.6), layout="constrained")
    axes = fig.subplots(1, n, squeeze=False)[0]
    for ax, column in zip(axes, columns, strict=False):
        others = [c for c in columns if c != column]
        combos = table[others].drop_duplicates() if others else pd.DataFrame()
        if others and len(combos) <= MAX_LINES:
            for _, combo in combos.iterrows():
                mask = np.logical_and.reduce([table[c] == combo[c] for c in others])
                label = ", ".join(f"{c.removeprefix('param.')}={_label(combo[c])}" for c in others)
                _line(ax, table[mask], column, kpi, label)
            ax.legend(fontsize="small")
        else:
            _line(ax, table, column, kpi, "mean over the other parameters" if others else None)
            if others:
                ax.legend(fontsize="small")
        ax.set_xlabel(column.removeprefix("param."))
        ax.set_ylabel(kpi)
        ax.grid(alpha=0.3)
    fig.suptitle(f"{kpi}: mean and 95% CI over replications")
    return fig


def _line(ax, frame: pd.DataFrame, column: str, kpi: str, label: str | None) -> None:
    xs, means, lows, highs = [], [], [], []
    for x, group in frame.groupby(column, sort=True):
        mean, low, high = confidence_interval(
            pd.to_numeric(group[kpi], errors="coerce").to_numpy(float)
        )
        xs.append(x)
        means.append(mean)
        lows.append(low)
        highs.append(high)
    numeric = all(isinstance(x, int | float | np.number) and not isinstance(x, bool) for x in xs)
    pos = np.asarray(xs, dtype=float) if numeric else np.arange(len(xs))
    (line,) = ax.plot(pos, means, marker="o", label=label)
    if np.any(np.isfinite(lows)):
        ax.fill_between(pos, lows, highs, alpha=0.25, color=line.get_color(), linewidth=0)
    if not numeric:
        ax.set_xticks(pos, [_label(x) for x in xs])


def _label(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}"
    return (
        f"{value:,}"
        if isinstance(value, int | float) and not isinstance(value, bool)
        else str(value)
    )


def sensitivity_figure(indices: pd.DataFrame, kpis: Sequence[str] | None = None) -> Figure:
    """Bar chart of sensitivity indices with their 95% confidence intervals.

    Args:
        indices: A table from :func:`sim.experiments.sensitivity`.
        kpis: The KPIs to show, one panel each (default: cost of sale if present, else
            the first KPI).

    Returns:
        Sobol: first-order (S1) and total (ST) index per parameter. Morris: μ* with its
        interval, and σ, per parameter. A dashed line marks the seed-noise floor of ST
        (Sobol) or μ* (Morris).
    """
    sobol = "S1" in indices.columns
    if kpis is None:
        available = list(dict.fromkeys(indices["kpi"]))
        kpis = ["cost_of_sale"] if "cost_of_sale" in available else available[:1]
    n = max(len(kpis), 1)
    fig = Figure(figsize=(5.5 * n, 3.8), layout="constrained")
    axes = fig.subplots(1, n, squeeze=False)[0]
    bars = (
        (("S1", "S1_conf", "first order S1"), ("ST", "ST_conf", "total ST"))
        if sobol
        else (
            ("mu_star", "mu_star_conf", "μ* (mean |effect|)"),
            ("sigma", None, "σ (interactions)"),
        )
    )
    for ax, kpi in zip(axes, kpis, strict=False):
        frame = indices[indices["kpi"] == kpi]
        pos = np.arange(len(frame))
        width = 0.38
        for k, (col, conf, label) in enumerate(bars):
            err = frame[conf].to_numpy(float) if conf else None
            ax.bar(
                pos + (k - 0.5) * width,
                frame[col].to_numpy(float),
                width,
                yerr=err,
                capsize=3,
                label=label,
            )
        main = 1 if sobol else 0  # the bar the noise floor belongs to: ST, or μ*
        floor = frame[f"{bars[main][0]}_noise"].to_numpy(float)
        if np.isfinite(floor).any():
            centre = pos + (main - 0.5) * width
            ax.hlines(
                floor,
                centre - width / 2,
                centre + width / 2,
                colors="black",
                linestyles="--",
                label="seed-noise floor",
            )
        ax.set_xticks(pos, list(frame["param"]), rotation=20, ha="right", fontsize="small")
        ax.set_title(kpi)
        ax.axhline(0, color="black", linewidth=0.6)
        ax.grid(axis="y", alpha=0.3)
        if frame[bars[0][0]].isna().all():
            ax.text(
                0.5,
                0.5,
                "n/a: undefined in some run, or constant",
                ha="center",
                transform=ax.transAxes,
            )
        ax.legend(fontsize="small")
    fig.suptitle("Sobol indices (95% CI)" if sobol else "Morris screening (95% CI of μ*)")
    return fig
