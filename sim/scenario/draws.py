"""Drawing the unknowns: one value set per run, from the run's seed, the same in every plan.

A run on seed ``s`` of a scenario with uncertain inputs
(:class:`~sim.scenario.schema.uncertainty.Uncertainty`) first draws each input's value
at a uniform keyed by (``s``, the input's dotted key), and a posterior particle at a
uniform keyed by (``s``, "posterior"); the scenario is then fixed at those values and
run as usual. Keys, not positions: a plan with one more uncertain input draws the
others exactly as a plan without it, and replication k of every plan (which shares
its seed) meets the same market. Two plans that give one field different
distributions meet the same quantile of each.
"""

from __future__ import annotations

import zlib

import numpy as np

from sim.scenario.errors import ScenarioError
from sim.scenario.loading import with_overrides
from sim.scenario.paths import coerce, field_value
from sim.scenario.schema import Scenario
from sim.scenario.schema.uncertainty import Uncertainty

POSTERIOR_KEY = "posterior"
"""The key of the posterior particle's uniform."""


def uniform(seed: int, key: str) -> float:
    """A uniform on [0, 1) that depends only on the run's seed and an input's key."""
    return float(np.random.default_rng([seed, zlib.crc32(key.encode())]).random())


def draw(scenario: Scenario, seed: int) -> dict[str, float | int]:
    """The values a run on ``seed`` takes for the scenario's uncertain fields (by key).

    Whole-number fields are rounded; every other value is the distribution's.
    """
    unknowns = scenario.uncertainty
    values: dict[str, float] = {}
    if unknowns.posterior is not None:
        values.update(unknowns.posterior.pick(uniform(seed, POSTERIOR_KEY)))
    for key, distribution in unknowns.inputs.items():
        if key not in values:
            values[key] = distribution.value(uniform(seed, key))
    known = scenario.model_dump(exclude={"uncertainty"})
    return {
        key: coerce(float(value), field_value(known, key, key), rounding=True)
        for key, value in values.items()
    }


def resolve(scenario: Scenario, seed: int) -> tuple[Scenario, dict[str, float | int]]:
    """The scenario a run on ``seed`` simulates, with nothing left uncertain, and its draws.

    A scenario with no uncertain input is returned as it is.

    Raises:
        ScenarioError: The draws together make an invalid scenario (one line, naming them).
    """
    if not scenario.uncertainty:
        return scenario, {}
    values = draw(scenario, seed)
    fixed = scenario.model_copy(update={"uncertainty": Uncertainty()})
    try:
        return with_overrides(fixed, values, f"{scenario.name} (seed {seed})"), values
    except ScenarioError as exc:
        drawn = ", ".join(f"{k}={v:g}" for k, v in values.items())
        raise ScenarioError(f"{exc} (drawn: {drawn})") from None
