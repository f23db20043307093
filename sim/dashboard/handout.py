"""The handout: one printable page of a story's result for trainees, headline first.

It is made from the runs the room has been watching (no new simulation), so it is ready
at once: the headline in numbers (who won more customers by today, by how much, at what
cost of sale), the story's takeaway, each side's figures (the middle run and the band
most runs fall in), what changed when, the effects the room saw (each step's claims,
checked on the day they name), and a chart of the customers won. One self-contained
HTML page (inline CSS and SVG, no script, nothing fetched) that prints on A4.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from sim.dashboard.claims import Claim, check
from sim.dashboard.kpis import KPIS, Kpi, value_text
from sim.dashboard.sides import BAND, Branch, Sides, median_band

if TYPE_CHECKING:
    from sim.dashboard.session import Session

CHART = (640, 175)
"""The chart's width and height in SVG units (it scales to the page's width)."""
MARGIN = {"left": 56, "right": 190, "top": 12, "bottom": 34}
"""Room around the plot: the right margin holds the labels at the lines' ends."""
DASHES = {"solid": "", "dash": "8 5", "dot": "2 4"}
"""SVG dash patterns of the sides' line styles (earlier courses are dotted)."""
LABEL_GAP = 14
"""The least vertical distance between two line-end labels."""

STYLE = """
@page { size: A4; margin: 14mm; }
* { box-sizing: border-box; }
body { font-family: "Helvetica Neue", Arial, sans-serif; font-size: 10pt; color: #111;
  max-width: 182mm; margin: 0 auto; line-height: 1.3;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
h1 { font-size: 16pt; margin: 0 0 3pt; }
h2 { font-size: 11pt; margin: 7pt 0 2pt; border-bottom: 1px solid #bbb; }
.headline { font-size: 12.5pt; font-weight: bold; margin: 3pt 0 5pt; }
.takeaway { margin: 0 0 4pt; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; line-height: 1.15; }
th, td { text-align: left; padding: 1pt 3pt; border-bottom: 1px solid #ddd;
  vertical-align: top; }
.number { text-align: right; font-weight: bold; white-space: nowrap; }
.band { text-align: right; color: #444; white-space: nowrap; }
th.side { text-align: center; border-bottom: 2px solid currentColor; }
.unit { color: #555; font-size: 7.5pt; }
ul { margin: 2pt 0; padding-left: 14pt; }
li { margin: 0; font-size: 9pt; }
.shown { font-weight: bold; }
.chart svg { width: 100%; height: auto; }
.note { font-size: 8pt; color: #444; margin-top: 4pt; }
@media print { body { max-width: none; } h2 { break-after: avoid; }
  .chart, table { break-inside: avoid; } }
"""


def handout_html(session: Session) -> str:
    """The handout of a session as it stands: a self-contained HTML page.

    Args:
        session: The story being told; its sides are read under their lock.
    """
    sides, story = session.sides, session.story
    with sides.lock:
        parts = [
            f"<h1>{_text(story.title)}</h1>",
            f"<p class='headline'>{_text(headline(sides))}</p>",
        ]
        if story.takeaway:
            parts.append(f"<p class='takeaway'>{_text(story.takeaway)}</p>")
        parts.append(_figures(sides))
        parts.append(_changes(sides))
        seen = _seen(session)
        if seen:
            parts.append(seen)
        parts.append(
            f"<h2>Customers won, day by day</h2><div class='chart'>{customers_chart(sides)}</div>"
        )
        parts.append(f"<p class='note'>{_text(method_note(sides))}</p>")
    body = "\n".join(parts)
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{_text(story.title)}: handout</title><style>{STYLE}</style></head>"
        f"<body>\n{body}\n</body></html>\n"
    )


def headline(sides: Sides) -> str:
    """Who won more customers by today, by how much, at what cost of sale, in one sentence."""
    day = sides.day
    if day == 0:
        return "Day 0: nothing has been played yet. Play the story, then print the handout."
    customers, cost = KPIS["customers"], KPIS["cost_of_sale"]
    won = {side.which: _today(side.current, "customers") for side in sides}
    first, second = sorted(sides, key=lambda s: -won[s.which][0])
    top, other = won[first.which], won[second.which]
    if round(top[0]) == round(other[0]):
        sentence = (
            f"By day {day} both sides won about {value_text(customers, top[0])} customers "
            f"({first.name} and {second.name})"
        )
    else:
        sentence = (
            f"By day {day} {first.name} won {value_text(customers, top[0])} customers"
            f"{_band_words(customers, top)} against {value_text(customers, other[0])} "
            f"for {second.name}"
        )
    costs = [_today(side.current, "cost_of_sale")[0] for side in (first, second)]
    if all(math.isfinite(c) for c in costs):
        sentence += (
            f", at a cost of sale of {value_text(cost, costs[0])} a customer against "
            f"{value_text(cost, costs[1])}"
        )
    return sentence + "."


