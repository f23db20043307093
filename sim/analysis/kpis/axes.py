"""What families of KPIs expand over: touch sources, channels, stages, transitions, dimensions."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from sim.analysis.kpis.declaration import Axis
from sim.scenario.vocabulary import (
    DIMENSIONS,
    JOURNEY_STAGES,
    OPPORTUNITY_STAGES,
    SHARED_SOURCES,
    STAGES,
)

UNATTRIBUTED = frozenset({"reviews"})
"""Sources with no spend of their own: no acquisition cost per customer."""

TRANSITIONS = {f"{a}_to_{b}": (a, b) for a, b in pairwise(JOURNEY_STAGES)}
"""Steps of the journey whose conversion rates are reported, by name."""

EXITS = STAGES[len(JOURNEY_STAGES) :]
"""The stages that leave the journey: lost, disqualified, churned, lost to a competitor."""


def channel_names(sources: Sequence[str]) -> list[str]:
    """The marketing channels among the touch sources."""
    return [s for s in sources if s not in SHARED_SOURCES]


SOURCE = Axis(
    "<source>",
    f"every touch source: the enabled channels, then {', '.join(SHARED_SOURCES)}",
    list,
)
PAID_SOURCE = Axis(
    "<paid_source>",
    f"every touch source but {', '.join(sorted(UNATTRIBUTED))} (no spend of its own)",
    lambda sources: [s for s in sources if s not in UNATTRIBUTED],
)
CHANNEL = Axis("<channel>", "every enabled marketing channel", channel_names)
JOURNEY_STAGE = Axis(
    "<stage>",
    f"every stage of the journey: {', '.join(JOURNEY_STAGES)}",
    lambda _: JOURNEY_STAGES,
    fixed=True,
)
EXIT = Axis("<exit>", f"every exit: {', '.join(EXITS)}", lambda _: EXITS, fixed=True)
TRANSITION = Axis(
    "<a>_to_<b>",
    f"every step of the journey: {', '.join(TRANSITIONS)}",
    lambda _: list(TRANSITIONS),
    fixed=True,
)
DIMENSION = Axis(
    "<dimension>",
    f"every trust dimension: {', '.join(DIMENSIONS)}",
    lambda _: DIMENSIONS,
    fixed=True,
)
DEAL_STAGE = Axis(
    "<deal_stage>",
    f"every stage of an opportunity: {', '.join(OPPORTUNITY_STAGES)}",
    lambda _: OPPORTUNITY_STAGES,
    fixed=True,
)
