"""What ``calibrate`` writes: the posterior, its summary, the predictive check, figures, report."""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.analysis.folders import add_entry
from sim.analysis.provenance import Provenance, scenario_yaml
from sim.experiments.calibrate import Calibration
from sim.outputs.report import png_base64
from sim.outputs.style import figure
from sim.outputs.writers import add_provenance

FILES = (
    "posterior.parquet",
    "posterior.csv",
    "summary.csv",
    "check.csv",
    "generations.csv",
    "calibrated.yaml",
    "posterior.png",
    "check.png",
    "report.html",
)
"""The files of a calibrate output folder (besides the provenance and pyabc's database)."""


def posterior_figure(result: Calibration) -> Figure:
    """Prior (flat band) against posterior (weighted histogram), one panel per parameter."""
    summary = result.summary.set_index("param")
    keys = list(summary.index)
    fig = figure(4.2 * len(keys), 3.4)
    axes = fig.subplots(1, len(keys), squeeze=False)
    weights = result.posterior["weight"].to_numpy()
    for ax, key in zip(axes[0], keys, strict=True):
        row = summary.loc[key]
        low, high, log = row.prior_low, row.prior_high, row.prior == "log-uniform"
        edges = np.geomspace(low, high, 25) if log else np.linspace(low, high, 25)
        ax.hist(result.posterior[key], bins=edges, weights=weights, density=True,
                color="#1f77b4", alpha=0.8, label="posterior")  # fmt: skip
        flat = 1.0 / (np.log(high / low) * edges if log else np.full(edges.size, high - low))
        ax.plot(edges, flat, color="#7f7f7f", lw=2, ls="--", label="prior")
        ax.axvline(row["median"], color="black", lw=1)
        ax.axvspan(row.low90, row.high90, color="#1f77b4", alpha=0.12)
        if log:
            ax.set_xscale("log")
        verdict = "informed" if row.informed else "NOT informed (≈ prior)"
        ax.set_title(f"{key}\n{verdict}", fontsize=10)
        ax.set_yticks([])
    axes[0][0].legend(fontsize=8)
    return fig


def check_figure(result: Calibration) -> Figure:
    """Each target: observed ± sd against the posterior predictive 90% interval."""
    check = result.check
    fig = figure(2.6 * len(check), 3.4)
    axes = fig.subplots(1, len(check), squeeze=False)
    for ax, (_, row) in zip(axes[0], check.iterrows(), strict=True):
        ax.errorbar([0], [row.predicted], yerr=[[row.predicted - row.predicted_low],
                    [row.predicted_high - row.predicted]], fmt="o", capsize=6,
                    color="#1f77b4", label="calibrated")  # fmt: skip
        ax.errorbar([1], [row.observed], yerr=[row.sd], fmt="s", capsize=6, color="black",
                    label="observed")  # fmt: skip
        ax.plot([2], [row.start], "x", color="#d62728", ms=9, label="start")
        ax.set_xticks([0, 1, 2], ["model", "obs.", "start"], fontsize=8)
        ax.set_title(row.target, fontsize=9)
    axes[0][0].legend(fontsize=7)
    fig.suptitle("Posterior predictive check: 90% interval, observed ± sd, the start scenario")
    return fig


def report(result: Calibration, title: str, notes: list[str]) -> str:
    """A self-contained HTML report of a calibration."""
    tables = {
        "Parameters: posterior median and 90% credible interval": result.summary,
        "Posterior predictive check": result.check,
        "Generations": result.generations,
    }
    blocks = "".join(
        f"<h2>{html.escape(name)}</h2>{frame.to_html(index=False, float_format=_fmt)}"
        for name, frame in tables.items()
    )
    figures = "".join(
        f"<figure><img alt='{name}' src='data:image/png;base64,{png_base64(fig)}'></figure>"
        for name, fig in (("posterior", posterior_figure(result)), ("check", check_figure(result)))
    )
    items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}}
table{{border-collapse:collapse;font-size:14px}}td,th{{border:1px solid #ccc;padding:4px 8px}}
th{{background:#f3f3f3}}img{{max-width:100%}}</style></head><body>
<h1>{html.escape(title)}</h1><ul>{items}</ul>{blocks}<h2>Figures</h2>{figures}</body></html>
"""


def write_calibration(
    out: Path, result: Calibration, provenance: Provenance, notes: list[str]
) -> None:
    """Every file of :data:`FILES` into an open output folder, each written whole."""
    add_provenance(out, provenance)
    posterior, summary = result.posterior, result.summary
    add_entry(out, "posterior.parquet", lambda p: posterior.to_parquet(p, index=False))
    add_entry(out, "posterior.csv", lambda p: posterior.to_csv(p, index=False))
    add_entry(out, "summary.csv", lambda p: summary.to_csv(p, index=False))
    add_entry(out, "check.csv", lambda p: result.check.to_csv(p, index=False))
    add_entry(out, "generations.csv", lambda p: result.generations.to_csv(p, index=False))
    text = scenario_yaml(result.scenario)
    add_entry(out, "calibrated.yaml", lambda p: p.write_text(text, encoding="utf-8"))
    figure = posterior_figure(result)
    add_entry(out, "posterior.png", lambda p: figure.savefig(p, dpi=110, format="png"))
    check = check_figure(result)
    add_entry(out, "check.png", lambda p: check.savefig(p, dpi=110, format="png"))
    page = report(result, f"Calibration of {result.scenario.name}", notes)
    add_entry(out, "report.html", lambda p: p.write_text(page, encoding="utf-8"))


def summary_text(result: Calibration) -> str:
    """The parameter table and the predictive check, for the terminal."""
    table = result.summary[
        ["param", "prior", "prior_low", "prior_high", "median", "low90", "high90", "informed"]
    ]
    check = result.check[["target", "observed", "sd", "predicted", "predicted_low",
                          "predicted_high", "inside", "start"]]  # fmt: skip
    return (
        "posterior (median, 90% credible interval):\n"
        + table.to_string(index=False, float_format=_fmt)
        + "\n\nposterior predictive check (90% interval, with the targets' noise):\n"
        + check.to_string(index=False, float_format=_fmt)
    )


def _fmt(value: float) -> str:
    return f"{value:.4g}" if pd.notna(value) else ""
