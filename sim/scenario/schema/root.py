"""The whole what-if: a Scenario of its sections, its consistency checks and JSON Schema."""

from __future__ import annotations

import difflib
from typing import Annotated, Any

from pydantic import Field, model_validator

from sim.scenario.schema.after_sale import AfterSale, Product
from sim.scenario.schema.channels import Channel, Reviews, WordOfMouth
from sim.scenario.schema.fields import Section
from sim.scenario.schema.market import Attention, Competition, Journey, Population
from sim.scenario.schema.organisation import Calendar, Committee
from sim.scenario.schema.sales import Handoff, Sales
from sim.scenario.schema.uncertainty import Uncertainty
from sim.scenario.vocabulary import (
    DAYS_PER_MONTH,
    DAYS_PER_YEAR,
    RESERVED_SOURCES,
    SHARED_SOURCES,
)


class Scenario(Section):
    """A whole what-if: population, channels, sales, after-sale, word of mouth."""

    name: str = Field("scenario", max_length=100, description="Short name used in outputs.")
    description: str = Field("", max_length=5000)
    color: str | None = Field(
        None,
        pattern=r"^#[0-9a-fA-F]{6}$",
        description="Colour of this scenario in every figure (#rrggbb); unset = by order.",
    )
    horizon_days: Annotated[int, Field(ge=1, le=3650)] = Field(365, description="Days simulated.")
    population: Population = Population()
    attention: Attention = Attention()
    journey: Journey = Journey()
    handoff: Handoff = Handoff()
    sales: Sales = Sales()
    calendar: Calendar = Calendar()
    committee: Committee = Committee()
    channels: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")], Channel] = Field(
        default_factory=dict, description="Marketing channels by name."
    )
    reviews: Reviews = Reviews()
    word_of_mouth: WordOfMouth = WordOfMouth()
    product: Product = Product()
    after_sale: AfterSale = AfterSale()
    competition: Competition = Competition()
    uncertainty: Uncertainty = Field(
        default_factory=Uncertainty,
        description="What the user does not know: inputs drawn per run (filled from inline "
        "distributions such as `{uniform: [0.3, 1.2]}`) and a calibrated posterior.",
    )

    def enabled_channels(self) -> list[str]:
        """The names of the channels that are switched on, in the file's order."""
        return [name for name, channel in self.channels.items() if channel.enabled]

    def touch_sources(self) -> list[str]:
        """Touch sources in attribution order: the enabled channels, then the shared ones."""
        return [*self.enabled_channels(), *SHARED_SOURCES]

    def channel_budget(self) -> float:
        """Monthly budget of the enabled channels (currency per 30-day month)."""
        return sum(channel.budget for channel in self.channels.values() if channel.enabled)

    def rep_cost_per_month(self) -> float:
        """Payroll of one generalist rep for a 30-day month (paid on the working days)."""
        working = self.calendar.working_share
        return self.sales.cost_per_hour * self.sales.hours_per_day * DAYS_PER_MONTH * working

    def payroll_per_month(self) -> float:
        """The sales organisation's pay for a 30-day month: generalist reps and every role."""
        payroll = (self.sales.reps or 0) * self.rep_cost_per_month()
        roles = self.sales.roles
        if roles is not None:
            for role in (roles.sdr, roles.ae, roles.csm):
                if role is not None:
                    payroll += role.people * role.cost_per_year / DAYS_PER_YEAR * DAYS_PER_MONTH
        return payroll

    def monthly_budget(self) -> float:
        """What the plan spends a month as the shipped strategies count it: channels + payroll."""
        return self.channel_budget() + self.payroll_per_month()

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        journey, population = self.journey, self.population
        wom = self.word_of_mouth
        if (wom.network == "file") != (wom.network_file is not None):
            raise ValueError(
                "word_of_mouth.network_file: give it exactly when network is 'file'; got "
                f"network {wom.network!r} and network_file {wom.network_file!r}"
            )
        if journey.evaluate_at < journey.engage_at:
            raise ValueError(
                f"journey.evaluate_at: must be at least journey.engage_at "
                f"({journey.engage_at:g}); got {journey.evaluate_at:g}"
            )
        if population.market_size is not None and population.market_size < population.size:
            raise ValueError(
                f"population.market_size: must be at least population.size "
                f"({population.size}), of which the prospects are a sample; "
                f"got {population.market_size}"
            )
        for name, channel in self.channels.items():
            missing = [f for f in Channel.DEFINING if f not in channel.model_fields_set]
            if missing:
                defined = [
                    n
                    for n, c in self.channels.items()
                    if set(Channel.DEFINING) <= c.model_fields_set
                ]
                close = difflib.get_close_matches(name, defined, n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise ValueError(
                    f"channels.{name}: not a channel the scenario defines: a new channel gives "
                    f"{', '.join(Channel.DEFINING)} (missing {', '.join(missing)}){hint}"
                )
        clash = RESERVED_SOURCES & set(self.channels)
        if clash:
            raise ValueError(f"channel names {sorted(clash)} are reserved")
        if self.uncertainty:
            self._uncertain_fields_exist()
        return self

    def _uncertain_fields_exist(self) -> None:
        """Every uncertain key names a numeric field of this scenario."""
        known = self.model_dump(exclude={"uncertainty"})
        for key in self.uncertainty.keys():
            node: Any = known
            for part in key.split("."):
                node = node.get(part) if isinstance(node, dict) else None
            if isinstance(node, bool) or not isinstance(node, int | float):
                raise ValueError(
                    f"uncertainty: {key}: not a numeric field of the scenario; got {node!r}"
                )


EXTENDS_DESCRIPTION = (
    "A scenario file this one builds on (a .yaml/.yml path relative to this file, inside "
    "the scenario tree); this file's fields override it."
)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files as written, for editors.

    Every field has a default, so partial files (a shared base, a strategy that
    ``extends`` one) validate; unknown keys are still refused.
    """
    schema = Scenario.model_json_schema()
    schema["properties"]["extends"] = {
        "type": "string",
        "pattern": r"\.ya?ml$",
        "description": EXTENDS_DESCRIPTION,
    }
    return schema
