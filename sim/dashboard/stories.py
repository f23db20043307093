"""Stories: the training sessions a trainer picks, as YAML data validated like scenarios.

A story names two scenario files from the scenario tree (the sides, run on the same
prospects with one seed) and its steps: a caption, an optional day to pause at, at most
four plots, and the levers the caption names, each a button. A bad story is refused
with one line naming the file (and line), the field and the value: unknown keys, a
side outside the scenario tree, more than four plots, a lever value the lever or the
scenario refuses, NaN.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.dashboard.claims import Claim
from sim.dashboard.levers import LEVERS
from sim.dashboard.plots import MAX_PLOTS, PLOTS
from sim.dashboard.sides import REPLICATIONS, SIDES, Sides
from sim.scenario.errors import ScenarioError
from sim.scenario.files import named_file
from sim.scenario.loading import SUFFIXES, TREE, load_scenario, scenario_tree, with_overrides
from sim.scenario.messages import describe
from sim.scenario.schema import Scenario
from sim.scenario.shipped import shipped_scenarios, shipped_stories
from sim.scenario.yaml12 import read_mapping, value_lines

SCENARIO_DIR = shipped_scenarios()
"""The shipped scenario tree (a clone's ``scenarios/``, or the installed package's copy)."""
STORIES_ENV = "TOUCHPOINT_DASHBOARD_STORIES"
"""Environment variable through which ``run.py dashboard --stories`` passes its folder."""
FILE_ENV = "TOUCHPOINT_DASHBOARD_FILE"
"""Environment variable through which ``run.py dashboard FILE`` offers its file first."""

LeverName = Literal[tuple(LEVERS)]
PlotName = Literal[tuple(PLOTS)]


class StoryError(ScenarioError):
    """A story file that cannot be used."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class Pull(_Strict):
    """A lever button: which side, which lever, to what value."""

    side: Literal["left", "right", "both"] = Field(description="The side the lever changes.")
    lever: LeverName = Field(description="The lever, by name (see sim/dashboard/levers.py).")
    value: float | str = Field(description="The value it sets, in the lever's unit.")
    label: str | None = Field(None, max_length=80, description="The button's words.")


class Question(_Strict):
    """Predict, then reveal: asked before the step's levers are offered."""

    ask: str = Field(min_length=1, max_length=300, description="The question to the room.")
    options: list[str] = Field(min_length=2, max_length=4, description="The answers offered.")
    answer: Annotated[int, Field(ge=0)] = Field(description="The right option (0 = the first).")
    reveal: str = Field(min_length=1, max_length=400, description="Why, shown on Reveal.")

    @model_validator(mode="after")
    def _answer_offered(self) -> Question:
        if self.answer >= len(self.options):
            raise ValueError(
                f"answer: must name one of the {len(self.options)} options (0 to "
                f"{len(self.options) - 1}); got {self.answer}"
            )
        return self


class Step(_Strict):
    """One step of a story: what the trainer says, what the room sees, what it may change."""

    caption: str = Field(min_length=1, max_length=600)
    pause_day: Annotated[int, Field(ge=1, le=3650)] | None = Field(
        None, description="Play stops at this day."
    )
    plots: list[PlotName] = Field(min_length=1, max_length=MAX_PLOTS)
    question: Question | None = None
    levers: list[Pull] = Field(default_factory=list, max_length=6)
    claims: list[Claim] = Field(default_factory=list, max_length=6)


class Story(_Strict):
    """A training session: two sides and the steps through them."""

    title: str = Field(min_length=1, max_length=100)
    summary: str = Field("", max_length=600)
    left: str = Field(description="Scenario file, relative to the scenario tree.")
    right: str = Field(description="Scenario file, relative to the scenario tree.")
    left_name: str | None = Field(None, max_length=40, description="The left side, in words.")
    right_name: str | None = Field(None, max_length=40, description="The right side, in words.")
    takeaway: str = Field("", max_length=600, description="The debrief's lesson.")
    seed: Annotated[int, Field(ge=0, le=2**31)] = 7
    prospects: Annotated[int, Field(ge=100, le=1_000_000)] | None = None
    horizon_days: Annotated[int, Field(ge=30, le=3650)] | None = None
    replications: Annotated[int, Field(ge=1, le=100)] = REPLICATIONS
    steps: list[Step] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _pauses_in_order(self) -> Story:
        days = [s.pause_day for s in self.steps if s.pause_day is not None]
        if days != sorted(set(days)):
            raise ValueError(f"steps: pause days must rise step by step; got {days}")
        return self


