"""The scoreboard: big numbers per side, the side ahead marked, in HTML a projector can show.

Each row is a KPI of today: the median of each side's runs (its current course), and a
star and the word "ahead" on the better side (more customers, less cost of sale, as
the KPI says). Each side's column is headed by its swatch: its colour, its line style
and its marker, as on the charts.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.dashboard.kpis import KPIS
from sim.dashboard.plots import PLOTS, number_text
from sim.dashboard.sides import Side, median_band

HEADLINE = ("customers", "cost_of_sale")
"""The KPIs every scoreboard shows; a step adds the one it is about."""
AHEAD = "★ ahead"
AHEAD_HTML = f"<span class='touchpoint-ahead'>{AHEAD}</span>"


@dataclass(frozen=True)
class Score:
    """One KPI of today on both sides.

    Attributes:
        kpi: Its name.
        title: Its title in words.
        unit: Its unit in words.
        values: Each side's median today (NaN: not defined yet, e.g. no customer).
        bands: Each side's 10 to 90 % of runs today.
        leader: The index of the side ahead, or None (a tie, or not defined).
    """

    kpi: str
    title: str
    unit: str
    values: tuple[float, ...]
    bands: tuple[tuple[float, float], ...]
    leader: int | None


def step_kpis(step: Any) -> list[str]:
    """The scoreboard's KPIs for a story step: the headline two and the one the step is about.

    The step's first claim names it; without claims, the first line plot of the step that
    is not a headline KPI.
    """
    kpis = list(HEADLINE)
    claims = [c.kpi for c in getattr(step, "claims", None) or [] if c.kpi not in kpis]
    plotted = [PLOTS[p].kpi for p in step.plots if p in PLOTS and PLOTS[p].kind == "line"]
    extra = claims + [k for k in plotted if k not in kpis]
    return kpis + [k for k in extra[:1] if k in KPIS]


def scores(sides: Any, kpis: list[str]) -> list[Score]:
    """Today's scores of both sides for each KPI."""
    return [_score(kpi, list(sides)) for kpi in kpis]


def _score(kpi: str, views: list[Side]) -> Score:
    values, bands = [], []
    for view in views:
        today = np.asarray(view.branches[-1].series(kpi), dtype=float)[:, -1:]
        middle, low, high = median_band(today)
        values.append(float(middle[0]))
        bands.append((float(low[0]), float(high[0])))
    declared = KPIS[kpi]
    return Score(
        kpi, declared.title, declared.unit, tuple(values), tuple(bands), _leader(values, declared)
    )


def _leader(values: list[float], declared: Any) -> int | None:
    if len(values) != 2 or not all(math.isfinite(v) for v in values):
        return None
    if round(values[0]) == round(values[1]):
        return None
    better = max if declared.better == "more" else min
    return values.index(better(values))


def swatch(view: Side, size: int = 40) -> str:
    """An inline SVG of the side's look on the charts: colour, line style and marker."""
    dash = "" if view.dash == "solid" else " stroke-dasharray='7 4'"
    end = size - 8
    marker = (
        f"<circle cx='{end}' cy='8' r='6' fill='{view.color}'/>"
        if view.symbol == "circle"
        else f"<rect x='{end - 6}' y='2' width='12' height='12' fill='{view.color}'/>"
    )
    return (
        f"<svg class='touchpoint-swatch' width='{size + 2}' height='16' aria-hidden='true'>"
        f"<line x1='1' y1='8' x2='{end}' y2='8' stroke='{view.color}' stroke-width='4'{dash}/>"
        f"{marker}</svg>"
    )


def side_heading(side: Side) -> str:
    """``[swatch] Left: touchpoint management`` in the side's colour."""
    return (
        f"<span class='touchpoint-side' style='color:{side.color}'>{swatch(side)}"
        f"<span>{side.which.capitalize()}: {html.escape(side.name)}</span></span>"
    )


def scoreboard_html(sides: Any, kpis: list[str], bands: bool = False) -> str:
    """The scoreboard as an HTML table, a column per side.

    Args:
        sides: Both sides.
        kpis: The KPIs to show, in order.
        bands: The debrief's table: a row per KPI, its title beside the numbers, and the
            range most runs fall in under each. Else a KPI's title above its numbers.
    """
    head = "".join(f"<th>{side_heading(side)}</th>" for side in sides)
    rows = []
    for score in scores(sides, kpis):
        cells = "".join(_cell(score, index, bands) for index in range(len(score.values)))
        title = (
            f"{html.escape(score.title)} "
            f"<span class='touchpoint-unit'>{html.escape(score.unit)}</span>"
        )
        if bands:
            rows.append(f"<tr class='touchpoint-kpi'><th scope='row'>{title}</th>{cells}</tr>")
        else:
            rows.append(
                f"<tr class='touchpoint-kpi'><th colspan='{len(score.values)}' "
                f"scope='colgroup'>{title}</th></tr><tr>{cells}</tr>"
            )
    corner = "<th></th>" if bands else ""
    wide = " wide" if bands else ""
    return (
        f"<table class='touchpoint-scoreboard{wide}'><thead><tr>{corner}{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _cell(score: Score, index: int, bands: bool) -> str:
    """A side's number, the star if it is ahead, and (``bands``) where most runs fall."""
    ahead = AHEAD_HTML if score.leader == index else ""
    low, high = score.bands[index]
    spread = (
        f"<span class='touchpoint-band'>most runs {number_text(low)} to {number_text(high)}</span>"
        if bands and math.isfinite(low) and low != high
        else ""
    )
    return (
        f"<td><span class='touchpoint-number'>{number_text(score.values[index])}</span>"
        f"{ahead}{spread}</td>"
    )


def story_kpis(story: Any) -> list[str]:
    """The debrief's KPIs: the headline two and every one the story's steps claim."""
    kpis = list(HEADLINE)
    for step in story.steps:
        kpis += [c.kpi for c in step.claims if c.kpi not in kpis]
    return kpis
