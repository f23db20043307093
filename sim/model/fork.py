"""Counterfactuals from a day: a running model copied, the copy changed, both run on.

A trainer pulls a lever on day t: the course so far continues as it was, and a copy of
the model as it stands on day t runs on under the changed scenario. Every draw is keyed
by seed, stream, day and prospect, so after day t both courses meet the same prospects
with the same luck: they differ by the change and what it sets in motion, nothing else.
A fork on day 0 is a run of the changed scenario (``tests/test_fork.py`` docks it).

Only what can change in a running business can change in a fork: budgets, touch
quality, reps (hired from the next day, ramping up as hires do; or let go, the latest
hired first), response time, the referral programme, care after the sale, competition,
and who talks to whom (a new network drawn from the same stream). Anything else (the
population, the horizon, the channels themselves) is refused by name.
"""

from __future__ import annotations

import copy
from fnmatch import fnmatch
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.model.network import SocialGraph
from sim.model.teams import roles
from sim.scenario.errors import InputError

if TYPE_CHECKING:
    from sim.model.model import JourneyModel
    from sim.scenario.schema import Scenario

CHANGEABLE = (
    "name",
    "color",
    "channels.*.budget",
    "channels.*.quality.*",
    "sales.reps",
    "sales.skill.*",
    "sales.response_time_hours",
    "sales.roles.*.headcount",
    "sales.roles.*.skill.*",
    "word_of_mouth.referral_programme.*",
    "after_sale.*",
    "competition.*",
    *(f"word_of_mouth.{key}" for key in ("network", "mean_degree", "rewire_share")),
    "word_of_mouth.degree_exponent",
)
"""The scenario fields a fork may change (dotted, ``*`` for any key)."""
NETWORK = tuple(key for key in CHANGEABLE if key.startswith("word_of_mouth.") and "*" not in key)


class ForkError(InputError):
    """A change a running model cannot take (it would need a new market)."""


def fork(model: JourneyModel, scenario: Scenario) -> JourneyModel:
    """A copy of ``model`` as it stands, running on under ``scenario`` from the next day.

    Raises:
        ForkError: ``scenario`` differs from the model's in a field no fork may change.
    """
    changed = differences(model.spec.model_dump(), scenario.model_dump())
    fixed = [key for key in changed if not any(fnmatch(key, p) for p in CHANGEABLE)]
    if fixed:
        raise ForkError(
            f"{', '.join(fixed[:3])}: cannot change in a running market (day {model.day}); "
            "start a new run instead"
        )
    forked = copy.deepcopy(model)
    _retune(forked, scenario, changed)
    return forked


def differences(old: Any, new: Any, prefix: str = "") -> list[str]:
    """The dotted keys whose values differ between two nested mappings."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        for key in dict.fromkeys([*old, *new]):
            out += differences(old.get(key), new.get(key), f"{prefix}{key}.")
        return out
    return [] if old == new else [prefix.rstrip(".")]


def _retune(model: JourneyModel, scenario: Scenario, changed: list[str]) -> None:
    """Hand every part of the model that holds a piece of the scenario its new piece."""
    model.spec = scenario
    for channel in model.channels:
        channel.spec = scenario.channels[channel.name]
        channel.weights = np.asarray(channel.spec.trust.as_tuple())
    model.referrals.retune(scenario.word_of_mouth.referral_programme)
    model.sales_queue.spec = scenario.sales
    rep_class = type(next(iter(model.reps))) if len(model.reps) else None
    for name, role in roles(scenario).items():
        team = model.teams[name]
        first_new = team.people
        added = team.restaff(role, model.day)
        if name != "csm" and added and rep_class is not None:
            for person in range(first_new, first_new + added):
                model.reps.add(rep_class(model, team, person))
    for rep in model.reps:
        rep.cost_per_minute = rep.team.cost_per_minute
    if any(key in NETWORK for key in changed):
        graphs = []
        for seed in model.replicas.seeds:
            _, graph_seed = np.random.SeedSequence(int(seed)).spawn(2)
            graphs.append(model.build_graph(np.random.default_rng(graph_seed)))
        model.graph = SocialGraph.stack(graphs)
        model._hubs = {}