def customers_chart(sides: Sides) -> str:
    """An inline SVG of the customers won: each side's middle run, its band, its label."""
    width, height = CHART
    left, right = MARGIN["left"], width - MARGIN["right"]
    top, bottom = MARGIN["top"], height - MARGIN["bottom"]
    day = max(sides.day, 1)
    lines = []
    for side in sides:
        middle, low, high = side.current.summary("customers")
        earlier = [b.summary("customers")[0] for b in side.branches[:-1]]
        lines.append((side, middle, low, high, earlier))
    peak = max(float(np.nanmax(np.r_[high, 0.0])) for _, _, _, high, _ in lines)
    ticks = _ticks(peak)
    y_top = max(ticks[-1], 1.0)

    def x(days: np.ndarray) -> np.ndarray:
        return left + (right - left) * days / day

    def y(values: np.ndarray) -> np.ndarray:
        return bottom - (bottom - top) * np.nan_to_num(values) / y_top

    shapes = [_axes((left, right, top, bottom), day, ticks, x, y)]
    ends = []
    for side, middle, low, high, earlier in lines:
        days = np.arange(middle.size, dtype=float)
        if sides.replications > 1:
            ring = np.r_[x(days), x(days[::-1])], np.r_[y(low), y(high[::-1])]
            shapes.append(
                f"<polygon points='{_points(*ring)}' fill='{side.color}' fill-opacity='0.18' "
                "stroke='none'/>"
            )
        for course in earlier:
            shapes.append(_polyline(x(days), y(course), side.color, "dot", 1.5))
        shapes.append(_polyline(x(days), y(middle), side.color, side.dash, 3))
        ends.append([float(y(middle[-1:])[0]), side, float(middle[-1])])
    for y_end, side, value in _spread(ends):
        label = f"{side.name}: {value_text(KPIS['customers'], value)}"
        shapes.append(
            f"<text x='{right + 6}' y='{y_end + 4:.1f}' fill='{side.color}' font-size='12' "
            f"font-weight='bold'>{_text(label)}</text>"
        )
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' role='img' "
        "aria-label='Customers won, day by day, each side'>"
        f"{''.join(shapes)}</svg>"
    )


def method_note(sides: Sides) -> str:
    """How the numbers were made, in a sentence or two."""
    prospects = sides.left.shipped.population.size
    if sides.replications == 1:
        runs = f"Each side is one run on the same {prospects:,} prospects"
        spread = "One run shows no band: another run could differ."
    else:
        runs = (
            f"Each side is {sides.replications} runs on the same {prospects:,} prospects "
            "(run k of the left meets the same prospects as run k of the right)"
        )
        share = round((BAND[1] - BAND[0]) / 10)
        spread = (
            f"The line is the middle run (the median); the shaded band is where {share} in "
            "10 runs fall. A dotted line is a course a side was on before a change."
        )
    return f"How these numbers were made: {runs}, played to day {sides.day}. {spread}"


