"""Plans: the levers ``optimise`` may pull, and the scenario a point of them makes.

A *share* lever is a channel's budget given as a share of one monthly budget: the
money left after the rep payroll (every rep on the payroll, as the shipped
strategies count it) and the channels that are not levers is split between the share
levers in proportion to their weights (0..1; under :data:`OFF_WEIGHT` the channel
is off). A *range* lever is any number field between
two bounds, whole where the field is (``sales.reps``). A plan whose payroll leaves
nothing for its share levers is not a plan: the reps' range is cut to what the
budget pays for, and said so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sim.experiments.sensitivity import parameter_bounds
from sim.scenario.errors import InputError
from sim.scenario.loading import with_overrides
from sim.scenario.paths import coerce, field_value
from sim.scenario.schema import Scenario

SHARE = "share."
"""Prefix of a share lever's search variable (its weight, 0..1), before the channel name."""

OFF_WEIGHT = 0.05
"""A share lever's weight below this switches its channel off, so that "none" is a plan
the search can reach (a continuous weight is never exactly 0)."""


@dataclass(frozen=True)
class Lever:
    """One thing the optimiser may change.

    Attributes:
        key: The dotted field (``channels.webinar.budget``, ``sales.reps``).
        low, high: Its range; a share lever's weight ranges over 0..1.
        integer: Whether the field is whole.
        log: Search on a log scale (``LOW:HIGH:log``).
        channel: For a share lever, the channel whose budget it sets; else "".
    """

    key: str
    low: float
    high: float
    integer: bool = False
    log: bool = False
    channel: str = ""

    @property
    def name(self) -> str:
        """The search variable's name: ``share.<channel>`` or the field's key."""
        return f"{SHARE}{self.channel}" if self.channel else self.key


@dataclass(frozen=True)
class Plans:
    """Turns points of the levers into complete scenarios at one monthly budget.

    Attributes:
        base: The starting scenario.
        levers: The levers, share levers first.
        budget: The monthly budget (channel budgets + rep payroll), currency.
        notes: What was adjusted to make every plan affordable.
    """

    base: Scenario
    levers: tuple[Lever, ...]
    budget: float
    notes: tuple[str, ...] = ()

    @property
    def shares(self) -> list[Lever]:
        """The share levers."""
        return [lever for lever in self.levers if lever.channel]

    def start(self) -> dict[str, float]:
        """The point that gives back the base scenario (its values clipped to the ranges)."""
        known = self.base.model_dump()
        budgets = {s.channel: self.base.channels[s.channel].budget for s in self.shares}
        top = max(budgets.values(), default=0.0)
        point = {s.name: budgets[s.channel] / top if top > 0 else 1.0 for s in self.shares}
        for lever in self.levers:
            if not lever.channel:
                value = min(
                    max(float(field_value(known, lever.key, "plan")), lever.low), lever.high
                )
                point[lever.name] = round(value) if lever.integer else value
        return point

    def scenario(self, point: Mapping[str, float], name: str) -> Scenario:
        """The base scenario with a point's values; share levers split what is left."""
        known = self.base.model_dump()
        values = {
            lever.key: coerce(
                float(point[lever.name]), field_value(known, lever.key, "plan"), rounding=True
            )  # fmt: skip
            for lever in self.levers
            if not lever.channel
        }
        plan = with_overrides(self.base, values, "plan") if values else self.base
        shares = self.shares
        if shares:
            left = max(self.budget - fixed_spend(plan, [s.channel for s in shares]), 0.0)
            weights = [float(point[s.name]) for s in shares]
            weights = [w if w >= OFF_WEIGHT else 0.0 for w in weights]
            total = sum(weights)
            split = {
                s.channel: left * (w / total if total > 0 else 1.0 / len(shares))
                for s, w in zip(shares, weights, strict=True)
            }
            plan = with_overrides(
                plan,
                {
                    **{f"channels.{c}.budget": round(v, 2) for c, v in split.items()},
                    **{f"channels.{c}.enabled": v >= 1.0 for c, v in split.items()},
                },
                "plan",
            )
        return plan.model_copy(update={"name": name})


def fixed_spend(scenario: Scenario, share_channels: Sequence[str]) -> float:
    """Monthly money the share levers cannot use: the payroll (reps and roles), other channels."""
    payroll = scenario.payroll_per_month()
    others = sum(
        c.budget for n, c in scenario.channels.items() if c.enabled and n not in share_channels
    )
    return payroll + others


