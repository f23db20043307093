"""Claims: the effect each story step shows, as data, checked on the ensemble.

A step states what the room should see (which side, which figure, which way, against
what, by when): "by day 365 the right side has fewer customers than before care was
switched off". A claim holds when the median of the runs shows it and at least
:data:`SINGLE_SEED_SHARE` of the single runs do too, so a trainer never shows an effect
that one seed in three contradicts. A story's claims are checked as a trainer tells it by
:func:`sim.dashboard.rehearsal.rehearse`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from sim.dashboard.kpis import KPIS

if TYPE_CHECKING:
    from sim.dashboard.sides import Side, Sides

SINGLE_SEED_SHARE = 0.9
"""The share of single runs that must show a claim (and the median must)."""

KpiName = Literal[tuple(KPIS)]


class Claim(BaseModel):
    """An effect a step shows: ``side``'s ``kpi`` is ``direction`` than ``than``, by day ``by``.

    ``than: other`` compares with the other side's current course; ``than: before``
    with the side's own course before the step's last lever.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)

    side: Literal["left", "right"] = Field(description="The side the claim is about.")
    kpi: KpiName = Field(description="The figure (see sim/dashboard/kpis.py).")
    direction: Literal["more", "less"] = Field(description="Which way it differs.")
    than: Literal["other", "before"] = Field("other", description="Against what.")
    by: Annotated[int, Field(ge=1, le=3650)] | None = Field(
        None, description="The day it must show by (default: the step's pause, or the end)."
    )


@dataclass(frozen=True)
class Verdict:
    """A claim checked on one day: the medians compared and the share of runs that agree."""

    claim: Claim
    day: int
    median: float
    against: float
    share: float

    @property
    def holds(self) -> bool:
        """The median shows it and enough single runs do."""
        return agrees(self.claim, self.median, self.against) and self.share >= SINGLE_SEED_SHARE

    def words(self, sides: Sides | None = None) -> str:
        """The claim in a trainee's words, with what the runs showed."""
        claim, kpi = self.claim, KPIS[self.claim.kpi]
        who = claim.side if sides is None else f"{sides.side(claim.side).name} ({claim.side})"
        way = "more" if claim.direction == "more" else "less"
        than = "the other side" if claim.than == "other" else "before the change"
        runs = round(self.share * 100)
        return (
            f"By day {self.day}, {who}: {kpi.title.lower()} {way} than {than} "
            f"({self.median:,.0f} against {self.against:,.0f}; so in {runs}% of the runs)"
        )


def agrees(claim: Claim, value: np.ndarray | float, against: np.ndarray | float) -> np.ndarray:
    """Whether ``value`` differs from ``against`` the way the claim says (strictly)."""
    with np.errstate(invalid="ignore"):
        return np.asarray(value > against if claim.direction == "more" else value < against)


def check(claim: Claim, sides: Sides, day: int | None = None) -> Verdict | None:
    """The claim on ``day`` (default: today), on the courses the sides were on that day.

    The side's course against the other side's, or against its own course before the
    last lever pulled by then (a lever pulled on day t acts from day t + 1).

    Returns:
        None if it cannot be checked: the day is still ahead, or no lever had been
        pulled on the side by then for a claim against "before".
    """
    day = sides.day if day is None else day
    if day > sides.day:
        return None
    side = sides.side(claim.side)
    course = course_on(side, day)
    if claim.than == "other":
        other = sides.side("right" if claim.side == "left" else "left")
        against_course = course_on(other, day)
    elif course > 0:
        against_course, other = course - 1, side
    else:
        return None
    value = side.branches[course].series(claim.kpi)[:, day]
    against = other.branches[against_course].series(claim.kpi)[:, day]
    agree = agrees(claim, value, against) & np.isfinite(value) & np.isfinite(against)
    return Verdict(claim, day, _median(value), _median(against), float(agree.mean()))


def course_on(side: Side, day: int) -> int:
    """The index of the course a side was on during day ``day`` (its last fork before it)."""
    return max(i for i, branch in enumerate(side.branches) if branch.start < day or i == 0)


def _median(values: np.ndarray) -> float:
    return float(np.nanmedian(values)) if np.isfinite(values).any() else np.nan
