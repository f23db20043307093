"""The plots a room can see, declared once: title, axis, and the numbers of each side.

A plot over the days draws each side's current course as the median of its runs, with
a light band where most runs fall (10 to 90 %), and the courses it had before each
lever dotted and thinner; a label at each line's end names the side and today's value.
The sides differ by colour (Okabe–Ito blue and orange), line style and marker, so a
colour-blind trainee tells them apart. The funnel and the spend are horizontal bars,
numbers on them. The layout is built once per chart (:func:`figure_layout`); a frame
(:func:`chart_frame`) sends only numbers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.dashboard.kpis import KPIS
from sim.dashboard.livechart import LiveChart
from sim.dashboard.sides import median_band

FONT_SIZE = 18
"""Axis text in px on a 1080-pixel-high screen; the page scales it to the window."""
TITLE_SIZE = 22
LABEL_CHARACTERS = 60
"""About how many characters of label text a chart's width holds (its font follows the
window's height, its width the window's width): a label goes right of its line's end
if the days still to come leave it room, else left."""
LABELS_FLOOR = 0.15
"""A label below its line's end needs the end this high (share of the chart's top)."""
OPPOSITE = {"top": "bottom", "bottom": "top", "middle": "top"}
"""Where an earlier course's label goes, given where its side's current label is."""
BAND_OPACITY = 0.18
"""How strongly the band where most runs fall is tinted with the side's colour."""
SPEND_SOURCES = 6
"""The spend view names this many sources, the largest; the rest are summed."""
PATTERN = {"solid": "", "dash": "/"}
"""A bar's fill pattern per side's line style: the right side's bars are hatched."""


@dataclass(frozen=True)
class Plot:
    """A plot: its title, its y axis in words, and what it draws.

    Attributes:
        name: The key stories use.
        title: What the room reads above it.
        unit: The value axis, in words with its unit.
        kind: ``line`` (a KPI over the days), ``funnel``, ``spend`` or ``mechanism``.
        kpi: The KPI a line plot draws.
    """

    name: str
    title: str
    unit: str
    kind: str = "line"
    kpi: str = ""


PLOTS: dict[str, Plot] = {
    **{kpi.name: Plot(kpi.name, kpi.title, kpi.unit, kpi=kpi.name) for kpi in KPIS.values()},
    "funnel": Plot("funnel", "How far prospects got, to date", "prospects", kind="funnel"),
    "spend": Plot("spend", "Spend by source, to date", "currency", kind="spend"),
    "prospects": Plot("prospects", "The prospects themselves", "", kind="mechanism"),
}
"""Every plot, by the name stories use, in the order free play offers them."""

SETTLING = ("cost_of_sale",)
"""Plots whose early days swing wide (a few customers so far): the y axis follows where
the medians settled, and the first weeks' spikes run off its top."""
SETTLED_HEADROOM = 1.6
"""The y axis of a settling plot reaches this many times the highest settled median."""

DEFAULT_PLOTS = ("customers", "cost_of_sale", "funnel", "spend")
MAX_PLOTS = 4


def chart_widget(name: str) -> Any:
    """The chart of a plot, its layout set once; frames come from :func:`chart_frame`."""
    if PLOTS[name].kind == "mechanism":
        from sim.dashboard.mechanism_view import MechanismView

        return MechanismView(height=0)  # as tall as its cell in the grid
    return LiveChart(plot=name, figure_layout=figure_layout(PLOTS[name]))


def chart_frame(name: str, sides: Any, revision: int) -> dict:
    """Today's numbers of a plot for both sides: what a chart's ``frame`` is set to."""
    plot = PLOTS[name]
    if plot.kind == "mechanism":
        return _mechanism(sides, revision)
    data = traces(plot, sides)
    frame = {"day": int(sides.day), "revision": revision, "traces": data}
    if plot.kind == "line":
        frame["x_range"] = [0, int(sides.horizon)]
        if plot.name in SETTLING:
            frame["y_range"] = _settled_range(data)
    else:
        widest = max((_reach(t) for t in data), default=0.0)
        frame["x_range"] = [0, round(widest * 1.3, 2) or 1]
    return frame


