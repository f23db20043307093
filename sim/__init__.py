"""Touchpoint: an agent-based customer journey simulator on Mesa.

The public API::

    import sim
    scenario = sim.load_scenario("scenarios/touchpoint_management.yaml",
                                 overrides={"population.size": 5000})
    result = sim.simulate(scenario, seed=7)     # result.kpis, result.daily, result.ledger
    model = sim.JourneyModel(scenario, seed=7)  # a mesa.Model; step it yourself
    comparison = sim.compare([scenario, other], replications=30)
    table = sim.sweep(scenario, {"sales.reps": [1, 2, 3]}, replications=5)
    indices = sim.sensitivity(scenario, {"handoff.level": (0.4, 0.9)})
    fit = sim.calibrate(scenario, sim.load_targets("my_funnel.yaml", scenario),
                        {"sales.reach_at_once": (0.1, 0.9)})   # fit.summary, fit.scenario
    plan = sim.optimise(scenario, ["channels.webinar.budget", "sales.reps=1:3"],
                        budget=30000)                          # plan.best, plan.verdict
    truth = sim.attribution(scenario, replications=30)      # truth.truth, truth.ranking

The package is in layers, lowest first: ``sim.scenario`` < ``sim.model`` <
``sim.analysis`` < ``sim.experiments`` < ``sim.outputs``, ``sim.dashboard`` <
``sim.cli``; a layer imports only the layers below it.
"""

from importlib import import_module
from typing import TYPE_CHECKING

_EXPORTS = {
    "DIMENSIONS": "sim.scenario",
    "STAGES": "sim.scenario",
    "InputError": "sim.scenario",
    "Scenario": "sim.scenario",
    "ScenarioError": "sim.scenario",
    "json_schema": "sim.scenario",
    "load_scenario": "sim.scenario",
    "scenario_from_dict": "sim.scenario",
    "Channel": "sim.model.agents",
    "Prospect": "sim.model.agents",
    "Rep": "sim.model.reps",
    "JourneyModel": "sim.model.model",
    "fork": "sim.model.fork",
    "Stage": "sim.model.prospects",
    "RunResult": "sim.analysis.results",
    "collect": "sim.analysis.results",
    "simulate": "sim.analysis.results",
    "Attribution": "sim.experiments",
    "Comparison": "sim.experiments",
    "attribution": "sim.experiments",
    "calibrate": "sim.experiments",
    "compare": "sim.experiments",
    "load_targets": "sim.experiments",
    "optimise": "sim.experiments",
    "sensitivity": "sim.experiments",
    "sweep": "sim.experiments",
}

__all__ = [
    "Attribution",
    "Channel",
    "Comparison",
    "DIMENSIONS",
    "InputError",
    "JourneyModel",
    "Prospect",
    "Rep",
    "RunResult",
    "STAGES",
    "Scenario",
    "ScenarioError",
    "Stage",
    "attribution",
    "calibrate",
    "collect",
    "compare",
    "fork",
    "json_schema",
    "load_scenario",
    "load_targets",
    "optimise",
    "scenario_from_dict",
    "sensitivity",
    "simulate",
    "sweep",
]
assert sorted(_EXPORTS) == sorted(__all__)


def __getattr__(name: str) -> object:
    """Import public names on first use, so the command line starts fast."""
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:
    from sim.analysis.results import RunResult, collect, simulate
    from sim.experiments import Comparison, compare, optimise, sensitivity, sweep
    from sim.model.agents import Channel, Prospect
    from sim.model.fork import fork
    from sim.model.model import JourneyModel
    from sim.model.prospects import Stage
    from sim.model.reps import Rep
    from sim.scenario import (
        DIMENSIONS,
        STAGES,
        InputError,
        Scenario,
        ScenarioError,
        json_schema,
        load_scenario,
        scenario_from_dict,
    )
