"""Touches outside sales: marketing channels, review sites and word of mouth."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, StrictBool, field_validator

from sim.scenario.schema.fields import (
    Money,
    NonNegativeFloat,
    PositiveFloat,
    Probability,
    Quality,
    Section,
    StageName,
    TrustWeights,
)


class Channel(Section):
    """A marketing channel as data.

    Sources: “Rub those sore sales muscles!”; “What are Sales Touchpoints?”;
    “Marketing, Meet Sales”.
    """

    DEFINING: ClassVar[tuple[str, ...]] = (
        "cost_per_touch",
        "reach_per_day",
        "audience",
        "stages",
        "quality",
        "trust",
    )
    """Fields a channel must state somewhere in its chain of files: no silent defaults for
    a misspelled name."""

    enabled: StrictBool = True
    budget: Money = Field(0.0, description="Spend cap on touches, currency per 30-day month.")
    fixed_cost_per_month: Money = Field(0.0, description="Fixed cost (platform, production).")
    cost_per_touch: Money = Field(1.0, description="Cost of one touch or impression.")
    reach_per_day: Probability = Field(
        1.0, description="Max share of the eligible audience touched per day."
    )
    reach_share: Probability = Field(
        1.0,
        description="Share of the market the channel can ever reach (its audience: e.g. 0.4 "
        "for a network where 40% of the accounts are); each prospect is in it or not for the "
        "whole run; 1 = everyone.",
    )
    holdout_share: Annotated[float, Field(ge=0, lt=1)] = Field(
        0.0,
        description="A lift test's control group: this share of the market, chosen at random "
        "(drawn once per prospect on the channel's own stream), is never touched by the "
        "channel, whose touches for them are not bought (it spends budget x (1 - share) on "
        "the rest, as an ad platform's holdout does); 0 = no holdout.",
    )
    audience: Literal["everyone", "active_need"] = Field(
        "everyone",
        description="'everyone' pushes at all (advertising); 'active_need' is found only by "
        "prospects who are looking (search, content, reviews).",
    )
    best_connected_share: Annotated[float, Field(gt=0, le=1)] | None = Field(
        None,
        description="Seed the network: reach only this share of prospects with the most "
        "social ties (e.g. 0.1 for free trials to the best-connected 10%); unset = all.",
    )
    stages: list[StageName] = Field(
        default_factory=lambda: ["unaware", "aware", "engaged", "evaluating"],
        description="Stages the channel targets.",
    )
    quality: Quality = Quality()
    trust: TrustWeights = TrustWeights(subject=1.0)
    intrusiveness: NonNegativeFloat = Field(0.0, description="Fatigue added per touch.")
    flighting: list[NonNegativeFloat] | None = Field(
        None,
        min_length=1,
        max_length=520,
        description="Weekly spend weights, repeated (e.g. [1, 0] = a week on, a week off); "
        "scaled to average 1, so each cycle spends the budget; unset = the same every day.",
    )

    @field_validator("flighting")
    @classmethod
    def _flighting_spends(cls, weeks: list[float] | None) -> list[float] | None:
        if weeks is not None and not any(weeks):
            raise ValueError("at least one week must have a weight above 0")
        return weeks


class Reviews(Section):
    """Review sites and the zero moment of truth (“Marketing, Meet Sales”)."""

    enabled: StrictBool = True
    post_share: Probability = Field(0.2, description="Share of customers who post a review.")
    delay_days: Annotated[int, Field(ge=0)] = Field(30, description="Days after purchase to post.")
    initial_count: Annotated[int, Field(ge=0)] = Field(5, description="Reviews on day 0.")
    initial_score: Probability = Field(0.6, description="Their mean score (0..1).")
    neutral_score: Probability = Field(0.6, description="Score that neither helps nor hurts.")
    weight: NonNegativeFloat = Field(
        8.0, description="Quality units a lookup adds per unit of (score - neutral)."
    )
    saturation: PositiveFloat = Field(20.0, description="Reviews for half the full effect.")
    trust: TrustWeights = TrustWeights(company=1.0, product=1.0)


class ReferralProgramme(Section):
    """A referral programme: rewards, asks, eligibility, a monthly budget and a cap.

    Off by default (no reward, no ask). A reward lifts a customer's willingness to
    recommend, satisfaction × (1 + lift), by lift = ``max_uplift`` × reward / (reward +
    ``reward_for_half_lift``): the reward's absolute size, with diminishing returns. Only
    eligible customers (tenure, satisfaction) are lifted or asked. Sources: Ryu & Feick
    2007, “A penny for your thoughts: referral reward programs and referral likelihood”
    (Journal of Marketing: a reward raises referral likelihood; their larger reward did
    not raise it further); Wirtz & Chew 2002, “The effects of incentives, deal proneness,
    satisfaction and tie strength on word-of-mouth behaviour” (International Journal of
    Service Industry Management: incentives get satisfied customers to recommend;
    satisfaction is necessary but not sufficient); Schmitt, Skiera & Van den Bulte 2011,
    “Referral programs and customer value” (Journal of Marketing).
    """

    reward_referrer: Money = Field(
        0.0, description="Paid to the customer who referred when the referred prospect buys."
    )
    reward_referred: Money = Field(
        0.0,
        description="Welcome credit paid to a referred prospect at their purchase, booked as a "
        "referral cost (its pull on their decision is not modelled).",
    )
    budget_per_month: Money | None = Field(
        None,
        description="Rewards paid in a 30-day month at most (market-wide); once the month's "
        "rewards reach it the programme pauses until the next month (no asks, no promised "
        "reward, no lift; a reward due then is not paid); unset = no limit.",
    )
    cap_per_referrer: Annotated[int, Field(ge=0)] | None = Field(
        None, description="Rewarded referrals per customer over the run; unset = no cap."
    )
    eligible_after_months: NonNegativeFloat = Field(
        0.0, description="Months a customer must have been one before the programme counts them."
    )
    min_satisfaction: Probability = Field(
        0.0,
        description="Satisfaction (0..1) a customer needs to be asked, lifted or rewarded: the "
        "dissatisfied do not refer for a reward.",
    )
    ask_rate_per_month: Annotated[float, Field(ge=0, le=30)] = Field(
        0.0,
        description="Times a month the company asks each eligible customer to refer; one "
        "asked and willing recommends the product to a random tie who is an open prospect.",
    )
    max_uplift: NonNegativeFloat = Field(
        1.0, description="Relative lift of willingness to recommend from an unlimited reward."
    )
    reward_for_half_lift: PositiveFloat = Field(
        1000.0, description="Referrer's reward (currency) that gives half of max_uplift."
    )

    @property
    def running(self) -> bool:
        """Whether the programme does anything: a reward to pay or customers to ask."""
        return self.rewards_per_referral > 0 or self.ask_rate_per_month > 0

    @property
    def rewards_per_referral(self) -> float:
        """What one referral that buys costs: the referrer's reward and the welcome credit."""
        return self.reward_referrer + self.reward_referred


