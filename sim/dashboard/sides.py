"""The two sides a room watches: two scenarios, each an ensemble of runs, on the same prospects.

A side runs ``replications`` seeds of its scenario at once (one batched model); the room
sees their median and the band most runs fall in, so no single lucky seed tells the
story. Both sides use the same seeds: replication k of the left meets the prospects of
replication k of the right. A lever pulled on day t forks the side's current course
(:func:`sim.model.fork.fork`): the course so far runs on unchanged (dotted), and a copy
of it as it stands on day t runs on under the change (solid), on the same prospects and
streams. Levers stack: each adds a course, labelled with what changed and when.
"""

from __future__ import annotations

import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.dashboard.kpis import KPIS, Table
from sim.dashboard.levers import LEVERS, lever_overrides
from sim.experiments.specs import replication_seeds
from sim.model.fork import fork
from sim.model.model import JourneyModel
from sim.model.prospects import Stage
from sim.outputs.style import OKABE_ITO
from sim.scenario.loading import load_scenario
from sim.scenario.schema import Scenario
from sim.scenario.vocabulary import JOURNEY_STAGES

SIDES = ("left", "right")
REPLICATIONS = 30
"""Runs per side by default: a median and a band (a story may ask for another number)."""
BAND = (10, 90)
"""The band drawn around the median: the percentiles of the runs it spans."""


@dataclass(frozen=True)
class Look:
    """How a side is drawn, told apart by colour, line and marker (colour-blind safe)."""

    color: str
    dash: str
    symbol: str


LOOKS = {
    "left": Look(OKABE_ITO["blue"], "solid", "circle"),
    "right": Look(OKABE_ITO["orange"], "dash", "square"),
}
STAGE_WORDS = {
    "unaware": "in the market",
    "aware": "aware of us",
    "engaged": "engaged",
    "evaluating": "evaluating",
    "sales_qualified": "talked to sales",
    "customer": "bought",
    "advocate": "recommend us",
}
"""The funnel's stages in a trainee's words: who reached each, to date."""


