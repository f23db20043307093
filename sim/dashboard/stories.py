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

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.dashboard.levers import LEVERS
from sim.dashboard.plots import MAX_PLOTS, PLOTS
from sim.dashboard.sides import SIDES
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


class Step(_Strict):
    """One step of a story: what the trainer says, what the room sees, what it may change."""

    caption: str = Field(min_length=1, max_length=600)
    pause_day: Annotated[int, Field(ge=1, le=3650)] | None = Field(
        None, description="Play stops at this day."
    )
    plots: list[PlotName] = Field(min_length=1, max_length=MAX_PLOTS)
    levers: list[Pull] = Field(default_factory=list, max_length=6)


class Story(_Strict):
    """A training session: two sides and the steps through them."""

    title: str = Field(min_length=1, max_length=100)
    summary: str = Field("", max_length=600)
    left: str = Field(description="Scenario file, relative to the scenario tree.")
    right: str = Field(description="Scenario file, relative to the scenario tree.")
    seed: Annotated[int, Field(ge=0, le=2**31)] = 7
    prospects: Annotated[int, Field(ge=100, le=1_000_000)] | None = None
    steps: list[Step] = Field(min_length=1, max_length=20)


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
    return Told(path.stem, story, sides["left"], sides["right"])


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
