"""The words of the model, declared once: trust dimensions, stages, payers, sources.

Every other module imports these; none re-types them as strings.
"""

from __future__ import annotations

from enum import StrEnum

DIMENSIONS = ("rep", "subject", "company", "product")
"""The four kinds of trust (“Rub those sore sales muscles!”): the salesperson, the
subject matter, the company, the product or service."""

STAGES = (
    "unaware",
    "aware",
    "engaged",
    "evaluating",
    "sales_qualified",
    "customer",
    "advocate",
    "lost",
    "disqualified",
    "churned",
    "lost_to_competitor",
)
"""Journey stages in order, then the exits (“What are Sales Touchpoints?”, "Why
touchpoint management?", "Marketing, Meet Sales; Sales, Meet Marketing"). A prospect
lost to a competitor bought elsewhere; one merely lost gave up or opted out."""

JOURNEY_STAGES = STAGES[: STAGES.index("advocate") + 1]
"""The stages of the journey itself, without the exits."""

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Days of the week, Monday first, as a business calendar names them."""

ROLES = ("sdr", "ae", "csm")
"""The roles of a sales organisation: sales development reps answer and qualify leads,
account executives run opportunities to a close, customer success managers care for
customers after the sale."""

DEAL_STAGES = ("lead", "discovery", "demo", "proposal", "negotiation")
"""Where a prospect handed to sales stands, in order: a lead the first reps work on,
then an opportunity's stages as a CRM names them (won, lost and no decision are exits)."""

OPPORTUNITY_STAGES = DEAL_STAGES[1:]
"""The stages of an opportunity, each with its meetings, duration and exit."""

ARR_FLOWS = ("new", "expansion", "contraction", "churned")
"""The movements of annual recurring revenue (SaaS metrics), in their order."""

DAYS_PER_MONTH = 30.0
"""Monthly amounts (budgets, care touches) are per 30-day month."""

DAYS_PER_YEAR = 365.0
"""Yearly rates (repeat purchases, churn, discounting) are per 365-day year."""


class Payer(StrEnum):
    """Who pays in the ledger (or, for ``customer``, who pays us)."""

    CHANNEL = "channel"
    REP = "rep"
    REFERRAL = "referral"
    POST_PURCHASE = "post_purchase"
    CUSTOMER = "customer"


PAYER_TYPES = tuple(Payer)
"""The payer types in ledger order."""

SHARED_SOURCES = ("rep", "referral", "reviews")
"""Touch sources besides the marketing channels, in the order they follow the channels."""

RESERVED_SOURCES = frozenset({*SHARED_SOURCES, "post_purchase", "customer"})
"""Names a channel may not take: they label other sources and payers in results."""

LIFT_HOLDOUT_SHARE = 0.2
"""The share of the market a lift test holds out of a channel, unless told otherwise."""
