"""The levers a trainer pulls: what each means to a marketer, its unit, its source, its overrides.

A lever turns one value a marketer understands ("answer leads within 1 hour") into
dotted scenario overrides (``sales.response_time_hours: 1``). The overrides are always
computed from the scenario as shipped, then applied and validated by the scenario
layer (:func:`sim.scenario.load_scenario`), so a lever can never build a scenario that
``run.py validate`` would refuse.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sim.scenario.errors import ScenarioError, short
from sim.scenario.schema import Scenario

Overrides = Callable[[Scenario, Any], dict[str, Any]]

NETWORKS = {
    "graph": "friends at random",
    "small_world": "close-knit circles (small world)",
    "scale_free": "a few well-connected hubs (scale-free)",
    "full": "everyone talks to everyone",
    "none": "nobody talks",
}
"""The network types a trainer may pick, in words (``word_of_mouth.network``)."""


@dataclass(frozen=True)
class Lever:
    """One lever: a marketer's words for a value and the scenario fields it sets.

    Attributes:
        name: The key stories use (``response_time``).
        label: What the button says before the value.
        unit: The value's unit, in words.
        source: The source text the mechanism comes from (by title), for the tooltip.
        why: One line on what the lever does, for the tooltip.
        overrides: ``(scenario as shipped, value) -> {dotted key: value}``.
        low: The smallest value (numbers only).
        high: The largest value (numbers only).
        presets: Values offered in free play.
        choices: The allowed words, for a lever that takes words instead of numbers.
        one: The unit after the value 1 (``hour from a lead ...``), if it differs.
    """

    name: str
    label: str
    unit: str
    source: str
    why: str
    overrides: Overrides
    low: float = 0.0
    high: float = math.inf
    presets: tuple[Any, ...] = ()
    choices: Mapping[str, str] | None = None
    one: str = ""

    def check(self, value: Any, where: str) -> Any:
        """``value`` if this lever takes it; ScenarioError naming ``where`` and the value if not."""
        if self.choices is not None:
            if value not in self.choices:
                options = ", ".join(self.choices)
                raise ScenarioError(f"{where}: must be one of {options}; got {short(value)}")
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ScenarioError(f"{where}: must be a number ({self.unit}); got {short(value)}")
        if not math.isfinite(value) or not self.low <= value <= self.high:
            raise ScenarioError(
                f"{where}: must be between {self.low:g} and {self.high:g} ({self.unit}); "
                f"got {short(value)}"
            )
        return value

    def text(self, value: Any) -> str:
        """The lever and its value in words: ``Lead response time: 24 hours``."""
        if self.choices:
            return f"{self.label}: {self.choices[value]}"
        unit = self.one if value == 1 and self.one else self.unit
        return f"{self.label}: {value:,g} {unit}"

    def tooltip(self) -> str:
        """Unit, what it does and where it comes from."""
        unit = self.unit
        if self.choices:
            unit += " (" + "; ".join(self.choices.values()) + ")"
        return f"{self.why} Unit: {unit}. Source: {self.source}"


def _budget_split(scenario: Scenario, percent: float) -> dict[str, Any]:
    """Move money between channels and reps; the monthly total and channel proportions stay."""
    total, rep_month = scenario.monthly_budget(), scenario.rep_cost_per_month()
    reps = int(round((1 - percent / 100) * total / rep_month)) if rep_month else 0
    marketing = max(total - reps * rep_month, 0.0)
    enabled = scenario.enabled_channels()
    shipped = scenario.channel_budget()
    out: dict[str, Any] = {"sales.reps": reps}
    for name in enabled:
        share = scenario.channels[name].budget / shipped if shipped else 1 / len(enabled)
        out[f"channels.{name}.budget"] = marketing * share
    return out


def _touch_quality(scenario: Scenario, factor: float) -> dict[str, Any]:
    """Scale the quality of every channel's touches and the reps' skill."""
    out: dict[str, Any] = {}
    for name, channel in scenario.channels.items():
        out[f"channels.{name}.quality.mean"] = channel.quality.mean * factor
        out[f"channels.{name}.quality.sd"] = channel.quality.sd * factor
    out["sales.skill.mean"] = scenario.sales.skill.mean * factor
    out["sales.skill.sd"] = scenario.sales.skill.sd * factor
    return out


def _field(key: str, scale: float = 1.0) -> Overrides:
    """A lever that sets one field (its value times ``scale``)."""

    def overrides(_: Scenario, value: Any) -> dict[str, Any]:
        return {key: value * scale if scale != 1.0 else value}

    return overrides


MARKETING_MEET_SALES = "“Marketing, Meet Sales; Sales, Meet Marketing”"
SORE_SALES_MUSCLES = "“Rub those sore sales muscles!”"
SALES_TOUCHPOINTS = "“What are Sales Touchpoints?”"
WHY_TOUCHPOINTS = "“Why touchpoint management? Classic sales models no longer work!”"
NEXT_SALE = "“Getting the next sale”"

LEVERS: dict[str, Lever] = {
    lever.name: lever
    for lever in (
        Lever(
            "budget_split",
            "Budget to marketing",
            "% of the monthly budget (the rest pays sales reps)",
            MARKETING_MEET_SALES,
            "Moves money between marketing channels and sales reps; the total stays.",
            _budget_split,
            high=100.0,
            presets=(20, 40, 60, 80),
        ),
        Lever(
            "touch_quality",
            "Touch quality",
            "× as shipped (every channel and every rep)",
            SORE_SALES_MUSCLES,
            "Better touches build more trust each: fewer are needed per sale.",
            _touch_quality,
            low=0.1,
            high=5.0,
            presets=(0.5, 1, 1.5, 2),
        ),
        Lever(
            "response_time",
            "Lead response time",
            "hours from a lead to a rep's first call",
            f"{SALES_TOUCHPOINTS} (lead response time); HBR 2011, “The Short Life of Online "
            "Sales Leads”",
            "A lead that waits cools off, and competitors get their chance.",
            _field("sales.response_time_hours"),
            high=24 * 30,
            presets=(0.5, 1, 4, 24, 72),
            one="hour from a lead to a rep's first call",
        ),
        Lever(
            "sdrs",
            "Sales development reps",
            "people who answer and qualify new leads",
            f"{SALES_TOUCHPOINTS} (lead response time); {MARKETING_MEET_SALES}",
            "More SDRs answer leads sooner; a new hire ramps up over months and is paid "
            "from day one. Only for a sales organisation with roles.",
            _field("sales.roles.sdr.headcount"),
            high=100.0,
            presets=(2, 3, 5, 8),
            one="person who answers and qualifies new leads",
        ),
        Lever(
            "referral_reward",
            "Referral reward",
            "currency paid per referred customer who buys",
            WHY_TOUCHPOINTS,
            "Pays customers who bring a friend who buys: journeys begin with a recommendation.",
            _field("word_of_mouth.referral_programme.reward_referrer"),
            high=100_000.0,
            presets=(0, 50, 100, 250),
        ),
        Lever(
            "care",
            "Care after the sale",
            "touches per customer per month",
            NEXT_SALE,
            "Post-purchase care keeps customers satisfied: they stay, buy again and recommend.",
            _field("after_sale.care_touches_per_month"),
            high=30.0,
            presets=(0, 0.5, 1, 2),
            one="touch per customer per month",
        ),
        Lever(
            "competition",
            "Competition",
            "% of prospects with a fresh need who buy elsewhere each day",
            f"{SALES_TOUCHPOINTS} (a competitive marketplace)",
            "The rest of the market courts every prospect who has a need.",
            _field("competition.buy_elsewhere_per_day", scale=0.01),
            high=100.0,
            presets=(0, 0.1, 0.5, 1),
        ),
        Lever(
            "network",
            "Who talks to whom",
            "the prospects' social network",
            WHY_TOUCHPOINTS,
            "The network word of mouth travels over.",
            _field("word_of_mouth.network"),
            presets=tuple(NETWORKS),
            choices=NETWORKS,
        ),
    )
}
"""Every lever, by the name stories use."""


def lever_overrides(shipped: Scenario, pulled: Mapping[str, Any]) -> dict[str, Any]:
    """The dotted overrides of every pulled lever ``{name: value}``, from the shipped scenario."""
    out: dict[str, Any] = {}
    for name, value in pulled.items():
        out.update(LEVERS[name].overrides(shipped, value))
    return out
