"""What to run: run specs, replication seeds, and the checks on a researcher's arguments.

Seeds come from ``numpy.random.SeedSequence(seed).spawn``, so the numbers are
identical whatever the engine, the number of workers or their order. Replication k
of every scenario and of every grid point gets the same seed (common random
numbers), so each strategy or parameter value meets the same prospects.
"""

from __future__ import annotations

from collections.abc import Mapping
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
class RunSpec:
    """One run to do: a scenario, a seed and the labels it is reported under.

    Attributes:
        scenario: The scenario, overrides applied.
        seed: The run's seed.
        replication: Which replication of its group it is.
        label: The name it is reported under (the scenario's, by default).
        params: The swept or sampled values that made ``scenario`` (dotted keys).
        keep_daily: Send back the daily table too (compare's figures need it).
    """

    scenario: Scenario
    seed: int
    replication: int
    label: str
    params: dict[str, object] = field(default_factory=dict)
    keep_daily: bool = False


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
