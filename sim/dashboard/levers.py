"""The dashboard's levers: slider values that reproduce a scenario, and applying them."""

from __future__ import annotations

from sim.scenario.loading import scenario_from_dict
from sim.scenario.schema import Scenario


def levers(scenario: Scenario) -> dict[str, float]:
    """The dashboard's slider values that reproduce ``scenario`` as shipped."""
    total = scenario.monthly_budget()
    return {
        "marketing_share": round(scenario.channel_budget() / total, 2) if total else 1.0,
        "quality": 1.0,
        "response_time_hours": float(scenario.sales.response_time_hours),
        "referral_reward": float(scenario.word_of_mouth.reward),
        "care_touches_per_month": float(scenario.after_sale.care_touches_per_month),
        "population": int(scenario.population.size),
    }


def apply_levers(
    scenario: Scenario,
    *,
    marketing_share: float | None = None,
    quality: float = 1.0,
    response_time_hours: float | None = None,
    referral_reward: float | None = None,
    care_touches_per_month: float | None = None,
    population: int | None = None,
) -> Scenario:
    """The scenario with the dashboard's levers applied (None keeps the shipped value).

    Args:
        scenario: The scenario as loaded.
        marketing_share: Share of the monthly budget (channels + rep payroll) spent on
            marketing channels; the rest pays reps, rounded to whole people. Channel
            budgets keep their proportions.
        quality: Multiplier on the quality (mean and sd) of every channel's touches and
            of the reps' skill: better touches, fewer needed (“Rub those sore sales muscles!”).
        response_time_hours: Hours from handoff to a rep's first contact
            (“What are Sales Touchpoints?”).
        referral_reward: Paid to a referrer when the referred prospect buys.
        care_touches_per_month: Post-purchase care touches per customer per month.
        population: Prospects.

    Returns:
        A new validated scenario.
    """
    data = scenario.model_dump()
    if marketing_share is not None:
        rep_month = scenario.rep_cost_per_month()
        total = scenario.monthly_budget()
        reps = int(round((1.0 - marketing_share) * total / rep_month)) if rep_month else 0
        data["sales"]["reps"] = reps
        marketing = max(total - reps * rep_month, 0.0)
        enabled = [n for n, ch in scenario.channels.items() if ch.enabled]
        old = scenario.channel_budget()
        for name in enabled:
            share = scenario.channels[name].budget / old if old else 1.0 / len(enabled)
            data["channels"][name]["budget"] = marketing * share
    if quality != 1.0:
        for name, ch in scenario.channels.items():
            data["channels"][name]["quality"] = {
                "mean": ch.quality.mean * quality,
                "sd": ch.quality.sd * quality,
            }
        skill = scenario.sales.skill
        data["sales"]["skill"] = {"mean": skill.mean * quality, "sd": skill.sd * quality}
    if response_time_hours is not None:
        data["sales"]["response_time_hours"] = response_time_hours
    if referral_reward is not None:
        data["word_of_mouth"]["reward"] = referral_reward
    if care_touches_per_month is not None:
        data["after_sale"]["care_touches_per_month"] = care_touches_per_month
    if population is not None:
        data["population"]["size"] = int(population)
    return scenario_from_dict(data, source=f"{scenario.name} (dashboard)")
