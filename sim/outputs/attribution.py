"""What ``attribution`` writes: the truth, the scoreboard, paths, the MMM frame, a report."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from sim.analysis.folders import replace_folder, to_json
from sim.analysis.provenance import Provenance
from sim.experiments.attribution import ATTRIBUTION_KIND, Attribution
from sim.model.version import model_version
from sim.outputs.attribution_figures import curves_figure, scoreboard_figure, truth_figure
from sim.outputs.mmm_exports import EXPORTS, lift_tests, mmm_warnings, write_mmm_exports
from sim.outputs.report import html_page, save_figure
from sim.outputs.style import format_value

FILES = (
    "truth.csv",
    "others.csv",
    "interaction.json",
    "curves.csv",
    "lifts.csv",
    "lift_tests.csv",
    "paths.parquet",
    "paths.csv",
    "scoreboard.csv",
    "ranking.csv",
    "mmm.csv",
    "mmm.parquet",
    *EXPORTS,
    "runs.csv",
    "truth.png",
    "scoreboard.png",
    "report.html",
)
"""The files an attribution folder holds, besides the provenance, each figure's SVG and
``curves.png`` (when curves were measured)."""


def attribution_notes(result: Attribution, replications: int, seed: int) -> list[str]:
    """The report's explanation: how the truth was found and how to read it."""
    inter = result.interaction
    best = result.ranking.iloc[0]
    how = "every coalition" if result.exact else "coalitions along sampled orders"
    regions = (
        f" over {len(result.regions)} regions ({', '.join(result.regions)}), whose truths add up"
        if len(result.regions) > 1
        else ""
    )
    return [
        f"Scenario: {result.scenario}{regions}. {replications} replications on common random "
        f"numbers (master seed {seed}): replication k of every run meets the same prospects.",
        f"Players: {', '.join(result.players)}. Truth: each player's Shapley value, from "
        f"{how} of the players (the others switched off, a channel by spending nothing), paired "
        "by replication, with Student-t 95% intervals; beside it each player's removal effect "
        "(all players against all but it) and add-one effect (it alone against none).",
        f"The players won {format_value(inter['joint'])} customers together (a run); their "
        f"Shapley values add up to that, their removal effects to "
        f"{format_value(inter['sum_of_removals'])} ({inter['ratio']:.2f} times: above 1 where "
        "players are complements, below 1 where they substitute for each other).",
        "Other sources (reps, referrals, review look-ups, care, channels that are not players) "
        "are reported by removal in others.csv and not scored.",
        "Scoreboard: each model's share of the conversions over the players' touches against "
        "the Shapley share; error = the sum of absolute share differences (0 = exact, 2 = "
        "everything in the wrong place).",
        f"Least wrong against the Shapley shares: {best['label']} (error {best['error']:.2f}).",
        *mmm_warnings(result),
    ]


def attribution_page(result: Attribution, notes: Sequence[str], figures: dict[str, Figure]) -> str:
    """A self-contained HTML report: notes, truth, others, lifts, ranking, figures."""
    truth = result.truth
    truth_rows = "".join(
        f"<tr><th>{html.escape(str(r['player']))}</th><td>{format_value(r['share'])}</td>"
        + "".join(
            f"<td>{_cell(r, column)}</td>"
            for column in ("customers", "removal_customers", "add_one_customers", "lifetime_profit")
        )
        + "</tr>"
        for _, r in truth.iterrows()
    )
    other_rows = "".join(
        f"<tr><th>{html.escape(str(r['source']))}</th>"
        f"<td>{_cell(r, 'customers')}</td><td>{_cell(r, 'lifetime_profit')}</td></tr>"
        for _, r in result.others.iterrows()
    )
    lift_rows = "".join(
        f"<tr><th>{html.escape(str(r.channel))}</th><td>{html.escape(str(r.design))}</td>"
        f"<td>{_interval(r.estimate, r.low, r.high)}</td><td>{format_value(r.truth)}</td>"
        f"<td>{r.covered} of {r.experiments}</td></tr>"
        for r in result.lifts.itertuples()
    )
    rank_rows = "".join(
        f"<tr><td>{int(r.rank)}</td><th>{html.escape(str(r.label))}</th>"
        f"<td>{format_value(r.error)}</td><td>{format_value(r.error_removal)}</td></tr>"
        for r in result.ranking.itertuples()
    )
    tables = f"""<h2>Ground truth: what each player won</h2>
<table><tr><th>player</th><th>Shapley share</th><th>Shapley value, customers [95% CI]</th>
<th>removal effect</th><th>alone (add-one)</th><th>Shapley value, lifetime profit</th></tr>
{truth_rows}</table>
<h2>Other sources, by removal (not scored)</h2>
<table><tr><th>source</th><th>customers lost without it [95% CI]</th>
<th>lifetime profit lost</th></tr>{other_rows}</table>
<h2>Lift tests on the simulator</h2>
<table><tr><th>channel</th><th>design</th><th>first experiment's estimate [95% CI]</th>
<th>truth (removal)</th><th>intervals covering the truth</th></tr>{lift_rows}</table>
<h2>Attribution models against the truth</h2>
<table><tr><th>rank</th><th>model</th><th>error against Shapley shares</th>
<th>against removal shares</th></tr>{rank_rows}</table>"""
    return html_page(f"Touchpoint attribution: {result.scenario}", notes, tables, figures)


