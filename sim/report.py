"""Tables, figures and the self-contained report that strategists send."""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.figures import spend_label
from sim.metrics import HEADLINE, Kpis, confidence_interval
from sim.scenario import STAGES

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def format_value(value: float | None) -> str:
    """A KPI value for a table: undefined as 'n/a', big numbers with separators."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"


def kpi_table(kpis: Kpis, title: str = "", all_kpis: bool = False) -> str:
    """The headline KPIs of one run (or all of them) as an aligned text table."""
    names = list(kpis) if all_kpis else [k for k in HEADLINE if k in kpis]
    width = max(len(n) for n in names)
    lines = [title, "-" * max(len(title), width + 14)] if title else []
    lines += [f"{name:<{width}}  {format_value(kpis[name]):>12}" for name in names]
    return "\n".join(lines)


STAGE_ORDER = STAGES[: STAGES.index("advocate") + 1]
"""The journey stages, without the exits."""


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def kpi_ci_figure(summary: pd.DataFrame, kpi: str = "cost_of_sale", ylabel: str = "") -> Figure:
    """Mean of one KPI per scenario with its 95% confidence interval."""
    plt = _pyplot()
    rows = summary[summary.kpi == kpi]
    fig, ax = plt.subplots(figsize=(7, 3.8), layout="constrained")
    x = np.arange(len(rows))
    err = np.vstack([rows["mean"] - rows.ci_low, rows.ci_high - rows["mean"]])
    ax.bar(x, rows["mean"], yerr=np.nan_to_num(err), capsize=6, color="#4c72b0")
    ax.set_xticks(x, [_label(s) for s in rows.scenario], rotation=0)
    ax.set_ylabel(ylabel or kpi.replace("_", " "))
    ax.set_title(f"{kpi.replace('_', ' ')}: mean and 95% CI")
    ax.grid(axis="y", alpha=0.3)
    return fig


def funnel_figure(kpis: pd.DataFrame) -> Figure:
    """Prospects who ever reached each stage, mean over replications, per scenario."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 4), layout="constrained")
    cols = [f"funnel.{s}" for s in STAGE_ORDER]
    means = kpis.groupby("scenario", sort=False)[cols].mean()
    width = 0.8 / max(len(means), 1)
    x = np.arange(len(cols))
    for i, (name, row) in enumerate(means.iterrows()):
        ax.bar(x + i * width, row.to_numpy(), width, label=_label(name))
    ax.set_xticks(x + width * (len(means) - 1) / 2, [s.replace("_", "\n") for s in STAGE_ORDER])
    ax.set_yscale("log")
    ax.set_ylabel("prospects who reached the stage")
    ax.set_title("The funnel: prospects reaching each stage (mean over replications)")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def cumulative_customers_figure(daily: pd.DataFrame) -> Figure:
    """Cumulative new customers over time per scenario, mean with a 95% CI band."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
    frame = daily.sort_values(["scenario", "replication", "day"]).copy()
    frame["cumulative"] = frame.groupby(["scenario", "replication"]).new_customers.cumsum()
    for name, group in frame.groupby("scenario", sort=False):
        wide = group.pivot(index="day", columns="replication", values="cumulative")
        bands = np.array([confidence_interval(row) for row in wide.to_numpy()])
        ax.plot(wide.index, bands[:, 0], label=_label(name))
        if np.isfinite(bands[:, 1]).any():
            ax.fill_between(wide.index, bands[:, 1], bands[:, 2], alpha=0.25)
    ax.set_xlabel("day")
    ax.set_ylabel("new customers (cumulative)")
    ax.set_title("Customers won over time (mean, 95% CI band)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def spend_figure(daily: pd.DataFrame) -> Figure:
    """Total spend per scenario split by channel, reps, referral rewards and care."""
    plt = _pyplot()
    spend_cols = [c for c in daily.columns if c.startswith("spend.")]
    per_run = daily.groupby(["scenario", "replication"], sort=False)[spend_cols].sum()
    means = per_run.groupby("scenario", sort=False).mean().fillna(0.0)
    fig, ax = plt.subplots(figsize=(8, 4.2), layout="constrained")
    bottom = np.zeros(len(means))
    names = [_label(s) for s in means.index]
    colors = plt.get_cmap("tab20").colors
    for i, col in enumerate(spend_cols):
        values = means[col].to_numpy()
        if not values.any():
            continue
        ax.bar(names, values, bottom=bottom, label=spend_label(col), color=colors[i % len(colors)])
        bottom += values
    ax.set_ylabel("spend over the horizon (currency)")
    ax.set_title("Where the money goes (mean over replications)")
    ax.legend(fontsize=7, ncol=2)
    ax.grid(axis="y", alpha=0.3)
    return fig


def comparison_text(summary: pd.DataFrame, kpis: Sequence[str]) -> str:
    """Mean [95% CI] per scenario and the paired difference to the baseline, per KPI."""
    lines = []
    scenarios = list(dict.fromkeys(summary.scenario))
    width = max(len(s) for s in scenarios)
    header = (
        f"{'':<{width}}  {'mean':>12}  {'95% CI':>23}  {'vs ' + scenarios[0]:>14}  {'95% CI':>23}"
    )
    for kpi in kpis:
        rows = summary[summary.kpi == kpi]
        if rows.empty:
            continue
        lines += ["", kpi, header]
        for _, r in rows.iterrows():
            base = r.scenario == scenarios[0]
            diff = "baseline" if base else format_value(r["diff"])
            dci = "" if base else f"[{format_value(r.diff_low)}, {format_value(r.diff_high)}]"
            mark = "" if base else ("  clear" if r.clear else "  not clear")
            lines.append(
                f"{r.scenario:<{width}}  {format_value(r['mean']):>12}  "
                f"{'[' + format_value(r.ci_low) + ', ' + format_value(r.ci_high) + ']':>23}  "
                f"{diff:>14}  {dci:>23}{mark}"
            )
    return "\n".join(lines).lstrip("\n")


def html_report(
    title: str,
    summary: pd.DataFrame,
    figures: dict[str, Figure],
    notes: Sequence[str],
    kpis: Sequence[str],
) -> str:
    """A self-contained HTML report: tables and figures embedded, no external files."""
    scenarios = list(dict.fromkeys(summary.scenario))
    head = "".join(f"<th>{html.escape(s)}</th>" for s in scenarios)
    body = []
    for kpi in kpis:
        rows = summary[summary.kpi == kpi].set_index("scenario")
        if rows.empty:
            continue
        cells = []
        for s in scenarios:
            r = rows.loc[s]
            cell = f"{format_value(r['mean'])}<br><small>[{format_value(r.ci_low)}, {format_value(r.ci_high)}]"
            if s != scenarios[0]:
                verdict = "clear" if r.clear else "not clear"
                cell += f"<br>Δ {format_value(r['diff'])} ({verdict})"
            cells.append(f"<td>{cell}</small></td>")
        body.append(f"<tr><th>{html.escape(kpi)}</th>{''.join(cells)}</tr>")
    images = "".join(
        f"<figure><img alt='{html.escape(name)}' src='data:image/png;base64,{_png_base64(fig)}'>"
        f"<figcaption>{html.escape(name)}</figcaption></figure>"
        for name, fig in figures.items()
    )
    note_items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}}
table{{border-collapse:collapse;font-size:14px}}td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}
th{{background:#f3f3f3}}figure{{margin:1.5em 0}}img{{max-width:100%}}small{{color:#555}}</style>
</head><body><h1>{html.escape(title)}</h1>
<ul>{note_items}</ul>
<h2>KPIs: mean, 95% confidence interval, difference to {html.escape(scenarios[0])}</h2>
<table><tr><th>KPI</th>{head}</tr>{"".join(body)}</table>
<h2>Figures</h2>{images}
</body></html>
"""


def save_figure(fig: Figure, folder: Path, stem: str) -> None:
    """Write a figure as PNG and SVG."""
    fig.savefig(folder / f"{stem}.png", dpi=110)
    fig.savefig(folder / f"{stem}.svg")


def _png_base64(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _label(name: str) -> str:
    return name.replace("_", "\n")