def make_plans(
    base: Scenario,
    levers: Sequence[str],
    budget: float | None = None,
    source: str = "levers",
    budget_source: str = "budget",
) -> Plans:
    """Check levers (``channels.X.budget`` or ``KEY=LOW:HIGH[:log]``) and the budget.

    Args:
        base: The starting scenario.
        levers: The levers, as given.
        budget: The monthly budget; None: the scenario's own.
        source: Where the levers came from, for messages (``--lever``).
        budget_source: Where a budget came from, for messages (``--budget``).

    Raises:
        InputError: An unknown field or channel, a range outside the schema's bounds,
            a budget that is not a positive number, or one the fixed costs already use up.
    """
    if not levers:
        raise InputError(f"{source}: give at least one --lever")
    parsed = [_parse(text, base, source) for text in levers]
    keys = [lever.key for lever in parsed]
    if len(set(keys)) != len(keys):
        raise InputError(f"{source}: a lever is given twice: {sorted(keys)}")
    total = base.monthly_budget() if budget is None else budget
    if not (math.isfinite(total) and total > 0):
        raise InputError(
            f"{budget_source}: must be a positive number; got {total}"
            if budget is not None
            else f"{source}: the scenario's monthly budget (channels + rep payroll) is "
            f"{total:,.0f}: the levers need a positive budget to split"
        )
    shares = [lever for lever in parsed if lever.channel]
    ranges = [lever for lever in parsed if not lever.channel]
    notes: list[str] = []
    if shares:  # the budget binds only when share levers split it
        ranges = [_affordable(lever, base, shares, total, notes) for lever in ranges]
    floor = fixed_spend(
        with_overrides(base, {r.key: _cheapest(r) for r in ranges if r.key == "sales.reps"}),
        [s.channel for s in shares],
    )
    if floor > total and budget is None:
        raise InputError(
            f"{source}: the rep payroll and the channels that are not levers cost at least "
            f"{floor:,.0f} a month, more than the scenario's monthly budget of {total:,.0f}"
        )
    if floor > total or (not shares and budget is not None and floor != total):
        raise InputError(
            f"{budget_source} {total:,.0f}: the rep payroll and the channels that are not "
            f"levers cost {floor:,.0f} a month, so the shares cannot sum to the budget"
            + ("" if shares else f"; add a channel budget lever or leave {budget_source} out")
        )
    return Plans(base, (*shares, *ranges), float(total), tuple(notes))


def _parse(text: str, base: Scenario, source: str) -> Lever:
    key, sep, spec = text.partition("=")
    key = key.strip()
    parts = key.split(".")
    if not sep:
        if len(parts) != 3 or parts[0] != "channels" or parts[2] != "budget":
            raise InputError(
                f"{source}: lever {text!r}: a lever without a range must be a channel budget "
                "(channels.NAME.budget); give other fields as KEY=LOW:HIGH"
            )
        if parts[1] not in base.channels:
            raise InputError(
                f"{source}: lever {text!r}: no channel {parts[1]!r} in {base.name}; "
                f"channels: {', '.join(base.channels)}"
            )
        return Lever(key, 0.0, 1.0, channel=parts[1])
    log = spec.strip().endswith(":log")
    ends = spec.strip().removesuffix(":log").split(":")
    if len(ends) != 2:
        raise InputError(f"{source}: lever {text!r}: expected KEY=LOW:HIGH or KEY=LOW:HIGH:log")
    try:
        low, high = (float(e) for e in ends)
    except ValueError:
        raise InputError(f"{source}: lever {text!r}: LOW and HIGH must be numbers") from None
    if log and low <= 0:
        raise InputError(f"{source}: lever {text!r}: a log range needs LOW > 0")
    ((low, high),) = parameter_bounds(base, {key: (low, high)}, f"{source}: lever").values()
    current = field_value(base.model_dump(), key, key)
    integer = isinstance(current, int) and not isinstance(current, bool)
    if integer and math.floor(high) < math.ceil(low):
        raise InputError(f"{source}: lever {text!r}: no whole number in {low:g}:{high:g}")
    return Lever(key, low, high, integer, log)


def _cheapest(lever: Lever) -> int:
    return math.ceil(lever.low)


def _affordable(
    lever: Lever, base: Scenario, shares: Sequence[Lever], total: float, notes: list[str]
) -> Lever:
    """A reps range cut to the headcount the budget pays for, with a note."""
    if lever.key != "sales.reps":
        return lever
    per_rep = base.rep_cost_per_month()
    others = fixed_spend(base, [s.channel for s in shares]) - base.sales.reps * per_rep
    most = math.floor((total - others) / per_rep) if per_rep > 0 else math.inf
    if most >= lever.high:
        return lever
    if most < math.ceil(lever.low):
        return lever  # the budget check names it
    notes.append(
        f"sales.reps: at {per_rep:,.0f} a month each, the budget pays for at most {most}; "
        f"searched {math.ceil(lever.low)}:{most} instead of {lever.low:g}:{lever.high:g}"
    )
    return Lever(lever.key, lever.low, float(most), lever.integer, lever.log)
