"""The scenario format: typed, validated, every default and unit documented here.

A scenario is YAML on disk and a :class:`Scenario` in memory. Validation happens
once, at the boundary: unknown keys, wrong types, NaN/inf, negative money and
probabilities above 1 are refused, and the loader (:mod:`sim.scenario.loading`)
turns the first problem into a :class:`ScenarioError` naming the file, the field
path and the bad value.
"""

from __future__ import annotations

import difflib
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    field_validator,
    model_validator,
)

from sim.scenario.vocabulary import (
    DAYS_PER_MONTH,
    DIMENSIONS,
    JOURNEY_STAGES,
    RESERVED_SOURCES,
    SHARED_SOURCES,
)

Money = Annotated[float, Field(ge=0)]
Probability = Annotated[float, Field(ge=0, le=1)]
PositiveFloat = Annotated[float, Field(gt=0)]
NonNegativeFloat = Annotated[float, Field(ge=0)]
StageName = Literal[JOURNEY_STAGES]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, validate_assignment=True)


class Quality(_Strict):
    """A gamma-distributed positive quantity (touch quality in quality units)."""

    mean: NonNegativeFloat = Field(1.0, description="Mean, in quality units.")
    sd: NonNegativeFloat = Field(0.0, description="Standard deviation; 0 = always the mean.")

    @model_validator(mode="after")
    def _possible(self) -> Quality:
        if self.sd > 0 and self.mean == 0:
            raise ValueError("a distribution with mean 0 cannot have sd > 0")
        return self


class Satisfaction(_Strict):
    """Satisfaction on a 0..1 scale: normal, clipped to [0, 1]."""

    mean: Probability = Field(0.6, description="Mean satisfaction with the product (0..1).")
    sd: Annotated[float, Field(ge=0, le=1)] = Field(0.15, description="Spread between customers.")


class TrustWeights(_Strict):
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


class Population(_Strict):
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


class Attention(_Strict):
    """How touches land: need gates attention, fatigue and decay (“Why touchpoint management?”)."""

    no_need_receptivity: Probability = Field(
        0.1, description="Share of a touch's effect that lands on a prospect with no active need."
    )
    decay_per_day: Probability = Field(0.01, description="Share of trust lost per day.")
    fatigue_recovery_per_day: Probability = Field(
        0.1, description="Share of fatigue that wears off per day."
    )
    opt_out_fatigue: PositiveFloat = Field(
        5.0, description="Fatigue above which a prospect opts out (becomes lost)."
    )


class Journey(_Strict):
    """When a prospect with a need moves on, by trust progress (trust / threshold, 0..1)."""

    engage_at: Probability = Field(0.2, description="Mean progress to become engaged.")
    evaluate_at: Probability = Field(
        0.45, description="Mean progress to start evaluating (the zero moment of truth)."
    )


class Handoff(_Strict):
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


class Sales(_Strict):
    """The sales team.

    Sources: “Rub those sore sales muscles!”; “What are Sales Touchpoints?”;
    “Marketing, Meet Sales”.
    """

    reps: Annotated[int, Field(ge=0, le=100_000)] = Field(5, description="Headcount.")
    cost_per_hour: Money = Field(60.0, description="Loaded cost of a rep hour (currency).")
    minutes_per_touch: PositiveFloat = Field(30.0, description="Rep minutes per call or meeting.")
    hours_per_day: Annotated[float, Field(ge=0, le=24)] = Field(
        6.0, description="Selling hours per rep per day."
    )
    skill: Quality = Quality(mean=1.5, sd=0.3)
    trust: TrustWeights = TrustWeights(rep=1.0, subject=0.6, company=0.4, product=0.3)
    response_time_hours: NonNegativeFloat = Field(
        4.0, description="Policy: hours from handoff to first contact when a rep is free."
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
    def _reach_fades(self) -> Sales:
        if self.reach_later > self.reach_at_once:
            raise ValueError(
                f"sales.reach_later: a lead is not easier to reach once it has gone cold: "
                f"must be at most reach_at_once ({self.reach_at_once:g}); "
                f"got {self.reach_later:g}"
            )
        return self


class Channel(_Strict):
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


class Reviews(_Strict):
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


class WordOfMouth(_Strict):
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
    reward: Money = Field(0.0, description="Paid to the referrer when the referred prospect buys.")
    reward_uplift: NonNegativeFloat = Field(
        2.0, description="Relative lift of willingness to recommend per reward of one full price."
    )
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


class Product(_Strict):
    """What is sold and what it earns (“Why touchpoint management?”; “Getting the next sale”)."""

    price: Money = Field(1000.0, description="Revenue per purchase (currency).")
    margin: Probability = Field(0.4, description="Gross margin share of the price.")
    satisfaction: Satisfaction = Satisfaction()
    repeat_purchases_per_year: NonNegativeFloat = Field(
        2.0, description="Repeat purchases a fully satisfied customer makes a year."
    )
    churn_per_year: NonNegativeFloat = Field(
        0.3, description="Churn hazard per year at neutral satisfaction (0.5); 0 at 1."
    )
    discount_rate_per_year: NonNegativeFloat = Field(0.1, description="For CLV.")
    term_months: Annotated[float, Field(gt=0, le=120)] | None = Field(
        None,
        description="A subscription: the price is per term of this many months and customers "
        "renew at each term's end (repeat purchases and the daily churn hazard then give way "
        "to renewals); unset = a one-off product with repeat purchases.",
    )
    renewal_at_neutral: Probability = Field(
        0.8,
        description="Subscriptions: chance to renew at satisfaction 0.5; min(1, 2 × this × "
        "satisfaction) in general.",
    )
    expansion_per_term: Probability = Field(
        0.0,
        description="Subscriptions: a renewing customer's price changes by this × (2 × "
        "satisfaction − 1): satisfied customers expand, dissatisfied ones contract.",
    )


class Competition(_Strict):
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
        description="Share of leads who, their four trusts met, shelve the purchase and leave "
        "as lost (Dixon & McKenna, The JOLT Effect, 2022: 40-60 % of B2B opportunities end in "
        "no decision); 0: every ready lead buys.",
    )


class AfterSale(_Strict):
    """Post-purchase care and loyalty (“Why touchpoint management?”; “Getting the next sale”)."""

    care_touches_per_month: NonNegativeFloat = Field(0.0, description="Care touches per customer.")
    care_cost_per_touch: Money = Field(15.0, description="Cost of one care touch.")
    care_satisfaction_gain: Probability = Field(0.05, description="Satisfaction a care touch adds.")
    satisfaction_decay_per_day: Probability = Field(
        0.01, description="Share of satisfaction above the product baseline lost per day."
    )
    loyalty_reward: Money = Field(0.0, description="Reward per repeat purchase (currency).")
    loyalty_satisfaction_gain: Probability = Field(0.05, description="Satisfaction it adds.")
    advocate_at: Probability = Field(0.8, description="Satisfaction at which a customer advocates.")


class Scenario(_Strict):
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
    channels: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")], Channel] = Field(
        default_factory=dict, description="Marketing channels by name."
    )
    reviews: Reviews = Reviews()
    word_of_mouth: WordOfMouth = WordOfMouth()
    product: Product = Product()
    after_sale: AfterSale = AfterSale()
    competition: Competition = Competition()

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
        """Payroll of one rep for a 30-day month."""
        return self.sales.cost_per_hour * self.sales.hours_per_day * DAYS_PER_MONTH

    def monthly_budget(self) -> float:
        """What the plan spends a month as the shipped strategies count it: channels + payroll."""
        return self.channel_budget() + self.sales.reps * self.rep_cost_per_month()

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
        return self


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
