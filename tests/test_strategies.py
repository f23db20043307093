"""The trainer's point, made by the mechanisms (not by the strategies' names).

With the shipped defaults AIDA has a clearly higher cost of sale than touchpoint
management and recommendation-driven acquisition. Switching off word of mouth,
reviews and post-purchase care in touchpoint management (overrides only) removes
most of its advantage; cheap, effective advertising or no social graph lets AIDA
catch up.
"""

from __future__ import annotations

import re

import pytest

import sim
from sim.experiments import compare
from tests.conftest import ROOT, SCENARIOS

STRATEGIES = (
    "aida_funnel",
    "sales_funnel",
    "seven_touches_times_four",
    "touchpoint_management",
    "recommendation_driven",
)

WALKTHROUGH = ("aida_cheap_ads", "aida_no_graph", "tpm_no_graph", "tpm_without_loop")
"""Overrides of the shipped strategies, as YAML files in scenarios/walkthrough/."""

FILES = {
    "aida": "aida_funnel.yaml",
    "tpm": "touchpoint_management.yaml",
    "rec": "recommendation_driven.yaml",
    **{name: f"walkthrough/{name}.yaml" for name in WALKTHROUGH},
}


@pytest.fixture(scope="module")
def story():
    scenarios = [
        sim.load_scenario(SCENARIOS / path).model_copy(update={"name": label})
        for label, path in FILES.items()
    ]
    result = compare(scenarios, replications=6, seed=11, workers=2, progress=False)
    summary = result.summary().set_index(["scenario", "kpi"])
    return summary.xs("cost_of_sale", level="kpi")


def test_aida_has_clearly_higher_cost_of_sale(story):
    for better in ("tpm", "rec"):
        assert story.loc[better, "mean"] < story.loc["aida", "mean"]
        assert story.loc[better, "diff_high"] < 0, "difference to AIDA must be clear"


def test_word_of_mouth_reviews_and_care_carry_the_advantage(story):
    gap = story.loc["aida", "mean"] - story.loc["tpm", "mean"]
    remaining = story.loc["aida", "mean"] - story.loc["tpm_without_loop", "mean"]
    assert remaining < 0.5 * gap


def test_cheap_effective_advertising_lets_aida_catch_up(story):
    assert story.loc["aida_cheap_ads", "mean"] <= story.loc["tpm", "mean"]


def test_without_a_social_graph_aida_catches_up(story):
    gap = story.loc["aida", "mean"] - story.loc["tpm", "mean"]
    gap_without_graph = story.loc["aida_no_graph", "mean"] - story.loc["tpm_no_graph", "mean"]
    assert gap_without_graph < 0.5 * gap


def test_walkthrough_files_only_override_a_shipped_strategy():
    for name in WALKTHROUGH:
        text = (SCENARIOS / "walkthrough" / f"{name}.yaml").read_text()
        assert "extends: ../" in text
        sim.load_scenario(SCENARIOS / "walkthrough" / f"{name}.yaml")


def test_no_code_branches_on_a_strategy_name():
    """Strategy names may appear in sim/ only as shipped file names (e.g. a default file)."""
    names = "|".join(STRATEGIES + ("aida", "seven_touches", "seven_times"))
    pattern = re.compile(rf"({names})(?!\w*\.yaml)", re.I)
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "sim").rglob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_shipped_strategies_state_equal_budgets():
    monthly = {}
    for name in STRATEGIES:
        scenario = sim.load_scenario(SCENARIOS / f"{name}.yaml")
        channels = sum(c.budget for c in scenario.channels.values() if c.enabled)
        payroll = (
            scenario.sales.reps * scenario.sales.cost_per_hour * scenario.sales.hours_per_day * 30
        )
        monthly[name] = channels + payroll
        assert "Budget: 30,000 per month" in (SCENARIOS / f"{name}.yaml").read_text()
    assert set(monthly.values()) == {30000.0}
