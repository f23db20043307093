"""Writing a command's results folder: a comparison, a sweep, a sensitivity analysis.

Every writer goes through :mod:`sim.analysis.folders`, so it writes only into a
folder that is new, empty or its own earlier output, each file whole or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sim.analysis.folders import add_entry, add_folder, replace_folder, to_json
from sim.analysis.kpis import HEADLINE
from sim.analysis.provenance import PROVENANCE, SCENARIO_FOLDER, Provenance
from sim.experiments.compare import COMPARE_KIND, Answer, Comparison
from sim.experiments.sensitivity import SensitivityResult
from sim.model.daily import ARR
from sim.model.version import model_version
from sim.outputs import compare_figures
from sim.outputs.decision import answer_html, decision_html
from sim.outputs.experiment_figures import sensitivity_figure, sweep_figure
from sim.outputs.report import html_report, save_figure


def comparison_figures(comparison: Comparison, summary: pd.DataFrame) -> dict[str, object]:
    """The report's figures, by file stem: cost of sale, funnel, customers, spend, ARR."""
    return {
        "cost_of_sale": compare_figures.kpi_ci_figure(
            summary, "cost_of_sale", "cost of sale (currency per new customer)", comparison.colors
        ),
        "funnel": compare_figures.funnel_figure(comparison.kpis, comparison.colors),
        "cumulative_customers": compare_figures.cumulative_customers_figure(
            comparison.daily, comparison.colors
        ),
        "spend": compare_figures.spend_figure(comparison.daily),
        **_subscription_figures(comparison),
    }


def _subscription_figures(comparison: Comparison) -> dict[str, object]:
    """ARR over time, when the scenarios sell subscriptions."""
    daily = comparison.daily
    if ARR not in daily.columns or not daily[ARR].to_numpy().any():
        return {}
    return {"recurring_revenue": compare_figures.recurring_revenue_figure(daily, comparison.colors)}


FIGURE_TITLES = {
    "cost_of_sale": "cost of sale (95% CI)",
    "funnel": "funnel by stage",
    "cumulative_customers": "cumulative customers",
    "spend": "spend breakdown",
    "recurring_revenue": "annual recurring revenue",
}


METHOD_NOTES = (
    "Confidence intervals: Student t over replications, cut to the values seen (they stay "
    "within the range a KPI can take). Differences: per-replication differences, their "
    "Student-t interval and the paired t-test; 'clear' when the 95% CI of the difference "
    "excludes 0.",
    "cost of sale = (marketing spend + sales cost + referral rewards) / new customers.",
)
"""How a comparison's report is to be read: the same lines wherever one is made."""


def report_kpis() -> tuple[str, ...]:
    """KPIs in the printed table and the report: the headline ones, cost of sale first."""
    return ("cost_of_sale", *(k for k in HEADLINE if k != "cost_of_sale"))


def comparison_page(
    summary: pd.DataFrame,
    figures: dict[str, object],
    notes: Sequence[str],
    kpis: Sequence[str] | None = None,
    lead: str = "",
) -> str:
    """The self-contained ``report.html`` of a comparison, as ``compare`` and the dashboard send it.

    Args:
        summary: The comparison's summary table.
        figures: :func:`comparison_figures`, by file stem.
        notes: Lines above the table (what was compared, how, from what).
        kpis: The KPIs in the table (default: :func:`report_kpis`).
        lead: HTML opening the page (the plain answer and the decision table).
    """
    return html_report(
        "Touchpoint strategy comparison",
        summary,
        {FIGURE_TITLES[stem]: fig for stem, fig in figures.items()},
        notes,
        kpis or report_kpis(),
        lead,
    )