class WordOfMouth(Section):
    """Recommendations over the social graph.

    Sources: “Why touchpoint management?”; “Marketing, Meet Sales”.
    """

    network: Literal["graph", "small_world", "scale_free", "file", "full", "none"] = Field(
        "graph",
        description="'graph': a sparse random graph (Erdős–Rényi); 'small_world': a ring of "
        "neighbours with some ties rewired (Watts–Strogatz); 'scale_free': heavy-tailed "
        "degrees, a few hubs (configuration model); 'file': a real network from "
        "network_file; 'full': full mixing; 'none'.",
    )
    network_file: str | None = Field(
        None,
        max_length=1000,
        description="network 'file': an edge list (CSV or Parquet, two columns of prospect "
        "numbers 0..size-1), relative to the scenario file that names it, inside the "
        "scenario tree.",
    )
    mean_degree: NonNegativeFloat = Field(10.0, description="Mean social ties per prospect.")
    rewire_share: Probability = Field(
        0.1, description="small_world: share of ring ties rewired to a random prospect."
    )
    degree_exponent: Annotated[float, Field(gt=2, le=10)] = Field(
        2.5, description="scale_free: exponent of the power-law degree distribution."
    )
    conversation_rate_per_day: Probability = Field(
        0.02, description="Daily chance a prospect talks with one of their ties about the need."
    )
    quality: Quality = Quality(mean=2.0, sd=0.5)
    trust: TrustWeights = TrustWeights(rep=0.3, subject=1.0, company=1.0, product=1.0)
    need_activation: Probability = Field(
        0.3, description="Chance a recommendation wakes a latent need."
    )
    referral_programme: ReferralProgramme = ReferralProgramme()
    fit_screening: Probability = Field(
        0.0,
        description="Chance a referrer holds back a recommendation to a tie who is a poor fit "
        "(the referrer knows the need): referred prospects are better fits.",
    )
    referred_churn_ratio: Annotated[float, Field(ge=0, le=10)] = Field(
        1.0,
        description="Churn hazard of a referred customer relative to the others (Schmitt, "
        "Skiera & Van den Bulte 2011: referred customers are more loyal and at least 16% more "
        "valuable; 1 = no difference).",
    )
