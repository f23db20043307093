"""What every section of a scenario is made of: strictness, units, shared quantities."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.scenario.vocabulary import DIMENSIONS, JOURNEY_STAGES

Money = Annotated[float, Field(ge=0)]
Probability = Annotated[float, Field(ge=0, le=1)]
PositiveFloat = Annotated[float, Field(gt=0)]
NonNegativeFloat = Annotated[float, Field(ge=0)]
StageName = Literal[JOURNEY_STAGES]


class Section(BaseModel):
    """A part of a scenario: unknown keys, NaN and infinities are refused, also on assignment."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, validate_assignment=True)


class Quality(Section):
    """A gamma-distributed positive quantity (touch quality in quality units)."""

    mean: NonNegativeFloat = Field(1.0, description="Mean, in quality units.")
    sd: NonNegativeFloat = Field(0.0, description="Standard deviation; 0 = always the mean.")

    @model_validator(mode="after")
    def _possible(self) -> Quality:
        if self.sd > 0 and self.mean == 0:
            raise ValueError("a distribution with mean 0 cannot have sd > 0")
        return self


class Satisfaction(Section):
    """Satisfaction on a 0..1 scale: normal, clipped to [0, 1]."""

    mean: Probability = Field(0.6, description="Mean satisfaction with the product (0..1).")
    sd: Annotated[float, Field(ge=0, le=1)] = Field(0.15, description="Spread between customers.")


class TrustWeights(Section):
    """How much of a touch's quality lands on each of the four trusts.

    Source: “Rub those sore sales muscles!”.
    """

    rep: NonNegativeFloat = 0.0
    subject: NonNegativeFloat = 0.0
    company: NonNegativeFloat = 0.0
    product: NonNegativeFloat = 0.0

    def as_tuple(self) -> tuple[float, ...]:
        """The values in the order of :data:`DIMENSIONS`."""
        return tuple(getattr(self, d) for d in DIMENSIONS)