def _settled_range(data: list[dict]) -> list[float]:
    """From 0 to well above where the medians settled (their later half); early spikes clip."""
    settled = [
        y
        for trace in data
        if trace.get("mode") == "lines" and trace["line"].get("width")
        for y in trace["y"][len(trace["y"]) // 2 :]
        if y is not None
    ]
    return [0, round(max(settled, default=0.0) * SETTLED_HEADROOM, 2) or 1]


def watched_side(sides: Any) -> Any:
    """The side the mechanism view shows: the one whose lever was pulled last (else right)."""
    left, right = sides
    return left if left.current.start > right.current.start else right


def _mechanism(sides: Any, revision: int) -> dict:
    """The prospects of the watched side's current course, its story seed's run."""
    from sim.dashboard.mechanism import mechanism_frame

    side = watched_side(sides)
    frame = mechanism_frame(side.current.model)
    return {**frame, "revision": revision, "side": side.which, "name": side.name}


def _reach(trace: dict) -> float:
    """The largest x a bar or label trace reaches (0 if none)."""
    values = [v for v in trace.get("x", []) if isinstance(v, int | float)]
    return max(values, default=0.0)


def figure_layout(plot: Plot) -> dict:
    """The Plotly layout of a plot: fonts for a room, axes from zero, built once per chart."""
    axis = {
        "tickfont": {"size": FONT_SIZE},
        "gridcolor": "#e5e5e5",
        "automargin": True,
        "zeroline": True,
        "zerolinecolor": "#999999",
    }
    layout: dict[str, Any] = {
        "title": {"text": plot.title, "font": {"size": TITLE_SIZE}, "x": 0.01, "y": 0.98},
        "font": {"size": FONT_SIZE, "family": "system-ui, sans-serif"},
        "margin": {"l": 10, "r": 16, "t": 40, "b": 10},
        "hoverlabel": {"font": {"size": FONT_SIZE}},
        "showlegend": False,
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "uirevision": plot.name,
    }
    if plot.kind == "line":
        layout["hovermode"] = "x unified"
        layout["xaxis"] = {
            **axis,
            "title": {"text": "day", "font": {"size": FONT_SIZE}, "standoff": 2},
            "rangemode": "tozero",
        }
        layout["yaxis"] = {
            **axis,
            "title": {"text": plot.unit, "font": {"size": FONT_SIZE - 2}},
            "rangemode": "tozero",
            "separatethousands": True,
        }
    else:
        layout["hovermode"] = "closest"
        layout["barmode"] = "group"
        layout["bargap"] = 0.25
        layout["xaxis"] = {
            **axis,
            "title": {"text": plot.unit, "font": {"size": FONT_SIZE - 2}, "standoff": 2},
            "rangemode": "tozero",
            "separatethousands": True,
        }
        layout["yaxis"] = {**axis, "autorange": "reversed", "type": "category"}
    return layout


def traces(plot: Plot, sides: Any) -> list[dict]:
    """The plot's traces for both sides: numbers only, ready to send."""
    views = list(sides)
    if plot.kind == "funnel":
        return _funnel(views)
    if plot.kind == "spend":
        return _spend(views)
    return _lines(plot.kpi, views, int(sides.day), int(sides.horizon))


def _lines(kpi: str, views: list[Any], day: int, horizon: int) -> list[dict]:
    """Per side: earlier courses dotted, the band, the median, and a label at each line's end."""
    out: list[dict] = []
    ends: list[tuple[Any, float, str]] = []
    for view in views:
        for branch in view.branches[:-1]:
            middle = _summary(branch, kpi)[0]
            out.append(_line(middle, view, "dot", 2.5, f"{view.name}: {branch.label}"))
            ends.append((view, _last(middle), branch.label))
        middle, low, high = _summary(view.branches[-1], kpi)
        if not np.array_equal(low, high, equal_nan=True):  # one run: no band
            out.append(_band(low, view, fill=False))
            out.append(_band(high, view, fill=True))
        out.append(_line(middle, view, view.dash, 4, view.name))
        ends.append((view, _last(middle), ""))
    current = [
        (value if math.isfinite(value) else -math.inf) for _, value, label in ends if not label
    ]
    leader = current.index(max(current)) if current else 0
    top = max((y for t in out for y in t["y"] if y is not None), default=0.0)
    placed = {}
    for view, value, label in ends:
        if label:
            continue
        vertical = "top" if views.index(view) == leader else "bottom"
        if vertical == "bottom" and not value > LABELS_FLOOR * top:
            vertical = "middle"  # below it would sit on the day axis
        placed[view.name] = vertical
    for view, value, label in ends:  # an earlier course's label: across from the side's own
        vertical = placed[view.name] if not label else OPPOSITE[placed[view.name]]
        out.append(_end_label(view, day, horizon, value, label, vertical))
    return out


def _summary(branch: Any, kpi: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A course's median and band per day: kept by the course if it keeps them."""
    if hasattr(branch, "summary"):
        return branch.summary(kpi)
    return median_band(np.asarray(branch.series(kpi), dtype=float))


def _line(values: np.ndarray, view: Any, dash: str, width: float, name: str) -> dict:
    return {
        "type": "scatter",
        "mode": "lines",
        "name": name,
        "x0": 0,
        "dx": 1,
        "y": _numbers(values),
        "line": {"color": view.color, "dash": dash, "width": width},
        "hovertemplate": "%{y:,.0f}",
    }


def _band(values: np.ndarray, view: Any, fill: bool) -> dict:
    """An edge of the band; the upper edge fills down to the lower (the trace before it)."""
    trace = {
        "type": "scatter",
        "mode": "lines",
        "name": f"{view.name}: most runs",
        "x0": 0,
        "dx": 1,
        "y": _numbers(values),
        "line": {"width": 0, "color": view.color},
        "hoverinfo": "skip",
        "showlegend": False,
    }
    if fill:
        trace["fill"] = "tonexty"
        trace["fillcolor"] = _rgba(view.color, BAND_OPACITY)
    return trace


def _end_label(view: Any, day: int, horizon: int, value: float, label: str, vertical: str) -> dict:
    """The side's name and today's value at its line's end (an earlier course: its label).

    Right of the end while the days to come leave the text room, else left of it.
    """
    known = math.isfinite(value)
    text = label or (f"{view.name} {number_text(value)}" if known else view.name)
    room = (horizon - day) / horizon if horizon else 0.0
    side = "right" if room * LABEL_CHARACTERS >= len(text) + 2 else "left"
    return {
        "type": "scatter",
        "mode": "markers+text" if not label else "text",
        "x": [day],
        "y": [round(value, 2) if known else 0],
        "text": [text],
        "textposition": f"{vertical} {side}",
        "textfont": {"color": view.color, "size": FONT_SIZE if not label else FONT_SIZE - 4},
        "marker": {"color": view.color, "symbol": view.symbol, "size": 12},
        "cliponaxis": False,
        "hoverinfo": "skip",
        "showlegend": False,
    }


def _funnel(views: list[Any]) -> list[dict]:
    """Prospects who reached each stage to date: a bar per stage and side, numbers on them."""
    reached = [view.branches[-1].funnel() for view in views]
    stages = list(reached[0])
    values = [[float(np.median(side[stage])) for stage in stages] for side in reached]
    return _bars(views, stages, values)


def _spend(views: list[Any]) -> list[dict]:
    """Spend to date by source, largest first, both sides a bar each; the total on top.

    The smallest sources beyond :data:`SPEND_SOURCES` are summed as "other sources".
    """
    spent = [
        {source: float(np.median(runs)) for source, runs in view.branches[-1].spend().items()}
        for view in views
    ]
    sources = sorted(
        {s for side in spent for s in side if side[s] > 0},
        key=lambda s: -sum(side.get(s, 0.0) for side in spent),
    )
    shown, rest = sources[:SPEND_SOURCES], sources[SPEND_SOURCES:]
    categories = ["total", *shown] + (["other sources"] if rest else [])
    values = [
        [sum(side.values())]
        + [side.get(s, 0.0) for s in shown]
        + ([sum(side.get(s, 0.0) for s in rest)] if rest else [])
        for side in spent
    ]
    return _bars(views, categories, values)


def _bars(views: list[Any], categories: list[str], values: list[list[float]]) -> list[dict]:
    """Horizontal bars, a trace per side (its colour, the right one hatched), numbers at the end."""
    return [
        {
            "type": "bar",
            "orientation": "h",
            "name": view.name,
            "y": categories,
            "x": _numbers(side),
            "text": [f"{v:,.0f}" for v in side],
            "textposition": "outside",
            "constraintext": "none",
            "textfont": {"size": FONT_SIZE - 2, "color": "#222222"},
            "cliponaxis": False,
            "marker": {
                "color": view.color,
                "line": {"color": view.color, "width": 1},
                "pattern": {
                    "shape": PATTERN.get(view.dash, ""),
                    "fgcolor": "#ffffff",
                    "bgcolor": view.color,
                    "solidity": 0.3,
                },
            },
            "hovertemplate": f"{view.name}<br>%{{y}}: %{{x:,.0f}}<extra></extra>",
        }
        for view, side in zip(views, values, strict=True)
    ]


def number_text(value: float) -> str:
    """A number for the room in at most six characters: ``1,234``, ``786k``, ``7.86M``.

    ``—`` when not defined yet (no customer, no cost of sale).
    """
    if not math.isfinite(value):
        return "—"
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.2f}M"
    if abs(value) >= 1e5:
        return f"{value / 1e3:,.0f}k"
    return f"{value:,.0f}"


def _last(values: np.ndarray) -> float:
    return float(values[-1]) if len(values) else math.nan


def _rgba(color: str, alpha: float) -> str:
    """``#rrggbb`` as a CSS ``rgba()`` with ``alpha``."""
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def _numbers(values: Iterable[float]) -> list[float | None]:
    """Floats rounded for the wire; NaN (undefined so far) as a gap."""
    return [round(float(v), 2) if math.isfinite(v) else None for v in values]