class Branch:
    """One course of a side: a batched model, the day it forked, what changed.

    Args:
        label: What changed and when (``As shipped`` for the first).
        start: The day it forked from the course before (0 for the first).
        model: The model, every replication batched (replica 0: the story's seed).
        referred: Customers won by referral to date, ``(days, replications)`` so far.
    """

    def __init__(
        self, label: str, start: int, model: JourneyModel, referred: np.ndarray | None = None
    ) -> None:
        self.label, self.start, self.model = label, start, model
        self._table: Table | None = None
        self._summaries: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self.model.collect_every_day = False
        count = model.replicas.count
        self._referred = np.zeros((model.spec.horizon_days + 1, count))
        if referred is not None:
            self._referred[: referred.shape[0]] = referred
        else:
            self._referred[0] = model.tally.referred_customers

    @property
    def day(self) -> int:
        """Days run so far."""
        return self.model.day

    def step(self) -> None:
        """One day on (not past the horizon)."""
        if self.model.running:
            self.model.step()
            self._referred[self.day] = self.model.tally.referred_customers

    def table(self) -> Table:
        """The course to date, every replication, in the whole market's numbers (once a day)."""
        daily = self.model.daily
        days = daily.recorded
        if self._table is None or self._table.values.shape[0] != days:
            share = self.model.spec.population.sample_share
            values = daily.values[:days] * daily.scale
            self._table = Table(values, daily.columns, self._referred[:days] / share)
        return self._table

    def series(self, kpi: str) -> np.ndarray:
        """``(replications, days)``: a figure of :data:`~sim.dashboard.kpis.KPIS` to date."""
        return KPIS[kpi].series(self.table())

    def summary(self, kpi: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The median and the band (:data:`BAND`) of a figure per day to date.

        Days already summarised are kept: a step summarises only the new day, not the
        whole course again (percentiles over 30 runs × 1,000 days cost a second a step).
        """
        series = self.series(kpi)
        done = self._summaries.get(kpi)
        start = 0 if done is None else done[0].size
        if start == series.shape[1]:
            return done
        fresh = median_band(series[:, start:])
        if done is not None:
            fresh = tuple(np.concatenate([a, b]) for a, b in zip(done, fresh, strict=True))
        self._summaries[kpi] = fresh
        return fresh

    def funnel(self) -> dict[str, np.ndarray]:
        """Stage in words → prospects who reached it or beyond, to date, per replication."""
        model = self.model
        size = model.spec.population.size
        reached = model.prospects.reached.reshape(model.replicas.count, size)
        share = model.spec.population.sample_share
        out, beyond = {}, np.zeros(reached.shape, dtype=bool)
        for stage in reversed(JOURNEY_STAGES):
            beyond |= (reached & (1 << int(Stage[stage.upper()]))) != 0
            out[STAGE_WORDS[stage]] = beyond.sum(axis=1) / share
        return dict(reversed(out.items()))

    def spend(self) -> dict[str, np.ndarray]:
        """Source in words → spend to date, per replication."""
        from sim.model.daily import SPEND_PREFIX, spend_label

        table = self.table()
        return {
            spend_label(c): np.nansum(table.column(c), axis=1)
            for c in table.columns
            if c.startswith(SPEND_PREFIX)
        }

    def branch(self, label: str, scenario: Scenario) -> Branch:
        """A copy of this course as it stands, running on under ``scenario``."""
        return Branch(label, self.day, fork(self.model, scenario), self._referred[: self.day + 1])


class Side:
    """One scenario as an ensemble, its levers pulled, and its courses.

    Args:
        which: ``left`` or ``right``.
        path: The scenario file.
        seeds: One per replication (the same on both sides).
        base: Overrides every course of this side gets (the prospects, the horizon).
        title: The side in words, as the story names it.
    """

    def __init__(
        self,
        which: str,
        path: Path,
        seeds: list[int],
        base: dict[str, Any] | None = None,
        title: str | None = None,
    ) -> None:
        self.which, self.path, self.seeds, self.title = which, Path(path), seeds, title
        self.base = dict(base or {})
        self.look = LOOKS[which]
        self.shipped: Scenario = load_scenario(self.path, self.base or None)
        self.reset()

    @property
    def name(self) -> str:
        """The side in words: the story's name for it, else the scenario's name."""
        return self.title or self.shipped.name.replace("_", " ").capitalize()

    @property
    def color(self) -> str:
        """The side's colour in every chart."""
        return self.look.color

    @property
    def dash(self) -> str:
        """The line style of the side's courses."""
        return self.look.dash

    @property
    def symbol(self) -> str:
        """The marker at the end of the side's lines."""
        return self.look.symbol

    @property
    def current(self) -> Branch:
        """The course the side is on now (the last lever's)."""
        return self.branches[-1]

    @property
    def scenario(self) -> Scenario:
        """The scenario of the current course."""
        return self.current.model.spec

    @property
    def day(self) -> int:
        """Days run so far."""
        return self.current.day

    def step(self) -> None:
        """Every course one day on."""
        for branch in self.branches:
            branch.step()

    def changed(self, pulled: dict[str, Any]) -> Scenario:
        """The scenario with these levers pulled, validated (ScenarioError if not)."""
        overrides = {**self.base, **lever_overrides(self.shipped, pulled)}
        return load_scenario(self.path, overrides)

    def pull(self, lever: str, value: Any) -> None:
        """Pull a lever today: the current course runs on, a fork of it takes the change.

        Levers pulled on the same day make one change (one fork), not a fork of a fork.
        """
        pulled = {**self.pulled, lever: value}
        scenario = self.changed(pulled)
        change = LEVERS[lever].text(value)
        if len(self.branches) > 1 and self.current.start == self.day:  # the same day: one change
            change = f"{self.branches.pop().label.rsplit(' (from day', 1)[0]}; {change}"
        self.branches.append(self.current.branch(f"{change} (from day {self.day})", scenario))
        self.pulled = pulled

    def reset(self) -> None:
        """Back to day 0, as shipped, one course."""
        self.pulled: dict[str, Any] = {}
        model = JourneyModel(self.shipped, seeds=self.seeds)
        self.branches = [Branch("As shipped", 0, model)]


class Sides:
    """Two sides on the same prospects and seeds, stepped together.

    Args:
        left: The left scenario file.
        right: The right scenario file.
        seed: The story's master seed: the replications' seeds are ``compare``'s for it.
        prospects: The population size of both (default: the left file's).
        replications: Runs per side (1: one run, no band).
        horizon_days: Both sides' horizon (default: each file's).
        names: The sides in words (left, right), as the story names them.

    Attributes:
        lock: Held while the sides change: the play loop and the buttons share them.
    """

    def __init__(
        self,
        left: Path,
        right: Path,
        seed: int,
        prospects: int | None = None,
        replications: int = REPLICATIONS,
        horizon_days: int | None = None,
        names: tuple[str | None, str | None] = (None, None),
    ) -> None:
        first = load_scenario(left)
        base: dict[str, Any] = {"population.size": prospects or first.population.size}
        if horizon_days is not None:
            base["horizon_days"] = horizon_days
        self.seed = seed
        self.replications = replications
        self.seeds = replication_seeds(seed, replications)
        self.lock = threading.RLock()
        self.left = Side("left", Path(left), self.seeds, base, names[0])
        self.right = Side("right", Path(right), self.seeds, base, names[1])

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
        return max(side.shipped.horizon_days for side in self)

    def step(self, days: int = 1) -> None:
        """Both sides ``days`` days on."""
        with self.lock:
            for _ in range(days):
                for side in self:
                    side.step()

    def reset(self) -> None:
        """Both sides back to day 0, no levers pulled."""
        with self.lock:
            for side in self:
                side.reset()


def median_band(series: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The median over replications and the band (:data:`BAND`) around it, per day.

    Runs with no value yet (cost of sale before a run's first customer) are left out.
    """
    if not np.isnan(series).any():
        low, median, high = np.percentile(series, (BAND[0], 50, BAND[1]), axis=0)
        return median, low, high
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a day with no value in any run
        low, median, high = np.nanpercentile(series, (BAND[0], 50, BAND[1]), axis=0)
        return median, low, high
