"""The self-contained HTML report that strategists send: tables and figures in one file."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from sim.outputs.estimates import interval_text, runs_note
from sim.outputs.style import format_value


def html_report(
    title: str,
    summary: pd.DataFrame,
    figures: dict[str, Figure],
    notes: Sequence[str],
    kpis: Sequence[str],
    lead: str = "",
) -> str:
    """A self-contained HTML report: tables and figures embedded, no external files.

    ``lead`` (HTML) opens the page, above the notes: the plain answer.

    A KPI some runs left undefined says in how many runs it was defined, beside its
    interval, and why where no run defined it (:mod:`sim.outputs.estimates`).
    """
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
            mean = format_value(r["mean"]) if r.n else "n/a"
            cell = f"{mean}<br><small>{html.escape(interval_text(r))}"
            if s != scenarios[0] and r.pairs == 0:
                cell += "<br>Δ n/a: no run where both are defined"
            elif s != scenarios[0]:
                verdict = "clear" if r.clear else "not clear"
                paired = runs_note(int(r.pairs), int(r.runs), paired=True)
                cell += f"<br>Δ {format_value(r['diff'])} ({verdict}){paired}"
            cells.append(f"<td>{cell}</small></td>")
        body.append(f"<tr><th>{html.escape(kpi)}</th>{''.join(cells)}</tr>")
    table = (
        f"<h2>KPIs: mean, 95% confidence interval, difference to {html.escape(scenarios[0])}</h2>"
        f"<table><tr><th>KPI</th>{head}</tr>{''.join(body)}</table>"
    )
    return html_page(title, notes, table, figures, lead)


def html_page(
    title: str, notes: Sequence[str], body: str, figures: dict[str, Figure], lead: str = ""
) -> str:
    """The house page: a title, ``lead`` (HTML), notes as a list, ``body``, figures as PNG."""
    images = "".join(
        f"<figure><img alt='{html.escape(name)}' src='data:image/png;base64,{png_base64(fig)}'>"
        f"<figcaption>{html.escape(name)}</figcaption></figure>"
        for name, fig in figures.items()
    )
    note_items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}}
table{{border-collapse:collapse;font-size:14px}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}
th{{background:#f3f3f3}}figure{{margin:1.5em 0}}img{{max-width:100%}}small{{color:#555}}</style>
</head><body><h1>{html.escape(title)}</h1>
{lead}
<ul>{note_items}</ul>
{body}
<h2>Figures</h2>{images}
</body></html>
"""


def save_figure(fig: Figure, folder: Path, stem: str) -> None:
    """Write a figure as PNG and SVG."""
    fig.savefig(folder / f"{stem}.png", dpi=110)
    fig.savefig(folder / f"{stem}.svg")


def png_base64(fig: Figure) -> str:
    """A figure as base64 PNG, to embed in a self-contained HTML page."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return base64.b64encode(buffer.getvalue()).decode("ascii")
