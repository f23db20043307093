"""One look for every figure and table: colours, figure sizes, number formats.

Figures are built as ``matplotlib.figure.Figure`` without pyplot, so they are
safe to draw from a dashboard's threads and never pile up in pyplot's state.
A scenario keeps its colour everywhere: the colour its file declares
(``color: "#rrggbb"``; the shipped strategies each declare one), else the next
free palette colour in the order the scenarios were given, never an
alphabetical sort.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from matplotlib import colormaps
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from sim.scenario.vocabulary import STAGES

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

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
            "#756bb1",
        ),
        strict=True,
    )
)
"""One colour per journey stage, used by every figure that shows stages."""

SCENARIO_PALETTE = colormaps["tab10"].colors
OKABE_ITO = {
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
    "black": "#000000",
}
"""Okabe and Ito's palette, told apart under every common colour-vision deficiency
(Okabe & Ito, “Color Universal Design”, 2008): the dashboard's sides and stages."""
SOURCE_PALETTE = colormaps["tab20"].colors


Declared = Mapping[str, str | None] | None
"""The colours scenarios declare (``Scenario.color``), by scenario name."""


def scenario_colors(names: Sequence[str], declared: Declared = None) -> dict[str, object]:
    """A colour per scenario: the declared one, else palette colours by order.

    Args:
        names: The scenarios, in the order given (baseline first).
        declared: Colours the scenarios declare (``Scenario.color``), by name.
    """
    declared = {n: c for n, c in (declared or {}).items() if c and n in names}
    firsts: dict[str, str] = {}
    for name in names:  # a colour two scenarios declare (say, by extends) goes to the first
        if name in declared:
            firsts.setdefault(to_hex(declared[name]), name)
    declared = {firsts[to_hex(c)]: c for c in declared.values()}
    taken = set(firsts)
    free = [c for c in SCENARIO_PALETTE if to_hex(c) not in taken] or list(SCENARIO_PALETTE)
    undeclared = [n for n in names if n not in declared]
    return {
        **{n: free[i % len(free)] for i, n in enumerate(undeclared)},
        **declared,
    }


def colors_of(scenarios: Sequence[Scenario]) -> dict[str, object]:
    """:func:`scenario_colors` of scenario objects."""
    return scenario_colors([s.name for s in scenarios], {s.name: s.color for s in scenarios})


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
