"""Figures of a comparison: KPI intervals, the funnel, customers over time, spend.

Each takes a comparison's tables (``Comparison.summary()``, ``.kpis``, ``.daily``)
and returns a ``Figure``; a scenario has the same colour in all of them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.analysis.stats import intervals
from sim.model.daily import ARR, DAY, NEW_CUSTOMERS, SPEND_PREFIX, spend_label
from sim.outputs.estimates import runs_note
from sim.outputs.style import Declared, figure, scenario_colors, source_colors, wrap_label
from sim.scenario.vocabulary import JOURNEY_STAGES


def kpi_ci_figure(
    summary: pd.DataFrame, kpi: str = "cost_of_sale", ylabel: str = "", declared: Declared = None
) -> Figure:
    """Mean of one KPI per scenario with its 95% confidence interval.

    A scenario some of whose runs left the KPI undefined is labelled with how many
    defined it ("in 2 of 20 runs"), as every display of an estimate is.
    """
    rows = summary[summary.kpi == kpi]
    fig = figure(7, 3.8)
    ax = fig.subplots()
    x = np.arange(len(rows))
    err = np.vstack([rows["mean"] - rows.ci_low, rows.ci_high - rows["mean"]])
    colors = scenario_colors(list(dict.fromkeys(summary.scenario)), declared)
    ax.bar(
        x,
        rows["mean"],
        yerr=np.nan_to_num(err),
        capsize=6,
        color=[colors[s] for s in rows.scenario],
    )
    labels = [
        wrap_label(r.scenario) + (f"\n({runs_note(r.n, r.runs).strip()})" if r.n < r.runs else "")
        for r in rows.itertuples()
    ]
    ax.set_xticks(x, labels, rotation=0)
    ax.set_ylabel(ylabel or kpi.replace("_", " "))
    ax.set_title(f"{kpi.replace('_', ' ')}: mean and 95% CI")
    ax.grid(axis="y", alpha=0.3)
    return fig


def funnel_figure(kpis: pd.DataFrame, declared: Declared = None) -> Figure:
    """Prospects who ever reached each stage, mean over replications, per scenario."""
    fig = figure(9, 4)
    ax = fig.subplots()
    cols = [f"funnel.{s}" for s in JOURNEY_STAGES]
    means = kpis.groupby("scenario", sort=False)[cols].mean()
    colors = scenario_colors(list(means.index), declared)
    width = 0.8 / max(len(means), 1)
    x = np.arange(len(cols))
    for i, (name, row) in enumerate(means.iterrows()):
        ax.bar(x + i * width, row.to_numpy(), width, label=wrap_label(name), color=colors[name])
    ax.set_xticks(x + width * (len(means) - 1) / 2, [wrap_label(s) for s in JOURNEY_STAGES])
    ax.set_yscale("log")
    ax.set_ylabel("prospects who reached the stage")
    ax.set_title("The funnel: prospects reaching each stage (mean over replications)")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def cumulative_customers_figure(daily: pd.DataFrame, declared: Declared = None) -> Figure:
    """Cumulative new customers over time per scenario, mean with a 95% CI band."""
    return _over_time(
        daily,
        NEW_CUSTOMERS,
        declared,
        cumulative=True,
        ylabel="new customers (cumulative)",
        title="Customers won over time (mean, 95% CI band)",
    )


def recurring_revenue_figure(daily: pd.DataFrame, declared: Declared = None) -> Figure:
    """Annual recurring revenue over time per scenario (subscriptions), mean with a band."""
    return _over_time(
        daily,
        ARR,
        declared,
        cumulative=False,
        ylabel="annual recurring revenue (currency a year)",
        title="Annual recurring revenue over time (mean, 95% CI band)",
    )


def _over_time(
    daily: pd.DataFrame,
    column: str,
    declared: Declared,
    *,
    cumulative: bool,
    ylabel: str,
    title: str,
) -> Figure:
    """A daily column (or its running total) per scenario: mean line, 95% CI band."""
    fig = figure(8, 4)
    ax = fig.subplots()
    colors = scenario_colors(list(dict.fromkeys(daily.scenario)), declared)
    frame = daily.sort_values(["scenario", "replication", DAY], kind="stable").copy()
    frame["value"] = (
        frame.groupby(["scenario", "replication"])[column].cumsum() if cumulative else frame[column]
    )
    for name, group in frame.groupby("scenario", sort=False):
        wide = group.pivot(index=DAY, columns="replication", values="value")
        mean, low, high = intervals(wide.to_numpy())
        ax.plot(wide.index, mean, label=wrap_label(name), color=colors[name])
        if np.isfinite(low).any():
            ax.fill_between(wide.index, low, high, alpha=0.25, color=colors[name])
    ax.set_xlabel("day")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def spend_figure(daily: pd.DataFrame) -> Figure:
    """Total spend per scenario split by channel, reps, referral rewards and care."""
    spend_cols = [c for c in daily.columns if c.startswith(SPEND_PREFIX)]
    per_run = daily.groupby(["scenario", "replication"], sort=False)[spend_cols].sum()
    means = per_run.groupby("scenario", sort=False).mean().fillna(0.0)
    fig = figure(8, 4.2)
    ax = fig.subplots()
    bottom = np.zeros(len(means))
    names = [wrap_label(s) for s in means.index]
    colors = source_colors(spend_cols)
    for col in spend_cols:
        values = means[col].to_numpy()
        if not values.any():
            continue
        ax.bar(names, values, bottom=bottom, label=spend_label(col), color=colors[col])
        bottom += values
    ax.set_ylabel("spend over the horizon (currency)")
    ax.set_title("Where the money goes (mean over replications)")
    ax.legend(fontsize=7, ncol=2)
    ax.grid(axis="y", alpha=0.3)
    return fig
