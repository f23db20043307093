"""The plots a room can see, declared once: title, axis, and the numbers of each side.

Each plot turns the two sides into Plotly traces (plain lists of numbers). Lines run
over the days, one colour per side; the course a side had before its last lever
stays beside it, dotted, in the same colour. The layout is built once per chart
(:func:`figure_layout`); a frame sends only the traces.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.dashboard.sides import Course, Side
from sim.model.daily import (
    NEW_CUSTOMERS,
    SPEND_PREFIX,
    spend_label,
    stage_column,
)
from sim.outputs.run_figures import cumulative_cost_of_sale
from sim.scenario.vocabulary import JOURNEY_STAGES

FONT_SIZE = 22
"""Axis and legend text, in px: readable from the back of a room."""
TITLE_SIZE = 28
CHART_HEIGHT = 430

LOST_TO_COMPETITOR = stage_column("lost_to_competitor")


@dataclass(frozen=True)
class Plot:
    """A plot: its title, the y axis, and how a course becomes numbers.

    Attributes:
        name: The key stories use.
        title: What the room reads above it.
        unit: The y axis.
        line: For a plot over the days: ``course -> one value per day``.
        bars: For a plot of today: ``course -> {category: value}``.
        log: A logarithmic y axis (counts from thousands down to a few).
    """

    name: str
    title: str
    unit: str
    line: Callable[[Course], np.ndarray] | None = None
    bars: Callable[[Course], dict[str, float]] | None = None
    log: bool = False


def _funnel(course: Course) -> dict[str, float]:
    today = course.daily.iloc[-1]
    return {
        stage.replace("_", " "): float(today[stage_column(stage)]) for stage in JOURNEY_STAGES[1:]
    }


def _spend(course: Course) -> dict[str, float]:
    spent = course.daily.filter(like=SPEND_PREFIX, axis=1).sum()
    return {spend_label(column): float(value) for column, value in spent.items()}


PLOTS: dict[str, Plot] = {
    plot.name: plot
    for plot in (
        Plot(
            "cost_of_sale",
            "Cost of sale to date",
            "currency per new customer",
            line=lambda c: cumulative_cost_of_sale(c.daily).to_numpy(),
        ),
        Plot(
            "customers",
            "Customers won",
            "customers to date",
            line=lambda c: c.daily[NEW_CUSTOMERS].cumsum().to_numpy(),
        ),
        Plot("funnel", "The funnel today", "prospects (log scale)", bars=_funnel, log=True),
        Plot("spend", "Spend by source to date", "currency", bars=_spend),
        Plot("referrals", "Customers won by referral", "to date", line=lambda c: c.referred),
        Plot(
            "lost_to_competitors",
            "Lost to competitors",
            "prospects to date",
            line=lambda c: c.daily[LOST_TO_COMPETITOR].to_numpy(),
        ),
    )
}
"""Every plot, by the name stories use, in the order free play offers them."""

DEFAULT_PLOTS = ("cost_of_sale", "customers", "funnel", "lost_to_competitors")
MAX_PLOTS = 4


def figure_layout(plot: Plot) -> dict:
    """The Plotly layout of a plot: big fonts, hover values, built once per chart."""
    axis = {"tickfont": {"size": FONT_SIZE}, "gridcolor": "#e5e5e5", "automargin": True}
    return {
        "title": {"text": plot.title, "font": {"size": TITLE_SIZE}, "x": 0.02},
        "font": {"size": FONT_SIZE, "family": "system-ui, sans-serif"},
        "height": CHART_HEIGHT,
        "margin": {"l": 20, "r": 20, "t": 60, "b": 20},
        "hovermode": "x unified" if plot.line else "closest",
        "hoverlabel": {"font": {"size": FONT_SIZE}},
        "showlegend": True,
        "legend": {"orientation": "h", "y": -0.12, "font": {"size": FONT_SIZE - 2}},
        "xaxis": {**axis, "ticksuffix": "" if plot.bars else " d"},
        "yaxis": {
            **axis,
            "title": {"text": plot.unit, "font": {"size": FONT_SIZE - 4}},
            "type": "log" if plot.log else "linear",
        },
        "barmode": "group",
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "uirevision": plot.name,
    }


def traces(plot: Plot, sides: Iterable[Side]) -> list[dict]:
    """The plot's traces for both sides: numbers only, ready to send."""
    out: list[dict] = []
    for side in sides:
        if plot.line is not None:
            if side.before is not None:
                out.append(_line(plot, side.before, side.color, side.before.label, "dot"))
            out.append(_line(plot, side.course(), side.color, side.name, "solid"))
        else:
            assert plot.bars is not None
            values = plot.bars(side.course())
            out.append(
                {
                    "type": "bar",
                    "name": side.name,
                    "x": list(values),
                    "y": _numbers(values.values()),
                    "marker": {"color": side.color},
                }
            )
    return out


def _line(plot: Plot, course: Course, color: str, name: str, dash: str) -> dict:
    assert plot.line is not None
    return {
        "type": "scatter",
        "mode": "lines",
        "name": name,
        "x0": 0,
        "dx": 1,
        "y": _numbers(plot.line(course)),
        "line": {"color": color, "dash": dash, "width": 5 if dash == "solid" else 3},
    }


def _numbers(values: Iterable[float] | pd.Series) -> list[float | None]:
    """Floats rounded for the wire; NaN (undefined so far) as a gap."""
    return [round(float(v), 2) if math.isfinite(v) else None for v in values]
