"""The sales organisation: roles, the business calendar and the stages of an opportunity.

Sources: “What are Sales Touchpoints?” (lead response time; the sales team's touches);
“Getting the next sale” (qualifying early frees reps); Oldroyd, McElheran & Elkington,
“The Short Life of Online Sales Leads”, HBR 2011 (leads arrive around the clock and are
answered in working hours).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.scenario.schema.fields import (
    Money,
    NonNegativeFloat,
    PositiveFloat,
    Probability,
    Quality,
    Section,
    TrustWeights,
)
from sim.scenario.vocabulary import DEAL_STAGES, WEEKDAYS

Weekday = Literal[WEEKDAYS]
DealStageName = Literal[DEAL_STAGES]
HourProfile = Annotated[list[NonNegativeFloat], Field(min_length=24, max_length=24)]


class Calendar(Section):
    """When the sales organisation works, and when leads arrive.

    Leads arrive at any hour of any day; reps answer them only in working hours, so a
    lead that arrives on a Friday evening waits for Monday morning. The default is a
    team that is always open (every hour of every day), as a model without a calendar.
    """

    open_hours: tuple[float, float] = Field(
        (0.0, 24.0),
        description="Working hours of a working day: [start, end) in hours of the day (0-24).",
    )
    working_days: list[Weekday] = Field(
        list(WEEKDAYS), min_length=1, description="Days of the week the team works."
    )
    first_weekday: Weekday = Field("mon", description="The day of the week of day 1.")
    holidays: list[Annotated[int, Field(ge=1)]] = Field(
        default_factory=list, description="Days of the run (1 = the first) nobody works."
    )
    lead_hours: HourProfile | None = Field(
        None,
        description="Relative numbers of leads arriving in each hour (0-23) of a working "
        "day; unset = evenly around the clock.",
    )
    lead_hours_days_off: HourProfile | None = Field(
        None, description="The same on days nobody works; unset = as on working days."
    )

    @model_validator(mode="after")
    def _sensible(self) -> Calendar:
        start, end = self.open_hours
        if not 0 <= start < end <= 24:
            raise ValueError(
                f"calendar.open_hours: need 0 <= start < end <= 24; got [{start:g}, {end:g}]"
            )
        if len(set(self.working_days)) != len(self.working_days):
            raise ValueError(f"calendar.working_days: a day is named twice: {self.working_days}")
        for name in ("lead_hours", "lead_hours_days_off"):
            profile = getattr(self, name)
            if profile is not None and sum(profile) <= 0:
                raise ValueError(f"calendar.{name}: no hour has any leads; got all zeros")
        return self

    @property
    def working_share(self) -> float:
        """Share of the week's days the team works (holidays aside)."""
        return len(self.working_days) / 7.0

    @property
    def open_length_hours(self) -> float:
        """Hours the team is open on a working day."""
        return self.open_hours[1] - self.open_hours[0]


class Role(Section):
    """One role of the sales organisation: its people, their time, pay and skill.

    A new hire sells at ``ramp_start`` of full speed on their first day and reaches full
    speed over ``ramp_months`` (linearly), paid in full from the day they start.
    """

    headcount: Annotated[int, Field(ge=0, le=100_000)] = Field(
        1, description="People in the role at the start, fully ramped."
    )
    cost_per_year: Money = Field(60_000.0, description="Loaded cost of one person a year.")
    hours_per_day: Annotated[float, Field(gt=0, le=24)] = Field(
        6.0, description="Hours of a working day spent on the role's activities."
    )
    minutes_per_activity: PositiveFloat = Field(
        20.0, description="Mean minutes of one activity (a call, a meeting) with its preparation."
    )
    minutes_cv: Annotated[float, Field(ge=0, le=3)] = Field(
        0.5,
        description="Spread of an activity's minutes (coefficient of variation, gamma): "
        "0 = always the mean, 1 = exponential.",
    )
    skill: Quality = Quality(mean=1.5, sd=0.3)
    trust: TrustWeights = TrustWeights(rep=1.0, subject=0.6, company=0.4, product=0.3)
    new_hires: Annotated[int, Field(ge=0, le=100_000)] = Field(
        0, description="People hired into the role on hire_day, who then ramp up."
    )
    hire_day: Annotated[int, Field(ge=1)] = Field(1, description="The day the new hires start.")
    ramp_months: NonNegativeFloat = Field(
        3.0, description="Months a new hire takes to reach full speed."
    )
    ramp_start: Probability = Field(0.3, description="A new hire's speed on day one (share).")

    @property
    def people(self) -> int:
        """Everyone who works in the role during the run."""
        return self.headcount + self.new_hires


