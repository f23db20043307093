"""What ``optimise`` writes: the best plan, the trials, the confirmation, figures, report."""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.analysis.folders import add_entry
from sim.analysis.provenance import Provenance, scenario_yaml
from sim.experiments.optimise import Optimisation
from sim.outputs import compare_figures
from sim.outputs.estimates import runs_note
from sim.outputs.report import png_base64
from sim.outputs.style import figure, format_value
from sim.outputs.writers import add_provenance

FILES = (
    "best.yaml",
    "trials.parquet",
    "trials.csv",
    "verdict.csv",
    "confirmed.csv",
    "importance.csv",
    "convergence.png",
    "pareto.png",
    "importance.png",
    "confirmed.png",
    "report.html",
)
"""The files of an optimise output folder (``pareto.png`` with two objectives only),
besides the provenance, optuna's study and the runs."""


def convergence_figure(result: Optimisation) -> Figure:
    """Each plan's first objective by trial, the best so far, and the start's level."""
    goal = result.objectives[0]
    trials = result.trials
    fig = figure(8, 4)
    ax = fig.subplots()
    feasible = trials[trials.feasible]
    ax.scatter(feasible.trial, feasible[goal.kpi], s=14, color="#1f77b4", label="plan")
    if (~trials.feasible).any():
        broken = trials[~trials.feasible]
        ax.scatter(broken.trial, broken[goal.kpi], s=14, marker="x", color="#d62728",
                   label="breaks a constraint")  # fmt: skip
    values = feasible[goal.kpi].where(np.isfinite(feasible[goal.kpi]))
    best = (values.cummin() if goal.minimize else values.cummax()).ffill()
    ax.step(feasible.trial, best, where="post", color="black", lw=2, label="best so far")
    ax.axhline(trials[goal.kpi].iloc[0], color="#7f7f7f", ls="--", lw=1, label="start (trial 0)")
    finite = trials[goal.kpi][np.isfinite(trials[goal.kpi])]
    if len(finite) and finite.min() > 0 and finite.max() > 5 * finite.min():
        ax.set_yscale("log")  # a few poor plans would flatten the rest
    ax.set_xlabel("trial")
    ax.set_ylabel(f"{goal.kpi} (mean of the replications)")
    ax.legend(fontsize=9)
    return fig


def pareto_figure(result: Optimisation) -> Figure:
    """Every feasible plan on the two objectives, the Pareto front joined."""
    first, second = (g.kpi for g in result.objectives)
    trials = result.trials[result.trials.feasible]
    fig = figure(6.5, 5)
    ax = fig.subplots()
    ax.scatter(trials[first], trials[second], s=14, color="#aec7e8", label="plan")
    front = result.front.sort_values(first)
    ax.plot(front[first], front[second], "o-", color="#1f77b4", label="Pareto front")
    start = result.trials.iloc[0]
    ax.scatter([start[first]], [start[second]], marker="*", s=160, color="black", label="start")
    ax.set_xlabel(f"{first} ({_direction(result, 0)})")
    ax.set_ylabel(f"{second} ({_direction(result, 1)})")
    ax.legend(fontsize=9)
    return fig


def importance_figure(result: Optimisation) -> Figure:
    """Each lever's share of the variation of the first objective (none if it did not vary)."""
    table = result.importance.sort_values("importance")
    fig = figure(6.5, 0.5 * len(table) + 1.5)
    ax = fig.subplots()
    ax.barh(table.lever, table.importance.fillna(0.0), color="#1f77b4")
    ax.set_xlabel(f"importance for {result.objectives[0].kpi} (fANOVA, sums to 1)")
    if table.importance.isna().all():
        ax.text(0.5, 0.5, f"none to report: {result.objectives[0].kpi} did not vary",
                ha="center", va="center", transform=ax.transAxes)  # fmt: skip
    return fig


def confirmed_figure(result: Optimisation) -> Figure:
    """The first objective of the start, the best plans and the rivals, with 95% CIs."""
    goal = result.objectives[0].kpi
    return compare_figures.kpi_ci_figure(
        result.confirmed.summary(), goal, f"{goal} (95% CI, fresh seeds)", result.confirmed.colors
    )


def _direction(result: Optimisation, i: int) -> str:
    return "lower is better" if result.objectives[i].minimize else "higher is better"


def figures(result: Optimisation) -> dict[str, Figure]:
    """The figures, by file stem."""
    out = {"convergence": convergence_figure(result)}
    if len(result.objectives) == 2:
        out["pareto"] = pareto_figure(result)
    out["importance"] = importance_figure(result)
    out["confirmed"] = confirmed_figure(result)
    return out


