"""Touchpoint: an agent-based customer journey simulator on Mesa.

The public API::

    import sim
    scenario = sim.load_scenario("scenarios/touchpoint_management.yaml",
                                 overrides={"population.size": 5000})
    result = sim.simulate(scenario, seed=7)   # result.kpis, result.daily, result.ledger
    model = sim.JourneyModel(scenario, seed=7)  # a mesa.Model; step it yourself
"""

from importlib import import_module
from typing import TYPE_CHECKING

_EXPORTS = {
    "Channel": "sim.agents",
    "Prospect": "sim.agents",
    "Rep": "sim.agents",
    "JourneyModel": "sim.model",
    "Stage": "sim.population",
    "RunResult": "sim.results",
    "collect": "sim.results",
    "simulate": "sim.results",
    "DIMENSIONS": "sim.scenario",
    "Scenario": "sim.scenario",
    "ScenarioError": "sim.scenario",
    "json_schema": "sim.scenario",
    "load_scenario": "sim.scenario",
    "scenario_from_dict": "sim.scenario",
}

__all__ = [
    "Channel",
    "DIMENSIONS",
    "JourneyModel",
    "Prospect",
    "Rep",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "Stage",
    "collect",
    "json_schema",
    "load_scenario",
    "scenario_from_dict",
    "simulate",
]
assert sorted(_EXPORTS) == __all__


def __getattr__(name: str) -> object:
    """Import public names on first use, so the command line starts fast."""
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


if TYPE_CHECKING:
    from sim.agents import Channel, Prospect, Rep
    from sim.model import JourneyModel
    from sim.population import Stage
    from sim.results import RunResult, collect, simulate
    from sim.scenario import (
        DIMENSIONS,
        Scenario,
        ScenarioError,
        json_schema,
        load_scenario,
        scenario_from_dict,
    )
