"""Text tables for the terminal: a run's KPIs, a comparison, a sweep, sensitivity indices."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from sim.analysis.kpis import HEADLINE, Kpis
from sim.outputs.estimates import difference_text, estimate_text, interval_text
from sim.outputs.style import format_value


def kpi_table(
    kpis: Kpis,
    title: str = "",
    all_kpis: bool = False,
    undefined: Mapping[str, str] | None = None,
) -> str:
    """The headline KPIs of one run (or all of them) as an aligned text table.

    Args:
        kpis: KPI name → value (None where undefined).
        title: A line above the table.
        all_kpis: Every KPI, not only the headline ones.
        undefined: KPI name → why the run left it undefined, written beside its 'n/a'.
    """
    names = list(kpis) if all_kpis else [k for k in HEADLINE if k in kpis]
    why = undefined or {}
    width = max(len(n) for n in names)
    lines = [title, "-" * max(len(title), width + 14)] if title else []
    lines += [
        f"{name:<{width}}  {format_value(kpis[name]):>12}"
        + (f"  ({why[name]})" if kpis[name] is None and name in why else "")
        for name in names
    ]
    return "\n".join(lines)


def comparison_text(summary: pd.DataFrame, kpis: Sequence[str]) -> str:
    """Mean [95% CI] per scenario and the paired difference to the baseline, per KPI.

    A KPI some runs left undefined says in how many runs it was defined, beside its
    interval (:mod:`sim.outputs.estimates`).
    """
    lines = []
    scenarios = list(dict.fromkeys(summary.scenario))
    width = max(len(s) for s in scenarios)
    for kpi in kpis:
        rows = summary[summary.kpi == kpi]
        if rows.empty:
            continue
        cells = []
        for _, r in rows.iterrows():
            base = r.scenario == scenarios[0]
            mean = format_value(r["mean"]) if r.n else "n/a"
            diff = "baseline" if base else format_value(r["diff"])
            dci = "" if base else difference_text(r)
            mark = "" if base or not r.pairs else ("  clear" if r.clear else "  not clear")
            cells.append((r.scenario, mean, interval_text(r), diff, dci, mark))
        wide = max(23, *(len(c[2]) for c in cells))  # an interval with its runs note
        wide_change = max(23, *(len(c[4]) for c in cells))
        lines += [
            "",
            kpi,
            f"{'':<{width}}  {'mean':>12}  {'95% CI':>{wide}}  {'vs ' + scenarios[0]:>14}  "
            f"{'95% CI':>{wide_change}}",
        ]
        lines += [
            f"{name:<{width}}  {mean:>12}  {interval:>{wide}}  {diff:>14}  "
            f"{change:>{wide_change}}{mark}"
            for name, mean, interval, diff, change, mark in cells
        ]
    return "\n".join(lines).lstrip("\n")


def sweep_text(summary: pd.DataFrame, kpis: Sequence[str], replications: int) -> str:
    """Mean [95% CI] of the chosen KPIs at each grid point, as an aligned table."""
    params = [c for c in summary.columns if c.startswith("param.")]
    chosen = summary[summary["kpi"].isin(kpis)]
    rows = []
    for point, frame in chosen.groupby(params, sort=False):
        point = point if isinstance(point, tuple) else (point,)
        row = {p.removeprefix("param."): _cell(v) for p, v in zip(params, point, strict=True)}
        for _, r in frame.iterrows():
            if replications > 1:
                row[r["kpi"]] = estimate_text(r)
            else:
                row[r["kpi"]] = format_value(r["mean"])
        rows.append(row)
    title = "mean [95% CI] over replications" if replications > 1 else "one run per point"
    return f"{title}\n" + pd.DataFrame(rows).to_string(index=False)


def extra_text(extra: pd.DataFrame) -> str:
    """Extra customers over the baseline and the cost of each, per point or scenario."""
    keys = [c for c in extra.columns if c.startswith("param.") or c == "scenario"]
    rows = []
    for _, r in extra.iterrows():
        row = {k.removeprefix("param."): _cell(r[k]) for k in keys}
        row["extra customers"] = format_value(r["extra_customers"])
        row["extra acquisition cost"] = format_value(r["extra_cost"])
        cost = r["cost_per_extra_customer"]
        row["cost per extra customer [95% CI]"] = (
            "n/a (no clear gain in customers)"
            if not math.isfinite(cost)
            else f"{format_value(cost)} [{format_value(r['cost_per_extra_low'])}, "
            f"{_bound(r['cost_per_extra_high'])}]"
            + (" (more customers for less)" if r["cost_per_extra_high"] < 0 else "")
        )
        rows.append(row)
    return pd.DataFrame(rows).to_string(index=False)


def indices_text(indices: pd.DataFrame, kpis: Sequence[str]) -> str:
    """Sensitivity indices of the chosen KPIs with their 95% CI half-widths."""
    chosen = indices[indices["kpi"].isin(kpis)]
    sobol = "S1" in indices.columns
    rows = []
    for _, r in chosen.iterrows():
        if sobol:
            rows.append(
                {
                    "kpi": r["kpi"],
                    "param": r["param"],
                    "S1": _pm(r["S1"], r["S1_conf"]),
                    "ST": _pm(r["ST"], r["ST_conf"]),
                    "noise floor (ST)": _pm(r["ST_noise"], None),
                    "above noise": _yes(r["above_noise"]),
                }
            )
        else:
            rows.append(
                {
                    "kpi": r["kpi"],
                    "param": r["param"],
                    "mu": _pm(r["mu"], None),
                    "mu_star": _pm(r["mu_star"], r["mu_star_conf"]),
                    "sigma": _pm(r["sigma"], None),
                    "noise floor (mu*)": _pm(r["mu_star_noise"], None),
                    "above noise": _yes(r["above_noise"]),
                }
            )
    title = (
        "Sobol indices, ± 95% CI half-width; seed-noise floor"
        if sobol
        else "Morris screening: μ (signed), μ* ± 95% CI, σ; seed-noise floor"
    )
    return f"{title}\n" + pd.DataFrame(rows).to_string(index=False)


def _bound(value: float) -> str:
    return "no bound" if value == math.inf else format_value(value)


def _yes(value: object) -> str:
    return "yes" if value is True or value == 1 else "no"


def _pm(value: float, conf: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    text = format_value(float(value)) if abs(value) >= 1 else f"{value:.3f}"
    if conf is not None and math.isfinite(conf):
        text += f" ± {format_value(float(conf)) if abs(conf) >= 1 else f'{conf:.3f}'}"
    return text


def _cell(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:,.6g}"
