"""What ``attribution`` writes: the truth, the scoreboard, paths, the MMM frame, a report."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.analysis.folders import replace_folder, to_json
from sim.analysis.provenance import Provenance
from sim.experiments.attribution import ATTRIBUTION_KIND, Attribution
from sim.model.version import model_version
from sim.outputs.report import html_page, save_figure
from sim.outputs.style import figure, format_value, source_colors

FILES = (
    "truth.csv",
    "interaction.json",
    "paths.parquet",
    "paths.csv",
    "scoreboard.csv",
    "ranking.csv",
    "mmm.csv",
    "mmm.parquet",
    "runs.csv",
    "truth.png",
    "scoreboard.png",
    "report.html",
)
"""The files an attribution folder holds, besides the provenance (and each figure's SVG)."""


def truth_figure(truth: pd.DataFrame) -> Figure:
    """Customers lost without each source, with 95 % CIs (the ground truth)."""
    fig = figure(8, 0.5 * len(truth) + 1.5)
    ax = fig.add_subplot()
    y = np.arange(len(truth))[::-1]
    colors = source_colors(list(truth["source"]))
    err = np.vstack(
        [truth["customers"] - truth["customers_low"], truth["customers_high"] - truth["customers"]]
    )
    ax.barh(y, truth["customers"], xerr=np.nan_to_num(err), color=[colors[s] for s in truth.source])
    ax.set_yticks(y, truth["source"])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("customers lost when the source is switched off (95% CI)")
    return fig


def scoreboard_figure(board: pd.DataFrame, labels: dict[str, str]) -> Figure:
    """Each model's share of the conversions per source, beside the true share."""
    sources = list(dict.fromkeys(board["source"]))
    models = list(dict.fromkeys(board["model"]))
    shares = board.pivot(index="model", columns="source", values="share").loc[models, sources]
    truth = board.drop_duplicates("source").set_index("source")["true_share"].loc[sources]
    fig = figure(11, 5)
    ax = fig.add_subplot()
    width = 0.8 / (len(models) + 1)
    x = np.arange(len(sources))
    ax.bar(x - 0.4 + width / 2, truth, width, color="black", label="truth (removal)")
    palette = source_colors(models)
    for i, model in enumerate(models, start=1):
        ax.bar(
            x - 0.4 + width * (i + 0.5), shares.loc[model], width,
            color=palette[model], label=labels.get(model, model),
        )  # fmt: skip
    ax.set_xticks(x, [s.replace("_", "\n") for s in sources])
    ax.set_ylabel("share of the conversions")
    ax.legend(ncol=3, fontsize=8)
    return fig


def attribution_notes(result: Attribution, replications: int, seed: int) -> list[str]:
    """The report's explanation: how the truth was found and how to read it."""
    inter = result.interaction
    best = result.ranking.iloc[0]
    return [
        f"Scenario: {result.scenario}. {replications} replications on common random numbers "
        f"(master seed {seed}): replication k of every variant meets the same prospects.",
        "Truth: the baseline against the same runs with one source switched off (a channel's "
        "budget not spent; no reps; no word of mouth; no review look-ups; no care), paired by "
        "replication, with Student-t 95% intervals. Each channel is also run at 90% of its "
        "budget: what the last 10% won and what each of those customers cost.",
        f"Removal effects do not add up when sources interact: together they come to "
        f"{format_value(inter['sum_of_removals'])} customers against "
        f"{format_value(inter['customers'])} won ({inter['ratio']:.2f} times). Where sources "
        "are complements (one makes a prospect aware, another closes), removing either loses "
        "the customer, so each is credited in full.",
        "Scoreboard: each model's share of the conversions per touch source against the true "
        "share (removal effects on customers, normalised over the touch sources); error = the "
        "sum of absolute share differences (0 = exact, 2 = everything in the wrong place).",
        f"Least wrong: {best['label']} (error {best['error']:.2f}).",
    ]


def attribution_page(result: Attribution, notes: Sequence[str], figures: dict[str, Figure]) -> str:
    """A self-contained HTML report: notes, truth table, ranking, figures."""
    truth = result.truth
    truth_rows = "".join(
        "<tr>"
        f"<th>{html.escape(str(r.source))}</th><td>{html.escape(str(r.kind))}</td>"
        f"<td>{_interval(r.customers, r.customers_low, r.customers_high)}</td>"
        f"<td>{_interval(r.lifetime_profit, r.lifetime_profit_low, r.lifetime_profit_high)}</td>"
        f"<td>{format_value(r.share)}</td>"
        f"<td>{_last10(r)}</td>"
        "</tr>"
        for r in truth.itertuples()
    )
    rank_rows = "".join(
        f"<tr><td>{int(r.rank)}</td><th>{html.escape(str(r.label))}</th>"
        f"<td>{format_value(r.error)}</td></tr>"
        for r in result.ranking.itertuples()
    )
    tables = f"""<h2>Ground truth: what each source won</h2>
<table><tr><th>source</th><th>kind</th><th>customers lost without it [95% CI]</th>
<th>lifetime profit lost [95% CI]</th><th>true share</th>
<th>last 10% of budget: customers; cost per customer</th></tr>{truth_rows}</table>
<h2>Attribution models against the truth</h2>
<table><tr><th>rank</th><th>model</th><th>total absolute share error</th></tr>{rank_rows}</table>"""
    return html_page(f"Touchpoint attribution: {result.scenario}", notes, tables, figures)


def attribution_text(result: Attribution) -> str:
    """The truth and the ranking as text tables for the terminal."""
    truth = result.truth
    width = max(len(s) for s in truth["source"])
    lines = [
        f"{'source':<{width}}  {'customers lost without it':>30}  {'profit lost':>34}  "
        f"{'share':>6}",
    ]
    lines += [
        f"{r.source:<{width}}  "
        f"{_interval(r.customers, r.customers_low, r.customers_high):>30}  "
        f"{_interval(r.lifetime_profit, r.lifetime_profit_low, r.lifetime_profit_high):>34}  "
        f"{format_value(r.share):>6}"
        for r in truth.itertuples()
    ]
    inter = result.interaction
    lines.append(
        f"\nremovals sum to {format_value(inter['sum_of_removals'])} customers against "
        f"{format_value(inter['customers'])} won ({inter['ratio']:.2f}x): sources interact"
    )
    lines.append("\nattribution models, least wrong first (total absolute share error):")
    label = max(len(str(x)) for x in result.ranking["label"])
    lines += [
        f"{int(r.rank):>2}. {r.label:<{label}}  {format_value(r.error):>6}"
        for r in result.ranking.itertuples()
    ]
    return "\n".join(lines)


def _interval(mean: float, low: float, high: float) -> str:
    return f"{format_value(mean)} [{format_value(low)}, {format_value(high)}]"


def _last10(row: object) -> str:
    customers = getattr(row, "last10_customers", np.nan)
    if not np.isfinite(customers):
        return ""
    won = _interval(customers, row.last10_customers_low, row.last10_customers_high)
    cost = _interval(
        row.last10_cost_per_customer,
        row.last10_cost_per_customer_low,
        row.last10_cost_per_customer_high,
    )
    return f"{won}; {cost}"


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
    page = attribution_page(
        result,
        notes,
        {
            "ground truth (removal)": figures["truth"],
            "models against the truth": figures["scoreboard"],
        },
    )
    touches = result.touches.assign(source=result.touches["source"].astype(str))
    with replace_folder(out, ATTRIBUTION_KIND, **model_version()) as tmp:
        if provenance is not None:
            provenance.write(tmp)
        result.truth.to_csv(tmp / "truth.csv", index=False)
        (tmp / "interaction.json").write_text(to_json(result.interaction))
        touches.to_parquet(tmp / "paths.parquet", index=False)
        result.paths.to_csv(tmp / "paths.csv", index=False)
        result.scoreboard.to_csv(tmp / "scoreboard.csv", index=False)
        result.ranking.to_csv(tmp / "ranking.csv", index=False)
        result.mmm.to_csv(tmp / "mmm.csv", index=False)
        result.mmm.to_parquet(tmp / "mmm.parquet", index=False)
        result.runs.to_csv(tmp / "runs.csv", index=False)
        for stem, fig in figures.items():
            save_figure(fig, tmp, stem)
        (tmp / "report.html").write_text(page, encoding="utf-8")
    return Path(out)