def plain_answer(result: Optimisation) -> list[str]:
    """The best plan against the start on the first objective, in two or three sentences."""
    if result.best_label == result.confirmed.scenarios[0]:
        return []
    answer = result.confirmed.answer(result.objectives[0].kpi)
    return answer.lines.get(result.best_label, [])


def verdict_text(result: Optimisation) -> str:
    """The plain answer, then the confirmation in words and a table (terminal and report)."""
    table = result.verdict
    best = table[table.scenario == result.best_label]
    answer = plain_answer(result)
    lines = [" ".join(answer), ""] if answer else []
    for goal in result.objectives:
        mine = best[best.kpi == goal.kpi].iloc[0]
        runs = result.confirmed.kpis.loc[lambda t: t.scenario == result.best_label, goal.kpi]
        lines.append(
            f"best plan ({result.best_label}): {goal.kpi} {format_value(mine['mean'])} "
            f"[{format_value(mine.ci_low)}, {format_value(mine.ci_high)}]"
            f"{runs_note(int(runs.notna().sum()), len(runs))} "
            f"({goal.direction}; {result.confirmed.kpis.replication.nunique()} fresh runs)"
        )
        for _, row in table[(table.kpi == goal.kpi) & (table.scenario != mine.scenario)].iterrows():
            verdict = "clearly better" if row.best_clearly_better else "not clearly better"
            lines.append(
                f"  vs {row.scenario}: {format_value(row['mean'])}; best − it = "
                f"{_signed(-row.vs_best)} [{_signed(-row.vs_best_high)}, "
                f"{_signed(-row.vs_best_low)}]: {verdict}"
            )
    return "\n".join(lines)


def _signed(value: float) -> str:
    return ("+" if value >= 0 else "−") + format_value(abs(value))


def report(result: Optimisation, title: str, notes: list[str]) -> str:
    """A self-contained HTML report of an optimisation."""
    levers = [c for c in result.trials.columns if c.startswith(("param.", "budget."))]
    goals = [g.kpi for g in result.objectives]
    top = result.trials.sort_values(goals[0], ascending=result.objectives[0].minimize).head(10)
    tables = {
        "Confirmation on fresh seeds (difference: scenario − best plan, 95% CI)": result.verdict,
        "The ten best plans of the search": top[
            ["trial", *levers, *goals, "spend", "underspent"]
        ],  # fmt: skip
        "Lever importance": result.importance,
    }
    if len(result.front):
        tables["Pareto front"] = result.front[["trial", *levers, *goals]]
    blocks = "".join(
        f"<h2>{html.escape(name)}</h2>{frame.to_html(index=False, float_format=_fmt)}"
        for name, frame in tables.items()
    )
    images = "".join(
        f"<figure><img alt='{name}' src='data:image/png;base64,{png_base64(fig)}'>"
        f"<figcaption>{name}</figcaption></figure>"
        for name, fig in figures(result).items()
    )
    items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    summary = html.escape(verdict_text(result))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}}
table{{border-collapse:collapse;font-size:13px}}td,th{{border:1px solid #ccc;padding:4px 8px}}
th{{background:#f3f3f3}}img{{max-width:100%}}</style></head><body>
<h1>{html.escape(title)}</h1><pre>{summary}</pre><ul>{items}</ul>{blocks}
<h2>Figures</h2>{images}</body></html>
"""


def write_optimisation(
    out: Path, result: Optimisation, provenance: Provenance, notes: list[str]
) -> None:
    """Every file of :data:`FILES` into an open output folder, each written whole."""
    write_trials(out, result.trials, provenance)
    text = scenario_yaml(result.best)
    add_entry(out, "best.yaml", lambda p: p.write_text(text, encoding="utf-8"))
    add_entry(out, "verdict.csv", lambda p: result.verdict.to_csv(p, index=False))
    add_entry(out, "confirmed.csv", lambda p: result.confirmed.kpis.to_csv(p, index=False))
    add_entry(out, "importance.csv", lambda p: result.importance.to_csv(p, index=False))
    for stem, fig in figures(result).items():
        add_entry(out, f"{stem}.png", lambda p, fig=fig: fig.savefig(p, dpi=110, format="png"))
    page = report(result, f"Optimisation of {result.best.name}", notes)
    add_entry(out, "report.html", lambda p: p.write_text(page, encoding="utf-8"))


def write_trials(out: Path, trials: pd.DataFrame, provenance: Provenance) -> None:
    """The provenance and the trials table (``trials.parquet``, ``trials.csv``), each whole."""
    add_provenance(out, provenance)
    add_entry(out, "trials.parquet", lambda p: trials.to_parquet(p, index=False))
    add_entry(out, "trials.csv", lambda p: trials.to_csv(p, index=False))


def _fmt(value: float) -> str:
    return f"{value:.4g}" if pd.notna(value) else ""
