"""The two sides a room watches: two scenarios on the same prospects, stepped in lockstep.

A side is one scenario file, the levers pulled on it and the model that runs it. Both
sides use the same seed, so they meet the same prospects. Pulling a lever rebuilds the
side from its file with the lever's overrides (validated by the scenario layer) and the
same seed, then replays it to today; the course it had before stays on the plots.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.dashboard.levers import LEVERS, lever_overrides
from sim.model.model import JourneyModel
from sim.outputs.style import scenario_colors
from sim.scenario.loading import load_scenario
from sim.scenario.schema import Scenario

SIDES = ("left", "right")


@dataclass(frozen=True)
class Course:
    """What a side did day by day: the daily table and referred customers to date."""

    daily: pd.DataFrame
    referred: np.ndarray
    label: str = ""


@dataclass
class Side:
    """One scenario, its pulled levers and its running model.

    Args:
        path: The scenario file.
        seed: The seed both sides share.
        base: Overrides every run of this side gets (the prospects, its colour, its name).
    """

    path: Path
    seed: int
    base: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.shipped: Scenario = load_scenario(self.path, self.base or None)
        self.pulled: dict[str, Any] = {}
        self.before: Course | None = None
        self._build(self.shipped)

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.shipped.name

    @property
    def color(self) -> str:
        """The side's colour in every plot."""
        return str(self.shipped.color)

    @property
    def day(self) -> int:
        """Days run so far."""
        return self.model.day

    def _build(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.model = JourneyModel(scenario, self.seed)
        self._referred = [int(self.model.tally.referred_customers[0])]
        self.daily = self.model.daily.frame()

    def step(self, days: int = 1) -> None:
        """Run up to ``days`` days (not past the horizon)."""
        for _ in range(days):
            if not self.model.running:
                break
            self.model.step()
            self._referred.append(int(self.model.tally.referred_customers[0]))
        self.daily = self.model.daily.frame()

    def course(self) -> Course:
        """The side so far."""
        return Course(self.daily, np.asarray(self._referred, dtype=float))

    def changed(self, pulled: dict[str, Any]) -> Scenario:
        """The scenario with these levers pulled, validated (ScenarioError if not)."""
        overrides = {**self.base, **lever_overrides(self.shipped, pulled)}
        return load_scenario(self.path, overrides)

    def pull(self, lever: str, value: Any) -> None:
        """Pull a lever: rebuild with the same seed and replay to today; keep the old course."""
        pulled = {**self.pulled, lever: value}
        scenario = self.changed(pulled)
        today = self.day
        label = f"{self.name} before: {LEVERS[lever].label.lower()}"
        self.before = Course(self.daily, np.asarray(self._referred, dtype=float), label)
        self.pulled = pulled
        self._build(scenario)
        self.step(today)

    def reset(self) -> None:
        """Back to day 0, as shipped."""
        self.pulled, self.before = {}, None
        self._build(self.shipped)


class Sides:
    """Two sides on the same prospects and seed, stepped together.

    Args:
        left: The left scenario file.
        right: The right scenario file.
        seed: The seed both share.
        prospects: The population size of both (default: the left file's).

    Attributes:
        lock: Held while the sides change: the play loop and the buttons share them.
    """

    def __init__(self, left: Path, right: Path, seed: int, prospects: int | None = None) -> None:
        first = load_scenario(left)
        other = load_scenario(right)
        size = prospects or first.population.size
        names = [first.name, other.name if other.name != first.name else f"{other.name} (2)"]
        colors = scenario_colors(names, {names[0]: first.color, names[1]: other.color})
        base = [{"population.size": size, "name": n, "color": _hex(colors[n])} for n in names]
        self.seed = seed
        self.lock = threading.RLock()
        self.left = Side(Path(left), seed, base[0])
        self.right = Side(Path(right), seed, base[1])

    def __iter__(self):
        """Left, then right."""
        return iter((self.left, self.right))

    def side(self, which: str) -> Side:
        """``left`` or ``right``."""
        return self.left if which == "left" else self.right

    @property
    def day(self) -> int:
        """Days run so far (the same on both sides)."""
        return self.left.day

    @property
    def horizon(self) -> int:
        """The last day either side runs to."""
        return max(side.scenario.horizon_days for side in self)

    def step(self, days: int = 1) -> None:
        """Both sides ``days`` days on."""
        with self.lock:
            for side in self:
                side.step(days)

    def reset(self) -> None:
        """Both sides back to day 0, no levers pulled."""
        with self.lock:
            for side in self:
                side.reset()


def _hex(color: object) -> str:
    """A matplotlib colour as ``#rrggbb``."""
    from matplotlib.colors import to_hex

    return to_hex(color)
