"""The market: who the prospects are, how touches land, how they move on, the competitors."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from sim.scenario.schema.fields import (
    NonNegativeFloat,
    PositiveFloat,
    Probability,
    Section,
    TrustWeights,
)


class TrustThreshold(TrustWeights):
    """Trust a prospect needs on each dimension before buying, in quality units.

    "Seven touches times four" (“Rub those sore sales muscles!”) is thresholds of
    about 7 on each dimension.
    Prospects differ: each prospect's thresholds are the means times a personal
    scepticism factor (gamma, mean 1, coefficient of variation ``spread``).
    """

    rep: NonNegativeFloat = 7.0
    subject: NonNegativeFloat = 7.0
    company: NonNegativeFloat = 7.0
    product: NonNegativeFloat = 7.0
    spread: NonNegativeFloat = Field(0.3, description="Coefficient of variation between prospects.")


class Population(Section):
    """Who the prospects are.

    Sources: “Rub those sore sales muscles!”; “Why touchpoint management?”; “Getting
    the next sale”.
    """

    size: Annotated[int, Field(ge=1, le=10_000_000)] = Field(
        10_000, description="Prospects simulated."
    )
    market_size: Annotated[int, Field(ge=1, le=10**12)] | None = Field(
        None,
        description="Accounts in the whole market, when the simulated prospects are a "
        "sample of it: budgets, fixed costs and rep capacity scale by size / market_size and "
        "KPI totals are reported for the whole market. Unset: the prospects are the market.",
    )
    trust_threshold: TrustThreshold = TrustThreshold()
    good_fit_share: Probability = Field(
        0.7, description="Share with the capacity and capability to buy, whose problem we solve."
    )
    initial_need_share: Probability = Field(0.1, description="Share with an active need on day 0.")
    need_rate_per_day: Probability = Field(
        0.005, description="Daily chance that a latent need becomes active."
    )
    need_duration_days: PositiveFloat = Field(90.0, description="Mean days a need stays active.")
    browsing_share: Probability = Field(
        0.0,
        description="Share who find content, webinars and reviews without a need to buy: the "
        "out-of-market part of a pull channel's audience (most of any B2B audience is out of "
        "market: the 95-5 rule).",
    )
    initial_customer_share: Probability = Field(
        0.0, description="Share who are already customers on day 0 (an installed base)."
    )

    @property
    def sample_share(self) -> float:
        """The share of the market simulated (1 when the prospects are the market)."""
        return 1.0 if self.market_size is None else self.size / self.market_size


class Attention(Section):
    """How touches land: need gates attention, fatigue and decay (“Why touchpoint management?”)."""

    no_need_receptivity: Probability = Field(
        0.1,
        description="Chance that a prospect with no active need listens to a touch; "
        "otherwise it bounces (it costs and tires, but builds no trust).",
    )
    decay_per_day: Probability = Field(0.01, description="Share of trust lost per day.")
    fatigue_recovery_per_day: Probability = Field(
        0.1, description="Share of fatigue that wears off per day."
    )
    opt_out_fatigue: PositiveFloat = Field(
        5.0, description="Fatigue above which a prospect opts out (becomes lost)."
    )


class Journey(Section):
    """When a prospect with a need moves on, by trust progress (trust / threshold, 0..1)."""

    engage_at: Probability = Field(0.2, description="Mean progress to become engaged.")
    evaluate_at: Probability = Field(
        0.45, description="Mean progress to start evaluating (the zero moment of truth)."
    )


class Competition(Section):
    """The rest of the market: every prospect with a need is courted by competitors too.

    Sources: “What are Sales Touchpoints?” (a competitive marketplace; lead response
    time as a KPI); Oldroyd, McElheran & Elkington, “The Short Life of Online Sales
    Leads”, Harvard Business Review (2011): a lead answered within the hour was about
    seven times as likely to be qualified as one answered an hour later; Dixon & McKenna,
    *The JOLT Effect* (2022): 40–60 % of B2B opportunities end in no decision.
    """

    buy_elsewhere_per_day: Probability = Field(
        0.0,
        description="Daily chance that a prospect with a fresh active need and no trust in us "
        "buys from a competitor (0: no competitors).",
    )
    urgency_per_month: NonNegativeFloat = Field(
        1.0, description="How that chance grows with each month the need has been active."
    )
    trust_shield: Probability = Field(
        0.8, description="How much of it trust in us takes away (at full trust progress)."
    )
    no_decision_share: Probability = Field(
        0.0,
        description="Chance that one decision maker, the deal ready, shelves the purchase: a "
        "lead of a one-person account then leaves as lost, and a committee of k stalls with "
        "chance 1 - (1 - share)^k (Dixon & McKenna, The JOLT Effect, 2022: 40-60 % of B2B "
        "opportunities end in no decision); 0: every ready lead buys.",
    )
