"""Figures of runs over time, from their daily tables: notebooks and the dashboard share them.

Each function takes one or more runs' daily tables (``RunResult.daily`` or the
model's data collector as a DataFrame) and returns a matplotlib ``Figure``
built without pyplot, so it is safe to draw from a dashboard's threads and
never piles up in pyplot's global state. Several runs are passed as
``{label: daily}`` and drawn side by side, or overlaid where one axis compares
them best (cost of sale).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from sim.model.daily import (
    CARE_SPEND,
    DAY,
    NEW_CUSTOMERS,
    SHARED_SPEND,
    SPEND_PREFIX,
    channel_columns,
    spend_label,
    stage_column,
)
from sim.outputs.style import STAGE_COLORS, Declared, scenario_colors
from sim.scenario.vocabulary import STAGES

Runs = Mapping[str, pd.DataFrame]


def _as_runs(daily: pd.DataFrame | Runs) -> dict[str, pd.DataFrame]:
    if isinstance(daily, pd.DataFrame):
        return {"": daily}
    return dict(daily)


def _panels(
    n: int, height: float = 3.2, width: float = 5.0, legend_space: float = 0.0
) -> tuple[Figure, list]:
    """``n`` axes side by side, fixed margins (a layout engine doubles the drawing time)."""
    total = width * n + legend_space
    fig = Figure(figsize=(total, height))
    axes = fig.subplots(1, n, sharey=True, squeeze=False)[0]
    fig.subplots_adjust(
        left=0.8 / total,
        right=1 - (0.15 + legend_space) / total,
        bottom=0.16,
        top=0.88,
        wspace=0.08,
    )
    return fig, list(axes)


def acquisition_spend(daily: pd.DataFrame) -> pd.Series:
    """Daily acquisition spend: channels, reps and referral rewards (not care)."""
    cols = [c for c in daily.columns if c.startswith(SPEND_PREFIX) and c != CARE_SPEND]
    return daily[cols].sum(axis=1)


def cumulative_cost_of_sale(daily: pd.DataFrame) -> pd.Series:
    """Cost of sale to date: acquisition spend / customers won so far (NaN before the first)."""
    won = daily[NEW_CUSTOMERS].cumsum()
    spent = acquisition_spend(daily).cumsum()
    return (spent / won.where(won > 0)).rename("cost_of_sale")


def stage_figure(daily: pd.DataFrame | Runs, *, include_unaware: bool = False) -> Figure:
    """Prospects in each stage over time; one panel per run.

    Args:
        daily: A daily table, or ``{label: daily}`` for runs side by side.
        include_unaware: Also draw the unaware (usually most of the population,
            which flattens every other line); otherwise its latest count is in the title.
    """
    runs = _as_runs(daily)
    fig, axes = _panels(len(runs), legend_space=1.3)
    for ax, (label, frame) in zip(axes, runs.items(), strict=True):
        for stage in STAGES:
            if stage == "unaware" and not include_unaware:
                continue
            ax.plot(
                frame[DAY],
                frame[stage_column(stage)],
                color=STAGE_COLORS[stage],
                label=stage.replace("_", " "),
            )
        unaware = int(frame[stage_column("unaware")].iloc[-1]) if len(frame) else 0
        note = "" if include_unaware else f" (unaware: {unaware:,})"
        ax.set_title(f"{label + ': ' if label else ''}prospects per stage{note}", fontsize=10)
        ax.set_xlabel("day")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("prospects")
    axes[-1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def cost_of_sale_figure(daily: pd.DataFrame | Runs, declared: Declared = None) -> Figure:
    """Cumulative cost of sale over time, all runs on one axis, a colour per scenario.

    ``declared``: the colours the scenarios declare, by name (``Scenario.color``).
    """
    runs = _as_runs(daily)
    colors = scenario_colors(list(runs), declared)
    fig, (ax,) = _panels(1, width=6.0)
    for label, frame in runs.items():
        ax.plot(
            frame[DAY], cumulative_cost_of_sale(frame), label=label or None, color=colors[label]
        )
    days = [int(frame[DAY].iloc[-1]) for frame in runs.values() if len(frame)]
    when = f", day {max(days)}" if days else ""
    ax.set_title(f"Cost of sale to date (acquisition spend / customers won{when})", fontsize=10)
    if not any(cumulative_cost_of_sale(frame).notna().any() for frame in runs.values()):
        ax.text(0.5, 0.5, "no customer won yet", transform=ax.transAxes, ha="center", color="grey")
    ax.set_xlabel("day")
    ax.set_ylabel("currency per customer")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    if any(runs):
        ax.legend(fontsize=8)
    return fig


def spend_figure(daily: pd.DataFrame | Runs) -> Figure:
    """Cumulative spend by source (channels, reps, referral rewards, care); a panel per run."""
    runs = _as_runs(daily)
    fig, axes = _panels(len(runs))
    for ax, (label, frame) in zip(axes, runs.items(), strict=True):
        cols = [*channel_columns(frame.columns), *[c for c in SHARED_SPEND if c in frame]]
        cumulative = frame[cols].cumsum()
        kept = [c for c in cols if cumulative[c].iloc[-1] > 0] if len(frame) else []
        if kept:
            labels = [spend_label(c) for c in kept]
            ax.stackplot(frame[DAY], cumulative[kept].to_numpy().T, labels=labels, alpha=0.85)
            ax.legend(fontsize=7, loc="upper left")
        ax.set_title(f"{label + ': ' if label else ''}spend by source (cumulative)", fontsize=10)
        ax.set_xlabel("day")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("currency")
    return fig


def acquisition_figure(customers_by_source: pd.DataFrame | Runs) -> Figure:
    """Customers won to date by the source of their first touch; one panel per run.

    Args:
        customers_by_source: Index = day, one column per touch source, values =
            cumulative customers whose first touch came from that source (or
            ``{label: frame}``).
    """
    runs = _as_runs(customers_by_source)
    fig, axes = _panels(len(runs))
    for ax, (label, frame) in zip(axes, runs.items(), strict=True):
        kept = [c for c in frame.columns if len(frame) and frame[c].iloc[-1] > 0]
        if kept:
            ax.stackplot(
                frame.index,
                frame[kept].to_numpy().T,
                labels=[c.replace("_", " ") for c in kept],
                alpha=0.85,
            )
            ax.legend(fontsize=7, loc="upper left")
        day = f", day {len(frame) - 1}" if len(frame) else ""
        ax.set_title(
            f"{label + ': ' if label else ''}customers by acquisition source{day}", fontsize=10
        )
        ax.set_xlabel("day")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("customers (first touch)")
    return fig


def graph_figure(
    positions: np.ndarray, edges: np.ndarray, stages: np.ndarray, title: str = ""
) -> Figure:
    """A small sample of the social graph, nodes coloured by journey stage.

    Args:
        positions: ``(n, 2)`` node coordinates.
        edges: ``(m, 2)`` pairs of node indices into ``positions``.
        stages: ``(n,)`` stage numbers (in the order of :data:`~sim.scenario.vocabulary.STAGES`).
        title: Figure title.
    """
    fig, (ax,) = _panels(1, height=4.0, width=4.0, legend_space=1.3)
    if len(edges):
        ax.add_collection(
            LineCollection(positions[edges], colors="#bbbbbb", linewidths=0.6, zorder=1)
        )
    colors = [STAGE_COLORS[STAGES[int(s)]] for s in stages]
    ax.scatter(
        positions[:, 0],
        positions[:, 1],
        c=colors,
        s=40,
        edgecolors="white",
        linewidths=0.5,
        zorder=2,
    )
    present = sorted({int(s) for s in stages})
    for s in present:
        ax.scatter([], [], c=STAGE_COLORS[STAGES[s]], s=30, label=STAGES[s].replace("_", " "))
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title(title or "social graph (sample)", fontsize=10)
    ax.set_axis_off()
    return fig