def write_comparison(
    out: str | Path,
    comparison: Comparison,
    summary: pd.DataFrame,
    notes: Sequence[str],
    kpis: Sequence[str],
    provenance: Provenance | None = None,
    extra: pd.DataFrame | None = None,
    answer: Answer | None = None,
) -> Path:
    """``kpis.csv``, ``summary.csv``, ``extra.csv``, figures, ``report.html``, the provenance.

    With ``answer``, the report opens with it and the decision table, and
    ``decision.csv`` (every KPI) and ``sensitivity.csv`` (the answer's KPI) are written.
    All or nothing: the folder appears whole or not at all.
    """
    figures = comparison_figures(comparison, summary)
    decision = comparison.decision() if answer is not None else None
    lead = ""
    if answer is not None and decision is not None:
        lead = answer_html(answer) + decision_html(decision, kpis, comparison.scenarios[0])
    page = comparison_page(summary, figures, notes, kpis, lead)
    with replace_folder(out, COMPARE_KIND, **model_version()) as tmp:
        if provenance is not None:
            provenance.write(tmp)
        comparison.kpis.to_csv(tmp / "kpis.csv", index=False)
        if extra is not None:
            extra.to_csv(tmp / "extra.csv", index=False)
        _with_decision(summary, decision).to_csv(tmp / "summary.csv", index=False)
        if answer is not None and decision is not None:
            decision.to_csv(tmp / "decision.csv", index=False)
            answer.sensitivity.to_csv(tmp / "sensitivity.csv", index=False)
        for stem, fig in figures.items():
            save_figure(fig, tmp, stem)
        (tmp / "report.html").write_text(page, encoding="utf-8")
    return Path(out)


DECISION_COLUMNS = {
    "low": "range_low",
    "high": "range_high",
    "worst_case": "worst_case",
    "p_better": "p_better",
    "seed_low": "seed_low",
    "seed_high": "seed_high",
    "input_share": "input_share",
}
"""The decision figures ``summary.csv`` carries beside each plan's paired difference."""


def _with_decision(summary: pd.DataFrame, decision: pd.DataFrame | None) -> pd.DataFrame:
    """``summary`` with the plausible range, worst case and chance better of each plan."""
    if decision is None:
        return summary
    figures = decision[["scenario", "kpi", *DECISION_COLUMNS]].rename(columns=DECISION_COLUMNS)
    return summary.merge(figures, on=["scenario", "kpi"], how="left")


def write_sweep(
    out: Path,
    table: pd.DataFrame,
    summary: pd.DataFrame,
    kpis: Sequence[str],
    provenance: Provenance | None = None,
    extra: pd.DataFrame | None = None,
) -> None:
    """``sweep.parquet``, ``sweep.csv``, ``summary.csv``, ``extra.csv``, plots, provenance."""
    if provenance is not None:
        add_provenance(out, provenance)
    if extra is not None:
        add_entry(out, "extra.csv", lambda p: extra.to_csv(p, index=False))
    add_entry(out, "sweep.parquet", lambda p: table.to_parquet(p, index=False))
    add_entry(out, "sweep.csv", lambda p: table.to_csv(p, index=False))
    add_entry(out, "summary.csv", lambda p: summary.to_csv(p, index=False))
    with add_folder(out, "plots") as tmp:
        for kpi in kpis:
            sweep_figure(table, kpi).savefig(tmp / f"{kpi}.png", dpi=110)


def write_sensitivity(
    out: Path, result: SensitivityResult, kpis: Sequence[str], provenance: Provenance | None = None
) -> None:
    """``indices`` and ``runs`` as CSV and Parquet, ``sensitivity.png``, provenance."""
    if provenance is not None:
        add_provenance(out, provenance)
    add_entry(out, "indices.parquet", lambda p: result.indices.to_parquet(p, index=False))
    add_entry(out, "indices.csv", lambda p: result.indices.to_csv(p, index=False))
    add_entry(out, "runs.parquet", lambda p: result.runs.to_parquet(p, index=False))
    add_entry(out, "runs.csv", lambda p: result.runs.to_csv(p, index=False))
    figure = sensitivity_figure(result.indices, kpis)
    add_entry(out, "sensitivity.png", lambda p: figure.savefig(p, dpi=110, format="png"))


def add_provenance(out: Path, provenance: Provenance) -> None:
    """``provenance.json`` and ``scenarios/`` into an open output folder."""
    with add_folder(out, SCENARIO_FOLDER) as tmp:
        provenance.write_scenarios(tmp)
    add_entry(out, PROVENANCE, lambda p: p.write_text(to_json(provenance.record())))
