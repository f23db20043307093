"""The answer first: plain sentences, what decides it, and the decision table, as HTML and text.

A report of a comparison opens with :func:`answer_html` (two or three sentences per
plan, then which unknown decides it); :func:`decision_html` is the table under it:
per plan and KPI, the expected difference with its 95 % interval, the plausible range,
the plausible worst case, the chance the plan is better and the range seed noise alone
would give.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import pandas as pd

from sim.analysis.answer import bounds, figure, input_label, kpi_label, percent
from sim.analysis.decision import LEVEL
from sim.analysis.discovery import FlipRegion, NoRegion
from sim.experiments.compare import Answer


def answer_html(answer: Answer) -> str:
    """The plain answer, each plan's sentences, and what decides it (a table and a region)."""
    parts = [f"<h2>The answer: {html.escape(kpi_label(answer.kpi))}</h2>"]
    for plan, lines in answer.lines.items():
        text = " ".join(html.escape(line) for line in lines)
        parts.append(
            f"<p style='font-size:17px'><b>{html.escape(plan)} against "
            f"{html.escape(answer.baseline)}.</b> {text}</p>"
        )
    if len(answer.sensitivity):
        parts.append(
            "<h3>Which unknown decides it</h3><table><tr><th>plan</th><th>uncertain input</th>"
            "<th>share of the difference's variance it explains</th>"
            "<th>expected value of knowing it (EVPPI)</th></tr>"
        )
        for _, row in answer.sensitivity.sort_values(["scenario", "rank"]).iterrows():
            parts.append(
                f"<tr><td>{html.escape(str(row.scenario))}</td>"
                f"<td>{html.escape(input_label(str(row.input)))}<br><small>{row.input}</small></td>"
                f"<td>{percent(row.variance_share)} %</td><td>{figure(row.evppi)}</td></tr>"
            )
        parts.append("</table>")
    regions = [r for r in answer.regions.values() if isinstance(r, FlipRegion)]
    for region in regions:
        parts.append(f"<p>{html.escape(region_text(region))}</p>")
    return "".join(parts)


def answer_text(answer: Answer) -> str:
    """The plain answer for the terminal: each plan's sentences, then what decides it."""
    out = [f"The answer on {kpi_label(answer.kpi)}:"]
    for plan, lines in answer.lines.items():
        out.append(f"  {plan} against {answer.baseline}: {' '.join(lines)}")
    for plan in answer.lines:
        rows = answer.sensitivity[answer.sensitivity.scenario == plan].sort_values("rank")
        if len(rows):
            shares = ", ".join(
                f"{input_label(str(r.input))} {percent(r.variance_share)} %"
                for _, r in rows.head(3).iterrows()
            )
            out.append(f"  what moves {plan}'s difference most (share of its variance): {shares}")
        region = answer.regions.get(plan)
        if isinstance(region, FlipRegion):
            out.append(f"  {region_text(region)}")
        elif isinstance(region, NoRegion) and len(rows):
            out.append(f"  no flip region: {region.reason}")
    return "\n".join(out)


def region_text(region: FlipRegion) -> str:
    """Where the answer flips, with how much of the flips the region holds."""
    where = [f"{input_label(key)} {bound}" for key, bound in bounds(region).items()]
    return (
        f"{region.scenario} turns {region.flips_to} in {region.flips} of {region.pairs} "
        f"replications; {percent(region.coverage)} % of them lie where "
        f"{' and '.join(where)} ({percent(region.density)} % of the replications there flip; "
        "PRIM scenario discovery)."
    )


def decision_html(table: pd.DataFrame, kpis: Sequence[str], baseline: str) -> str:
    """The decision table for ``kpis``: one row per plan and KPI."""
    level = round(100 * LEVEL)
    head = (
        f"<h2>Each plan against {html.escape(baseline)}: what is known and what is not</h2>"
        "<table><tr><th>KPI</th><th>plan</th><th>expected difference [95% CI]</th>"
        f"<th>plausible range ({level} %)</th><th>worst case (1 in 20)</th>"
        "<th>chance it is better</th><th>range from seed noise alone</th>"
        "<th>share explained by the inputs</th></tr>"
    )
    rows = []
    for kpi in kpis:
        for _, r in table[table.kpi == kpi].iterrows():
            if not r.pairs:
                continue
            chance = "n/a" if pd.isna(r.p_better) else f"{percent(r.p_better)} %"
            rows.append(
                f"<tr><th>{html.escape(kpi)}</th><td>{html.escape(str(r.scenario))}</td>"
                f"<td>{figure(r.expected)} [{figure(r.expected_low)}, {figure(r.expected_high)}]"
                f"</td><td>{figure(r.low)} to {figure(r.high)}</td><td>{figure(r.worst_case)}</td>"
                f"<td>{chance}</td><td>{figure(r.seed_low)} to {figure(r.seed_high)}</td>"
                f"<td>{percent(r.input_share)} %</td></tr>"
            )
    return head + "".join(rows) + "</table>"