@dataclass(frozen=True)
class Told:
    """A story as loaded: its key (the file's stem), the story and its sides' files."""

    key: str
    story: Story
    left: Path
    right: Path


def load_story(path: str | Path, tree: str | Path | None = None) -> Told:
    """Read and validate a story, its sides and every lever value.

    Args:
        path: The story's YAML file.
        tree: The scenario tree the sides must be in (default: the one holding ``path``).

    Raises:
        StoryError: One line naming the file (and line), the field and the value.
    """
    path = Path(path)
    source = str(path)
    try:
        raw = read_mapping(path, source)
    except ScenarioError as exc:
        raise StoryError(str(exc)) from None
    located = {key: (source, line) for key, line in value_lines(path).items()}
    try:
        story = Story.model_validate(raw)
    except ValidationError as exc:
        raise StoryError(describe(exc, Story, source, located)) from None
    root = scenario_tree(path, tree)
    sides, shipped = {}, {}
    for which in SIDES:
        sides[which], shipped[which] = _side(root, getattr(story, which), source, which)
    for number, step in enumerate(story.steps):
        for index, pull in enumerate(step.levers):
            where = f"{source}: steps.{number}.levers.{index}.value"
            _check_pull(pull, shipped, where)
    horizon = story.horizon_days or max(s.horizon_days for s in shipped.values())
    _check_claims(story, horizon, source)
    return Told(path.stem, story, sides["left"], sides["right"])


def _check_claims(story: Story, horizon: int, source: str) -> None:
    """Each claim falls within its step, and one against 'before' follows a lever."""
    start, pulled = 0, set()
    for number, step in enumerate(story.steps):
        stop = step.pause_day or horizon
        pulled |= {s for p in step.levers for s in (SIDES if p.side == "both" else (p.side,))}
        for index, claim in enumerate(step.claims):
            where = f"{source}: steps.{number}.claims.{index}"
            if claim.by is not None and not start < claim.by <= stop:
                raise StoryError(
                    f"{where}.by: must fall within the step, days {start + 1} to {stop}; "
                    f"got {claim.by}"
                )
            if claim.than == "before" and claim.side not in pulled:
                raise StoryError(
                    f"{where}.than: 'before' needs a lever pulled on the {claim.side} side "
                    "by this step; got none"
                )
        start = stop


def _side(root: Path, named: str, source: str, which: str) -> tuple[Path, Scenario]:
    """A side's file inside the scenario tree, and its scenario as shipped."""
    named_file(
        named,
        root,
        inside=root,
        where=source,
        field=which,
        folder=TREE,
        suffixes=SUFFIXES,
        error=StoryError,
    )
    target = root / named
    try:
        return target, load_scenario(target, root=root)
    except ScenarioError as exc:
        raise StoryError(f"{source}: {which}: {exc}") from None


def _check_pull(pull: Pull, shipped: dict[str, Scenario], where: str) -> None:
    """The lever takes the value, and so does each scenario it changes."""
    lever = LEVERS[pull.lever]
    try:
        lever.check(pull.value, where)
    except ScenarioError as exc:
        raise StoryError(str(exc)) from None
    for which in SIDES if pull.side == "both" else (pull.side,):
        try:
            with_overrides(shipped[which], lever.overrides(shipped[which], pull.value), where)
        except ScenarioError as exc:
            raise StoryError(f"{exc} ({lever.text(pull.value)} on the {which} side)") from None


def story_folder() -> Path:
    """The folder of the stories this server tells: ``run.py dashboard --stories``, else shipped."""
    named = os.environ.get(STORIES_ENV)
    return Path(named) if named else shipped_stories()


@functools.cache
def load_stories(folder: Path) -> dict[str, Told]:
    """Every story in ``folder`` by key, in file order; read once per server.

    Raises:
        StoryError: The first bad story, in one line.
    """
    stories = {}
    for path in sorted(folder.glob("*.yaml")):
        told = load_story(path)
        stories[told.key] = told
    return stories


def story_sides(told: Told, replications: int | None = None) -> Sides:
    """The two sides of a story as it asks for them (``replications`` overrides its runs)."""
    story = told.story
    return Sides(
        told.left,
        told.right,
        story.seed,
        story.prospects,
        replications or story.replications,
        story.horizon_days,
        (story.left_name, story.right_name),
    )