def _figures(sides: Sides) -> str:
    """Each figure today, a column pair per side: its middle run and where most runs fall."""
    heads = "".join(
        f"<th colspan='2' class='side' style='color:{side.color}'>"
        f"{_text(side.which.capitalize())}: {_text(side.name)}</th>"
        for side in sides
    )
    columns = "<th class='number'>Middle run</th><th class='band'>Most runs</th>" * 2
    rows = []
    for name, kpi in KPIS.items():
        cells = []
        for side in sides:
            values = _today(side.current, name)
            cells.append(
                f"<td class='number'>{_text(value_text(kpi, values[0]))}</td>"
                f"<td class='band'>{_text(_band_range(kpi, values))}</td>"
            )
        rows.append(
            f"<tr><td>{_text(kpi.title)} <span class='unit'>{_text(kpi.unit)}</span></td>"
            f"{''.join(cells)}</tr>"
        )
    return (
        f"<h2>The figures on day {sides.day}</h2><table><thead>"
        f"<tr><th rowspan='2'>Figure</th>{heads}</tr><tr>{columns}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _changes(sides: Sides) -> str:
    """Each side's courses: as shipped, then what changed when."""
    items = []
    for side in sides:
        labels = [b.label for b in side.branches]
        if len(labels) == 1:
            labels = [f"{labels[0]}: nothing changed"]
        items.append(
            f"<li><span style='color:{side.color}'>{_text(side.name)}</span>: "
            f"{_text('; then '.join(labels))}</li>"
        )
    return f"<h2>What changed when</h2><ul>{''.join(items)}</ul>"


def _seen(session: Session) -> str:
    """The claims of the steps played so far: checked on their day, or still ahead."""
    sides = session.sides
    items = []
    for step in session.story.steps[: session.index + 1]:
        stop = step.pause_day or sides.horizon
        for claim in step.claims:
            day = claim.by or stop
            verdict = check(claim, sides, day)
            if verdict is not None:
                shown = "Shown" if verdict.holds else "Not clear in these runs"
                items.append(
                    f"<li><span class='shown'>{shown}:</span> {_text(verdict.words(sides))}</li>"
                )
            else:
                items.append(f"<li>{_text(_ahead(claim, sides, day))}</li>")
    if not items:
        return ""
    return f"<h2>What the room saw</h2><ul>{''.join(items)}</ul>"


def _ahead(claim: Claim, sides: Sides, day: int) -> str:
    """A claim not checked yet, in words: what to look for and when."""
    side = sides.side(claim.side)
    than = "the other side" if claim.than == "other" else "before the change"
    when = (
        f"to be seen by day {day}"
        if day > sides.day
        else "not seen: the change was not made on this side"
    )
    return (
        f"By day {day}, {side.name} ({claim.side}): {KPIS[claim.kpi].title.lower()} "
        f"{claim.direction} than {than} ({when})"
    )


def _today(branch: Branch, kpi: str) -> tuple[float, float, float]:
    """The middle run and the band of a figure on the last day played."""
    middle, low, high = median_band(branch.series(kpi)[:, -1:])
    return float(middle[0]), float(low[0]), float(high[0])


def _band_words(kpi: Kpi, values: tuple[float, float, float]) -> str:
    """`` (most runs 240 to 270)``, or nothing for one run or no value yet."""
    band = _band_range(kpi, values)
    return f" (most runs {band})" if band else ""


def _band_range(kpi: Kpi, values: tuple[float, float, float]) -> str:
    """``240 to 270``: where most runs fall; empty for one run or no value yet."""
    _, low, high = values
    if not (math.isfinite(low) and math.isfinite(high)) or round(low) == round(high):
        return ""
    return f"{value_text(kpi, low)} to {value_text(kpi, high)}"


def _ticks(peak: float) -> list[float]:
    """Round values from 0 up past ``peak``, about four steps."""
    if peak <= 0:
        return [0.0, 1.0]
    raw = peak / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return [i * step for i in range(math.ceil(peak / step) + 1)]


def _axes(
    box: tuple[float, float, float, float],
    day: int,
    ticks: list[float],
    x: Callable[[np.ndarray], np.ndarray],
    y: Callable[[np.ndarray], np.ndarray],
) -> str:
    """Grid lines and tick labels: customers up the side, days along the bottom."""
    left, right, top, bottom = box
    out = []
    for tick in ticks:
        at = float(y(np.array([tick]))[0])
        out.append(
            f"<line x1='{left}' y1='{at:.1f}' x2='{right}' y2='{at:.1f}' stroke='#ddd'/>"
            f"<text x='{left - 6}' y='{at + 4:.1f}' font-size='11' text-anchor='end'>"
            f"{tick:,.0f}</text>"
        )
    step = max(1, _ticks(day)[1])
    for tick in np.arange(0, day + 1, step):
        at = float(x(np.array([tick]))[0])
        out.append(
            f"<text x='{at:.1f}' y='{bottom + 15}' font-size='11' text-anchor='middle'>"
            f"{tick:,.0f}</text>"
        )
    out.append(
        f"<line x1='{left}' y1='{bottom}' x2='{right}' y2='{bottom}' stroke='#444'/>"
        f"<text x='{(left + right) / 2:.0f}' y='{bottom + 30}' font-size='11' "
        "text-anchor='middle'>days</text>"
        f"<text x='12' y='{(top + bottom) / 2:.0f}' font-size='11' text-anchor='middle' "
        f"transform='rotate(-90 12 {(top + bottom) / 2:.0f})'>customers won</text>"
    )
    return "".join(out)


def _polyline(xs: np.ndarray, ys: np.ndarray, color: str, dash: str, width: float) -> str:
    pattern = DASHES.get(dash, "")
    dashed = f" stroke-dasharray='{pattern}'" if pattern else ""
    return (
        f"<polyline points='{_points(xs, ys)}' fill='none' stroke='{color}' "
        f"stroke-width='{width}'{dashed} stroke-linejoin='round'/>"
    )


def _points(xs: np.ndarray, ys: np.ndarray) -> str:
    return " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(xs, ys, strict=True))


def _spread(ends: list[list]) -> list[list]:
    """Line-end labels, top first, moved apart so that none overlaps the next."""
    ends = sorted(ends, key=lambda e: e[0])
    for above, below in zip(ends, ends[1:], strict=False):
        below[0] = max(below[0], above[0] + LABEL_GAP)
    return ends


def _text(words: str) -> str:
    return html.escape(str(words), quote=True)
