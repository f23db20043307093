"""What to run: run specs, replication seeds, and the checks on a researcher's arguments.

Seeds come from ``numpy.random.SeedSequence(seed).spawn``, so the numbers are
identical whatever the engine, the number of workers or their order. Replication k
of every scenario and of every grid point gets the same seed (common random
numbers), so each strategy or parameter value meets the same prospects.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.scenario.errors import InputError, short
from sim.scenario.loading import load_scenario, scenario_from_dict
from sim.scenario.schema import Scenario

ScenarioLike = Scenario | str | Path | Mapping[str, Any]
"""A validated scenario, a scenario file, or a scenario as a dict."""


@dataclass(frozen=True)
class Agents:
    """The model and agent classes a run uses: Touchpoint's own, or a researcher's.

    Attributes:
        model: A :class:`~sim.model.model.JourneyModel` (sub)class.
        classes: ``channel_class``, ``rep_class``, ``prospect_class`` as the model takes
            them (``channel_class`` may map channel names to classes).
    """

    model: type | None = None
    classes: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, model_class: type | None = None, **classes: Any) -> Agents:
        """From ``simulate``-style keywords; unknown keywords are refused."""
        unknown = set(classes) - AGENT_KEYWORDS
        if unknown:
            raise TypeError(f"unknown agent class keyword {sorted(unknown)[0]!r}")
        given = {k: v for k, v in classes.items() if v is not None}
        return cls(model_class, tuple(sorted(given.items())))

    @property
    def custom(self) -> bool:
        """Whether any class is not Touchpoint's own."""
        return self.model is not None or bool(self.classes)

    def keywords(self) -> dict[str, Any]:
        """``model_class`` and the agent classes, as ``simulate_batch`` takes them."""
        return {**({"model_class": self.model} if self.model else {}), **dict(self.classes)}

    def names(self) -> str:
        """The classes by qualified name (part of a run's key in a store); "" if default."""
        if not self.custom:
            return ""
        return ";".join(f"{k}={_qualified(v)}" for k, v in (("model", self.model), *self.classes))

    def check_portable(self, workers: int | None, executor: object) -> None:
        """Refuse classes other processes cannot import (defined in ``__main__`` or a function)."""
        if not self.custom or (executor is None and workers == 1):
            return
        for value in (self.model, *(v for _, v in self.classes)):
            for klass in value.values() if isinstance(value, Mapping) else [value]:
                if klass is None:
                    continue
                where = f"{klass.__module__}.{klass.__qualname__}"
                if klass.__module__ == "__main__" or "<locals>" in klass.__qualname__:
                    raise InputError(
                        f"agent class {where}: other processes cannot import it; define it in "
                        "a module (a .py file) or run with workers=1"
                    )


AGENT_KEYWORDS = frozenset({"channel_class", "rep_class", "prospect_class"})
"""The agent classes a model takes, besides ``model_class``."""


def _qualified(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{k}:{_qualified(v)}" for k, v in sorted(value.items())) + "}"
    return "default" if value is None else f"{value.__module__}.{value.__qualname__}"


@dataclass(frozen=True)
class RunSpec:
    """One run to do: a scenario, a seed and the labels it is reported under.

    Attributes:
        scenario: The scenario, overrides applied.
        seed: The run's seed.
        replication: Which replication of its group it is.
        label: The name it is reported under (the scenario's, by default).
        params: The swept or sampled values that made ``scenario`` (dotted keys).
        keep_daily: Send back the daily table too (compare's figures need it).
        agents: The model and agent classes (default: Touchpoint's own).
        touch_log: Run with a touch log and send back the whole
            :class:`~sim.analysis.results.RunResult` (``attribution`` needs its paths).
        budget_scale: Multiples of channels' budgets, as ``(channel, multiple)`` pairs (0 =
            off; :mod:`sim.model.budgets`): the scenario so budgeted, with no copy of it.
        daily_columns: With ``keep_daily``, send back only these columns (all if empty).
        measure: A module-level function of the run's
            :class:`~sim.analysis.results.RunResult`, called where the run was made; what
            it returns comes back as the record's ``measured`` (a lift test's counts).
    """

    scenario: Scenario
    seed: int
    replication: int
    label: str
    params: dict[str, object] = field(default_factory=dict)
    keep_daily: bool = False
    agents: Agents = Agents()
    touch_log: bool = False
    budget_scale: tuple[tuple[str, float], ...] = ()
    daily_columns: tuple[str, ...] = ()
    measure: Callable[[Any], Any] | None = None


def replication_seeds(seed: int, replications: int) -> list[int]:
    """Independent seeds for ``replications`` runs, derived from one master seed."""
    children = np.random.SeedSequence(seed).spawn(replications)
    return [int(child.generate_state(1, dtype=np.uint32)[0]) for child in children]


def base_scenario(scenario: ScenarioLike) -> tuple[Scenario, str]:
    """The scenario and how to name it in messages, from a Scenario, a file or a dict."""
    if isinstance(scenario, Scenario):
        return scenario, scenario.name
    if isinstance(scenario, str | Path):
        return load_scenario(scenario), str(scenario)
    if isinstance(scenario, Mapping):
        return scenario_from_dict(dict(scenario)), "<dict>"
    raise TypeError(
        f"scenario: expected a Scenario, a file or a dict; got {type(scenario).__name__}"
    )


def check_count(name: str, value: int) -> None:
    """Refuse a count (replications, samples) that is not a whole number >= 1."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise InputError(f"{name}: must be a whole number >= 1; got {short(value)}")


def check_seed(seed: int) -> None:
    """Refuse a seed that is not a whole number >= 0."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(f"seed: must be a whole number >= 0; got {short(seed)}")