def attribution_text(result: Attribution) -> str:
    """The truth and the ranking as text tables for the terminal."""
    truth = result.truth
    width = max(8, *(len(s) for s in truth["player"]))
    lines = [
        f"{'player':<{width}}  {'share':>6}  {'Shapley value, customers':>28}  "
        f"{'removal':>8}  {'alone':>8}",
    ]
    lines += [
        f"{r.player:<{width}}  {format_value(r.share):>6}  "
        f"{_interval(r.customers, r.customers_low, r.customers_high):>28}  "
        f"{format_value(r.removal_customers):>8}  {format_value(r.add_one_customers):>8}"
        for r in truth.itertuples()
    ]
    inter = result.interaction
    lines.append(
        f"\nthe players won {format_value(inter['joint'])} customers together; their removal "
        f"effects sum to {format_value(inter['sum_of_removals'])} ({inter['ratio']:.2f}x)"
    )
    lines.append("\nattribution models, least wrong first (total absolute error against Shapley):")
    label = max(len(str(x)) for x in result.ranking["label"])
    lines += [
        f"{int(r.rank):>2}. {r.label:<{label}}  {format_value(r.error):>6}"
        for r in result.ranking.itertuples()
    ]
    return "\n".join(lines)


def _cell(row: pd.Series, column: str) -> str:
    """``row[column]`` with its interval (``_low``, ``_high``)."""
    return _interval(row[column], row[f"{column}_low"], row[f"{column}_high"])


def _interval(mean: float, low: float, high: float) -> str:
    return f"{format_value(mean)} [{format_value(low)}, {format_value(high)}]"


def write_attribution(
    out: str | Path,
    result: Attribution,
    notes: Sequence[str],
    labels: dict[str, str],
    provenance: Provenance | None = None,
) -> Path:
    """Every file of :data:`FILES` and the provenance, all or nothing."""
    figures = {
        "truth": truth_figure(result.truth),
        "scoreboard": scoreboard_figure(result.scoreboard, labels),
    }
    if not result.curves.empty:
        figures["curves"] = curves_figure(result.curves)
    captions = {
        "truth": "ground truth (Shapley values, removal and add-one effects)",
        "scoreboard": "models against the truth",
        "curves": "response curves (95% CI)",
    }
    page = attribution_page(result, notes, {captions[k]: f for k, f in figures.items()})
    touches = result.touches.assign(source=result.touches["source"].astype(str))
    with replace_folder(out, ATTRIBUTION_KIND, **model_version()) as tmp:
        if provenance is not None:
            provenance.write(tmp)
        result.truth.to_csv(tmp / "truth.csv", index=False)
        result.others.to_csv(tmp / "others.csv", index=False)
        (tmp / "interaction.json").write_text(to_json(result.interaction))
        result.curves.to_csv(tmp / "curves.csv", index=False)
        result.lifts.to_csv(tmp / "lifts.csv", index=False)
        lift_tests(result).to_csv(tmp / "lift_tests.csv", index=False)
        touches.to_parquet(tmp / "paths.parquet", index=False)
        result.paths.to_csv(tmp / "paths.csv", index=False)
        result.scoreboard.to_csv(tmp / "scoreboard.csv", index=False)
        result.ranking.to_csv(tmp / "ranking.csv", index=False)
        result.mmm.to_csv(tmp / "mmm.csv", index=False)
        result.mmm.to_parquet(tmp / "mmm.parquet", index=False)
        write_mmm_exports(tmp, result.mmm)
        result.runs.to_csv(tmp / "runs.csv", index=False)
        for stem, fig in figures.items():
            save_figure(fig, tmp, stem)
        (tmp / "report.html").write_text(page, encoding="utf-8")
    return Path(out)
