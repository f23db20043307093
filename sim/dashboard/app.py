"""The trainers' dashboard: Mesa's SolaraViz with the levers that drive the story.

A trainer picks a shipped scenario (or the file given to ``run.py dashboard``),
optionally a second one to run beside it, moves the sliders (marketing/sales
budget split, touch quality, lead response time, referral reward, post-purchase
care, population), presses Reset to apply them, then plays or steps day by day.

Serve it with ``python run.py dashboard`` (or ``solara run sim/dashboard/app.py``).
"""

from __future__ import annotations

import solara
from mesa.visualization import SolaraViz

from sim.dashboard.components import COMPONENTS
from sim.dashboard.levers import levers
from sim.dashboard.session import NO_RIVAL, DashboardModel, scenario_choices
from sim.scenario.loading import load_scenario
from sim.scenario.schema import Scenario


def model_params(
    scenario_file: str, scenario: Scenario, choices: dict[str, str]
) -> dict[str, object]:
    """SolaraViz's model parameters: the file, the rival, sliders at the scenario's values."""
    shipped = levers(scenario)
    reward_max = max(500.0, shipped["referral_reward"] * 2)
    return {
        "scenario_file": scenario_file,
        "compare_with": {
            "type": "Select",
            "value": NO_RIVAL,
            "values": [NO_RIVAL, *choices],
            "label": "Run beside it (as shipped)",
        },
        "marketing_share": {
            "type": "SliderFloat",
            "value": shipped["marketing_share"],
            "min": 0.0,
            "max": 1.0,
            "step": 0.05,
            "label": "Budget: marketing share (rest = reps)",
        },
        "quality": {
            "type": "SliderFloat",
            "value": 1.0,
            "min": 0.25,
            "max": 3.0,
            "step": 0.25,
            "label": "Touch quality (x shipped)",
        },
        "response_time_hours": {
            "type": "SliderFloat",
            "value": shipped["response_time_hours"],
            "min": 0.0,
            "max": 72.0,
            "step": 1.0,
            "label": "Lead response time (hours)",
        },
        "referral_reward": {
            "type": "SliderFloat",
            "value": shipped["referral_reward"],
            "min": 0.0,
            "max": reward_max,
            "step": 25.0,
            "label": "Referral reward",
        },
        "care_touches_per_month": {
            "type": "SliderFloat",
            "value": shipped["care_touches_per_month"],
            "min": 0.0,
            "max": 4.0,
            "step": 0.25,
            "label": "Post-purchase care (touches/month)",
        },
        "population": {
            "type": "SliderInt",
            "value": shipped["population"],
            "min": 1000,
            "max": max(50_000, shipped["population"]),
            "step": 1000,
            "label": "Prospects",
        },
        "seed": {"type": "SliderInt", "value": 0, "min": 0, "max": 99, "step": 1, "label": "Seed"},
    }


def initial_values(params: dict[str, object]) -> dict[str, object]:
    """The keyword arguments of the model the parameters start from."""
    return {k: v["value"] if isinstance(v, dict) else v for k, v in params.items()}


@solara.component
def Dashboard(scenario_file: str, choices: dict[str, str]) -> None:  # noqa: N802 - Solara components are CamelCase
    """SolaraViz for one scenario file; its sliders start at that file's values."""
    scenario = solara.use_memo(lambda: load_scenario(scenario_file), [scenario_file])
    params = solara.use_memo(
        lambda: model_params(scenario_file, scenario, choices), [scenario_file]
    )
    model = solara.use_memo(lambda: DashboardModel(**initial_values(params)), [scenario_file])
    SolaraViz(
        model,
        components=COMPONENTS,
        model_params=params,
        name=f"Touchpoint: {scenario.name}",
        play_interval=1,
        render_interval=1,
        use_threads=False,
    )


SLIDER_VALUES_CSS = """
.v-slider__thumb-label-container { display: block !important; }
"""
"""Show every slider's value, not only while dragging: a room reads the settings off the screen."""


@solara.component
def Page() -> None:  # noqa: N802 - Solara components are CamelCase
    """The dashboard page: a scenario picker, then SolaraViz for the picked scenario."""
    choices = solara.use_memo(scenario_choices, [])
    chosen = solara.use_reactive(next(iter(choices)))
    solara.Style(SLIDER_VALUES_CSS)
    with solara.Sidebar():
        with solara.Card("Scenario"):
            solara.Select("Scenario", values=list(choices), value=chosen)
    Dashboard(choices[chosen.value], choices).key(chosen.value)
