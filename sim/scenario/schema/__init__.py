"""The scenario format: typed, validated, every default and unit documented here.

A scenario is YAML on disk and a :class:`Scenario` in memory. Validation happens
once, at the boundary: unknown keys, wrong types, NaN/inf, negative money and
probabilities above 1 are refused, and the loader (:mod:`sim.scenario.loading`)
turns the first problem into a :class:`ScenarioError` naming the file, the field
path and the bad value.

One module per part of a scenario: :mod:`~sim.scenario.schema.fields` (what every
section is made of), :mod:`~sim.scenario.schema.market`, :mod:`~sim.scenario.schema.sales`,
:mod:`~sim.scenario.schema.channels`, :mod:`~sim.scenario.schema.after_sale`, and the
whole in :mod:`~sim.scenario.schema.root`. Import the names from here.
"""

from sim.scenario.schema.after_sale import AfterSale, Product
from sim.scenario.schema.channels import Channel, ReferralProgramme, Reviews, WordOfMouth
from sim.scenario.schema.fields import Quality, Satisfaction, Section, TrustWeights
from sim.scenario.schema.market import (
    Attention,
    Competition,
    Journey,
    Population,
    TrustThreshold,
)
from sim.scenario.schema.organisation import (
    Calendar,
    Committee,
    DealStage,
    DealStages,
    Role,
    Roles,
)
from sim.scenario.schema.root import EXTENDS_DESCRIPTION, Scenario, json_schema
from sim.scenario.schema.sales import Handoff, Sales

__all__ = [
    "EXTENDS_DESCRIPTION",
    "AfterSale",
    "Attention",
    "Calendar",
    "Channel",
    "Committee",
    "Competition",
    "DealStage",
    "DealStages",
    "Handoff",
    "Journey",
    "Population",
    "Product",
    "Quality",
    "ReferralProgramme",
    "Reviews",
    "Role",
    "Roles",
    "Sales",
    "Satisfaction",
    "Scenario",
    "Section",
    "TrustThreshold",
    "TrustWeights",
    "WordOfMouth",
    "json_schema",
]
