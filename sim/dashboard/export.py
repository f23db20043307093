"""The comparison a room has been watching, as the report ``compare`` writes.

Both sides as they stand (levers pulled included) run ``replications`` times on common
random numbers; the page is built by the same function as ``run.py compare``'s
``report.html`` (:func:`sim.outputs.writers.comparison_page`), the levers listed in its notes.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sim.dashboard.levers import LEVERS
from sim.dashboard.sides import Side, Sides
from sim.experiments.compare import compare
from sim.outputs.writers import METHOD_NOTES, comparison_figures, comparison_page

REPLICATIONS = 10
"""Runs of each side in an exported report."""


def report_html(sides: Sides, replications: int = REPLICATIONS) -> str:
    """The self-contained ``report.html`` of the two sides as they stand now."""
    with sides.lock:
        scenarios = [side.scenario for side in sides]
        levers = [_levers_text(side) for side in sides]
    result = compare(scenarios, replications, sides.seed, workers=1, progress=False)
    summary = result.summary()
    figures = comparison_figures(result, summary)
    notes = [
        f"Exported from the dashboard: {scenarios[0].name} (baseline) against "
        f"{scenarios[1].name}, {scenarios[0].population.size:,} prospects.",
        f"{replications} replications each on common random numbers (master seed "
        f"{sides.seed}): replication k of both sides meets the same prospects.",
        *levers,
        *METHOD_NOTES,
        f"Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        *(f"Warning: {w}" for w in result.warnings()),
    ]
    return comparison_page(summary, figures, notes)


def _levers_text(side: Side) -> str:
    """The levers pulled on a side, in words."""
    pulled = [LEVERS[name].text(value) for name, value in side.pulled.items()]
    return f"Levers pulled on {side.name}: " + (
        "; ".join(pulled) if pulled else "none (as shipped)"
    )
