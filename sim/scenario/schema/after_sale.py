"""After the sale: what the product earns and how customers are looked after."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from sim.scenario.schema.fields import (
    Money,
    NonNegativeFloat,
    Probability,
    Satisfaction,
    Section,
)


class Product(Section):
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
        description="Subscriptions: chance to renew at satisfaction 0.5; min(renewal_ceiling, "
        "2 × this × satisfaction) in general.",
    )
    renewal_ceiling: Probability = Field(
        0.95,
        description="Subscriptions: the chance to renew of the most satisfied customer: "
        "even they sometimes leave (acquired, closed, budget cut; best-in-class B2B gross "
        "revenue retention is about 90–95 %).",
    )
    expansion_per_term: Probability = Field(
        0.0,
        description="Subscriptions: a renewing customer's price changes by this × (2 × "
        "satisfaction − 1): satisfied customers expand, dissatisfied ones contract.",
    )
    max_expansion: Annotated[float, Field(ge=1, le=100)] = Field(
        3.0,
        description="Subscriptions: the most a customer's price per term can grow to, as a "
        "multiple of the list price (an account has only so many seats to add).",
    )


class AfterSale(Section):
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