class Roles(Section):
    """Who does what: SDRs answer and qualify leads, AEs run opportunities, CSMs care.

    Give ``sdr`` and ``ae`` together; ``csm`` is optional (without it, care touches are
    bought per touch at ``after_sale.care_cost_per_touch``).
    """

    sdr: Role = Field(
        default_factory=lambda: Role(minutes_per_activity=15.0, cost_per_year=70_000.0),
        description="Sales development reps: the first call to a lead, follow-ups, qualification.",
    )
    ae: Role = Field(
        default_factory=lambda: Role(minutes_per_activity=60.0, cost_per_year=120_000.0),
        description="Account executives: the meetings of each opportunity stage.",
    )
    csm: Role | None = Field(
        None, description="Customer success managers: post-purchase care touches."
    )


class DealStage(Section):
    """One stage of an opportunity: a meeting, then the buyer's own time, then an exit.

    After each meeting the opportunity moves on if the prospect's trust progress has
    reached ``advance_at`` (the last stage: every trust met); otherwise the AE meets
    them again after ``sales.follow_up_days``, up to ``meetings`` times, and then the
    deal is lost.
    """

    days: Quality = Field(description="Days the buyer takes before the next stage's meeting.")
    advance_at: Probability = Field(description="Trust progress needed to move on.")
    meetings: Annotated[int, Field(ge=1, le=100)] = Field(
        2, description="Meetings in the stage before the deal is given up."
    )


class DealStages(Section):
    """The stages of an opportunity in order (a CRM's pipeline), with their durations."""

    discovery: DealStage = DealStage(days=Quality(mean=7.0, sd=4.0), advance_at=0.5)
    demo: DealStage = DealStage(days=Quality(mean=14.0, sd=7.0), advance_at=0.65)
    proposal: DealStage = DealStage(days=Quality(mean=14.0, sd=7.0), advance_at=0.8)
    negotiation: DealStage = DealStage(days=Quality(mean=10.0, sd=5.0), advance_at=1.0)


OpeningPipeline = dict[DealStageName, Annotated[int, Field(ge=0, le=10**9)]]


class Committee(Section):
    """Who buys at an account: a buying committee of stakeholders, each with their own trust.

    Sources: Gartner, “The B2B buying journey” (2019: 6–10 people in a complex purchase);
    Dixon & McKenna, *The JOLT Effect* (2022: 40–60 % of qualified deals end in no decision).

    A prospect row is an account. Its champion (the person marketing reaches and who
    carries the account along the journey) holds the row's trust; the other stakeholders
    take ``champion_influence`` of it (internal selling) and build the rest of their own
    only when reps meet them (multi-threading). A deal goes
    ahead when the champion's four trusts and those of ``on_side_share`` of the whole
    committee are met; then every stakeholder may stall it (``competition.no_decision_share``
    each), so bigger committees end in no decision more often. Accounts of one person
    (the default) are the model without committees.
    """

    sizes: dict[Annotated[int, Field(ge=1, le=20)], NonNegativeFloat] = Field(
        default_factory=lambda: {1: 1.0},
        description="Relative shares of accounts by committee size (people), e.g. {6: 1, 8: 2}.",
    )
    on_side_share: Probability = Field(
        0.5, description="Share of the committee whose every trust must be met to buy."
    )
    threads_per_meeting: Annotated[int, Field(ge=1, le=20)] = Field(
        3, description="Stakeholders a rep meeting reaches: the champion and the others."
    )
    champion_influence: Probability = Field(
        0.5,
        description="Share of the champion's trust the other stakeholders take from them "
        "(internal selling: Adamson, Dixon & Toman, HBR 2012).",
    )

    @model_validator(mode="after")
    def _some_accounts(self) -> Committee:
        if sum(self.sizes.values()) <= 0:
            raise ValueError(f"committee.sizes: no size has any accounts; got {self.sizes}")
        return self

    @property
    def largest(self) -> int:
        """The largest committee with any accounts."""
        return max(size for size, share in self.sizes.items() if share > 0)
