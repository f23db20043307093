"""The scenario layer: the YAML format, its validation and loading, and the model's vocabulary.

Nothing here imports from the rest of ``sim``.
"""

from sim.scenario.errors import InputError, ScenarioError
from sim.scenario.loading import (
    load_scenario,
    parse_overrides,
    scenario_from_dict,
    scenario_tree,
    with_overrides,
)
from sim.scenario.schema import Scenario, json_schema
from sim.scenario.vocabulary import (
    DIMENSIONS,
    JOURNEY_STAGES,
    PAYER_TYPES,
    RESERVED_SOURCES,
    SHARED_SOURCES,
    STAGES,
)

__all__ = [
    "DIMENSIONS",
    "JOURNEY_STAGES",
    "PAYER_TYPES",
    "RESERVED_SOURCES",
    "SHARED_SOURCES",
    "STAGES",
    "InputError",
    "Scenario",
    "ScenarioError",
    "json_schema",
    "load_scenario",
    "parse_overrides",
    "scenario_from_dict",
    "scenario_tree",
    "with_overrides",
]
