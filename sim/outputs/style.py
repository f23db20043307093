"""One look for every figure and table: colours, figure sizes, number formats.

Figures are built as ``matplotlib.figure.Figure`` without pyplot, so they are
safe to draw from a dashboard's threads and never pile up in pyplot's state.
A scenario keeps its colour in every figure of a report: colours follow the
order in which the scenarios were given, never an alphabetical sort.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from matplotlib import colormaps
from matplotlib.figure import Figure

from sim.scenario.vocabulary import STAGES

STAGE_COLORS = dict(
    zip(
        STAGES,
        (
            "#c7c7c7",
            "#9ecae1",
            "#4292c6",
            "#08519c",
            "#fd8d3c",
            "#31a354",
            "#006d2c",
            "#969696",
            "#636363",
            "#de2d26",
        ),
        strict=True,
    )
)
"""One colour per journey stage, used by every figure that shows stages."""

SCENARIO_PALETTE = colormaps["tab10"].colors
SOURCE_PALETTE = colormaps["tab20"].colors


def scenario_colors(names: Sequence[str]) -> dict[str, tuple[float, float, float]]:
    """A colour per scenario, by the order the scenarios were given (baseline first)."""
    return {name: SCENARIO_PALETTE[i % len(SCENARIO_PALETTE)] for i, name in enumerate(names)}


def source_colors(names: Sequence[str]) -> dict[str, tuple[float, float, float]]:
    """A colour per spend or touch source, by the order given."""
    return {name: SOURCE_PALETTE[i % len(SOURCE_PALETTE)] for i, name in enumerate(names)}


def figure(width: float, height: float) -> Figure:
    """An empty figure with the house layout (constrained)."""
    return Figure(figsize=(width, height), layout="constrained")


def wrap_label(name: str) -> str:
    """A scenario name for an axis tick: one word a line."""
    return name.replace("_", "\n")


def format_value(value: float | None) -> str:
    """A KPI value for a table: undefined as 'n/a', big numbers with separators."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"
