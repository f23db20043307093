"""A story rehearsed as a trainer tells it, every claim checked on the day it names.

Each step's levers are pulled, in order, on the day the step starts; the sides then play
to each claim's day and to the step's pause (the last step: to the end). A claim holds
on the median and in nine runs of ten (:mod:`sim.dashboard.claims`);
``tests/test_story_claims.py`` rehearses every shipped story over 30 seeds.
"""

from __future__ import annotations

from sim.dashboard.claims import Verdict, check
from sim.dashboard.sides import SIDES
from sim.dashboard.stories import Told, story_sides


def rehearse(told: Told, replications: int | None = None) -> list[Verdict]:
    """Play a story as a trainer would and check every claim of every step."""
    sides = story_sides(told, replications)
    verdicts = []
    for step in told.story.steps:
        for pull in step.levers:
            for which in SIDES if pull.side == "both" else (pull.side,):
                sides.side(which).pull(pull.lever, pull.value)
        stop = step.pause_day or sides.horizon
        for claim in sorted(step.claims, key=lambda c: c.by or stop):
            sides.step((claim.by or stop) - sides.day)
            verdict = check(claim, sides)
            assert verdict is not None  # load_story checked its day and its lever
            verdicts.append(verdict)
        sides.step(stop - sides.day)
    return verdicts
