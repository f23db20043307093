"""The sales side: the handoff from marketing and the sales team."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool, model_validator

from sim.scenario.schema.fields import (
    Money,
    NonNegativeFloat,
    PositiveFloat,
    Probability,
    Quality,
    Section,
    TrustWeights,
)
from sim.scenario.schema.organisation import DealStages, OpeningPipeline, Role, Roles
from sim.scenario.vocabulary import DAYS_PER_YEAR


class Handoff(Section):
    """The marketing → sales handoff rule and lead qualification.

    Sources: “Rub those sore sales muscles!”; “Getting the next sale”.
    """

    rule: Literal["mean", "min"] = Field(
        "mean", description="Progress measure: mean over the four trusts, or the weakest one."
    )
    level: Probability = Field(0.6, description="Progress at which a lead is handed to sales.")
    qualify: StrictBool = Field(
        False, description="Screen leads for fit before reps spend time on them."
    )
    qualification_accuracy: Probability = Field(
        0.8, description="Chance a poor-fit lead is caught by qualification."
    )
    self_serve: StrictBool = Field(
        False, description="Prospects may buy without a rep once every trust is met."
    )


class Sales(Section):
    """The sales team: generalist reps, or an organisation of roles.

    Generalist reps (``reps``) answer a lead and call it until it buys; with ``roles``,
    SDRs answer and qualify leads, AEs run each opportunity through ``stages`` and CSMs
    care for customers. Either way the team works the calendar's hours, one activity at
    a time, so response time and cycle time are outcomes of its capacity.

    Sources: “Rub those sore sales muscles!”; “What are Sales Touchpoints?”;
    “Marketing, Meet Sales”.
    """

    reps: Annotated[int, Field(ge=0, le=100_000)] | None = Field(
        None, description="Generalist reps (headcount; unset = 5, or 0 with roles)."
    )
    roles: Roles | None = Field(None, description="SDRs, AEs and CSMs instead of generalist reps.")
    stages: DealStages = DealStages()
    opening_pipeline: OpeningPipeline = Field(
        default_factory=dict,
        description="Leads and opportunities open on day 0, by stage (counts in the market, "
        "from the CRM); each starts at a random point of its stage, with the trust the "
        "stage needs.",
    )
    cost_per_hour: Money = Field(60.0, description="Loaded cost of a rep hour (currency).")
    minutes_per_touch: PositiveFloat = Field(30.0, description="Rep minutes per call or meeting.")
    hours_per_day: Annotated[float, Field(ge=0, le=24)] = Field(
        6.0, description="Selling hours per rep per day."
    )
    skill: Quality = Quality(mean=1.5, sd=0.3)
    trust: TrustWeights = TrustWeights(rep=1.0, subject=0.6, company=0.4, product=0.3)
    response_time_hours: NonNegativeFloat = Field(
        4.0,
        description="Policy: the earliest a new lead is called, in hours after it arrives. "
        "A busy or closed team calls later; the achieved times are KPIs.",
    )
    cooling_per_day: Probability = Field(
        0.05, description="Share of trust a lead loses per day it waits for first contact."
    )
    reach_at_once: Probability = Field(
        1.0,
        description="Chance that a call made the moment a lead arrives reaches the decision "
        "maker (Oldroyd, McElheran & Elkington 2011).",
    )
    reach_later: Probability = Field(
        1.0, description="Chance that a call reaches them once the lead has gone cold."
    )
    reach_half_life_hours: PositiveFloat = Field(
        1.0,
        description="Hours after the handoff for the reach chance to fall halfway from "
        "reach_at_once to reach_later.",
    )
    interest_later: Probability = Field(
        1.0,
        description="Chance that a lead reached only once it has gone cold is still "
        "interested (the rest have moved on and are lost); 1 = every lead stays interested.",
    )
    interest_half_life_hours: PositiveFloat = Field(
        24.0,
        description="Hours after the handoff for a lead's interest to fall halfway from "
        "certain to interest_later.",
    )
    lead_expiry_days: PositiveFloat = Field(
        14.0, description="Days a lead waits for first contact before it is lost."
    )
    queue_order: Literal["oldest_first", "newest_first"] = Field(
        "newest_first",
        description="Which due leads reps call first: the longest waiting, or the freshest "
        "(speed to lead).",
    )
    follow_up_days: Annotated[int, Field(ge=1)] = Field(3, description="Days between rep touches.")
    max_touches_per_lead: Annotated[int, Field(ge=1)] = Field(
        8, description="Rep touches before a lead that has not bought is given up."
    )
    use_online_history: StrictBool = Field(
        True,
        description="Reps read the prospect's online history before calling "
        "(“Marketing, Meet Sales”).",
    )
    informed_bonus: NonNegativeFloat = Field(
        0.5, description="Relative quality lift of a fully informed rep touch."
    )
    informed_after_touches: PositiveFloat = Field(
        10.0, description="Online touches after which a rep is fully informed."
    )
    feedback_to_marketing: NonNegativeFloat = Field(
        0.2,
        description="Max relative lift of content quality from what reps learn "
        "(“Rub those sore sales muscles!”).",
    )
    feedback_scale_touches: PositiveFloat = Field(
        2000.0, description="Rep touches for ~63% of that lift."
    )

    @model_validator(mode="after")
    def _one_organisation(self) -> Sales:
        if self.roles is not None and self.reps:
            raise ValueError(
                f"sales.reps: give generalist reps or sales.roles, not both; got reps {self.reps}"
            )
        if self.reps is None:
            self.reps = 0 if self.roles is not None else 5
        deals = sorted(set(self.opening_pipeline) - {"lead"})
        if deals and self.roles is None:
            raise ValueError(
                f"sales.opening_pipeline: opportunities in {', '.join(deals)} need sales.roles "
                "(generalist reps have leads, not stages)"
            )
        return self

    def generalist(self, working_days_per_year: float = DAYS_PER_YEAR) -> Role:
        """The generalist reps as a role: paid ``cost_per_hour`` for each selling hour."""
        return Role(
            headcount=self.reps or 0,
            cost_per_year=self.cost_per_hour * self.hours_per_day * working_days_per_year,
            hours_per_day=max(self.hours_per_day, 1e-9),
            minutes_per_activity=self.minutes_per_touch,
            minutes_cv=0.0,
            skill=self.skill,
            trust=self.trust,
        )

    @model_validator(mode="after")
    def _reach_fades(self) -> Sales:
        if self.reach_later > self.reach_at_once:
            raise ValueError(
                f"sales.reach_later: a lead is not easier to reach once it has gone cold: "
                f"must be at most reach_at_once ({self.reach_at_once:g}); "
                f"got {self.reach_later:g}"
            )
        return self
