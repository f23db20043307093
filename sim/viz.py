"""The trainers' dashboard: Mesa's SolaraViz with the levers that drive the story.

A trainer picks a shipped scenario (or the file given to ``run.py dashboard``),
optionally a second one to run beside it, moves the sliders (marketing/sales
budget split, touch quality, lead response time, referral reward,
post-purchase care, population), presses Reset to apply them, then plays or
steps day by day. The plots update live: prospects per stage, cost of sale to
date, spend by source, customers by acquisition source, and a small sampled
view of the social graph (never a layout of the whole graph).

Every browser session builds its own model (:func:`Page` creates it), so a
room of trainees do not step each other's runs.

Run it with ``python run.py dashboard`` or ``solara run sim/app.py``.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from sim import figures
from sim.agents import DAYS_PER_MONTH
from sim.model import JourneyModel
from sim.scenario import Scenario, load_scenario, scenario_from_dict

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"
FILE_ENV = "TOUCHPOINT_DASHBOARD_FILE"
"""Environment variable through which ``run.py dashboard FILE`` passes its file."""
NO_RIVAL = "none"
GRAPH_SAMPLE = 60
"""Prospects shown in the social graph view."""


# --- the levers ---------------------------------------------------------------------------


def rep_cost_per_month(scenario: Scenario) -> float:
    """Payroll of one rep for a 30-day month."""
    sales = scenario.sales
    return sales.cost_per_hour * sales.hours_per_day * DAYS_PER_MONTH


def channel_budget(scenario: Scenario) -> float:
    """Monthly budget of the enabled channels."""
    return sum(ch.budget for ch in scenario.channels.values() if ch.enabled)


def levers(scenario: Scenario) -> dict[str, float]:
    """The dashboard's slider values that reproduce ``scenario`` as shipped."""
    payroll = scenario.sales.reps * rep_cost_per_month(scenario)
    total = channel_budget(scenario) + payroll
    return {
        "marketing_share": round(channel_budget(scenario) / total, 2) if total else 1.0,
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
            of the reps' skill: better touches, fewer needed (seed 000).
        response_time_hours: Hours from handoff to a rep's first contact (seed 001).
        referral_reward: Paid to a referrer when the referred prospect buys.
        care_touches_per_month: Post-purchase care touches per customer per month.
        population: Prospects.

    Returns:
        A new validated scenario.
    """
    data = scenario.model_dump()
    if marketing_share is not None:
        rep_month = rep_cost_per_month(scenario)
        total = channel_budget(scenario) + scenario.sales.reps * rep_month
        reps = int(round((1.0 - marketing_share) * total / rep_month)) if rep_month else 0
        data["sales"]["reps"] = reps
        marketing = max(total - reps * rep_month, 0.0)
        enabled = [n for n, ch in scenario.channels.items() if ch.enabled]
        old = channel_budget(scenario)
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


# --- the model the dashboard steps --------------------------------------------------------


class DashboardModel(JourneyModel):
    """A :class:`JourneyModel` built from the dashboard's levers, with an optional rival.

    The rival (``compare_with``) is the other scenario as shipped, on the same
    population size, horizon and seed, stepped in lockstep: the two strategies meet
    the same prospects. Keyword arguments only, as Mesa's SolaraViz rebuilds the
    model from them on Reset.

    Attributes:
        rival: The second run, or None.
        acquired: Per day, cumulative customers by first-touch source.
        graph_sample: ``(rows, positions, edges)`` of the sampled social graph view.
    """

    def __init__(
        self,
        *,
        scenario_file: str = str(SCENARIO_DIR / "touchpoint_management.yaml"),
        compare_with: str = NO_RIVAL,
        marketing_share: float | None = None,
        quality: float = 1.0,
        response_time_hours: float | None = None,
        referral_reward: float | None = None,
        care_touches_per_month: float | None = None,
        population: int | None = None,
        seed: int = 0,
    ) -> None:
        """Load ``scenario_file``, apply the levers, and build both runs."""
        scenario = apply_levers(
            load_scenario(scenario_file),
            marketing_share=marketing_share,
            quality=quality,
            response_time_hours=response_time_hours,
            referral_reward=referral_reward,
            care_touches_per_month=care_touches_per_month,
            population=population,
        )
        super().__init__(scenario, int(seed))
        self.rival: JourneyModel | None = None
        if compare_with and compare_with != NO_RIVAL:
            other = load_scenario(
                resolve_choice(compare_with),
                {
                    "population.size": scenario.population.size,
                    "horizon_days": scenario.horizon_days,
                },
            )
            if other.name == scenario.name:
                other = scenario_from_dict(
                    {**other.model_dump(), "name": f"{other.name} (shipped)"}
                )
            self.rival = JourneyModel(other, int(seed))
        self.acquired: list[np.ndarray] = [self.tally.by_first_touch.copy()]
        self.rival_acquired: list[np.ndarray] = (
            [] if self.rival is None else [self.rival.tally.by_first_touch.copy()]
        )
        self.graph_sample = sample_graph(self, GRAPH_SAMPLE, seed=int(seed))

    def step(self) -> None:
        """One day of both runs."""
        super().step()
        self.acquired.append(self.tally.by_first_touch.copy())
        if self.rival is not None and self.rival.running:
            self.rival.step()
            self.rival_acquired.append(self.rival.tally.by_first_touch.copy())

    def runs(self) -> list[tuple[str, JourneyModel, list[np.ndarray]]]:
        """``(label, model, acquired)`` of this run and the rival, if any."""
        out = [(self.spec.name, self, self.acquired)]
        if self.rival is not None:
            out.append((self.rival.spec.name, self.rival, self.rival_acquired))
        return out


def daily_table(model: JourneyModel) -> pd.DataFrame:
    """The model's daily table so far (day 0 = the start).

    Safe to call while another thread steps the model (SolaraViz's "Use Threads"):
    it keeps the days every column has already recorded.
    """
    columns = dict(model.datacollector.model_vars)
    days = min((len(v) for v in columns.values()), default=0)
    return pd.DataFrame({k: v[:days] for k, v in columns.items()})


def acquisition_table(model: JourneyModel, acquired: list[np.ndarray]) -> pd.DataFrame:
    """Cumulative customers by first-touch source, one row per day (index = day)."""
    rows = list(acquired)
    return pd.DataFrame(
        np.asarray(rows).reshape(len(rows), len(model.sources)), columns=model.sources
    )


def sample_graph(
    model: JourneyModel, size: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A small connected sample of the social graph and a layout of it.

    Breadth-first from a random prospect until ``size`` prospects, so the view shows
    real neighbourhoods; only these few nodes are laid out. The sample uses its own
    generator (seeded from ``seed``), never the model's, so drawing does not change a run.

    Returns:
        ``(rows, positions, edges)``: the sampled prospects' rows, their ``(n, 2)``
        coordinates and the ``(m, 2)`` edges among them (indices into ``rows``);
        all empty when the scenario has no explicit graph (full mixing or none).
    """
    graph = model.graph
    empty = (np.zeros(0, dtype=np.int64), np.zeros((0, 2)), np.zeros((0, 2), dtype=np.int64))
    if graph.indptr is None or graph.n == 0 or len(graph.indices) == 0:
        return empty
    rng = np.random.default_rng([seed, 20_24])
    start = int(rng.choice(np.flatnonzero(graph.degrees() > 0)))
    rows, seen, frontier = [start], {start}, [start]
    while frontier and len(rows) < size:
        nxt = []
        for node in frontier:
            ties = graph.indices[graph.indptr[node] : graph.indptr[node + 1]]
            for tie in rng.permutation(ties):
                tie = int(tie)
                if tie not in seen and len(rows) < size:
                    seen.add(tie)
                    rows.append(tie)
                    nxt.append(tie)
        frontier = nxt
    index = {row: i for i, row in enumerate(rows)}
    edges = [
        (index[row], index[int(tie)])
        for row in rows
        for tie in graph.indices[graph.indptr[row] : graph.indptr[row + 1]]
        if int(tie) in index and row < int(tie)
    ]
    import networkx as nx

    small = nx.Graph()
    small.add_nodes_from(range(len(rows)))
    small.add_edges_from(edges)
    layout = nx.spring_layout(small, seed=int(rng.integers(2**31)))
    positions = np.array([layout[i] for i in range(len(rows))])
    return np.array(rows, dtype=np.int64), positions, np.array(edges, dtype=np.int64).reshape(-1, 2)


# --- components ----------------------------------------------------------------------------


def _live_figure(model: DashboardModel, build: Callable[[], object]) -> None:
    """Render a figure that is rebuilt only when the model or its day changes."""
    update_counter.get()
    key = [model, model.steps]
    fig = solara.use_memo(build, key)
    solara.FigureMatplotlib(fig, format="png", dependencies=key)


@solara.component
def StagePlot(model: DashboardModel) -> None:  # noqa: N802 - Solara components are CamelCase
    """Prospects per stage over time (one panel per run)."""
    _live_figure(
        model, lambda: figures.stage_figure({name: daily_table(m) for name, m, _ in model.runs()})
    )


@solara.component
def CostOfSalePlot(model: DashboardModel) -> None:  # noqa: N802 - Solara components are CamelCase
    """Cost of sale to date, the runs overlaid."""
    _live_figure(
        model,
        lambda: figures.cost_of_sale_figure({name: daily_table(m) for name, m, _ in model.runs()}),
    )


@solara.component
def SpendPlot(model: DashboardModel) -> None:  # noqa: N802 - Solara components are CamelCase
    """Cumulative spend by source (one panel per run)."""
    _live_figure(
        model, lambda: figures.spend_figure({name: daily_table(m) for name, m, _ in model.runs()})
    )


@solara.component
def AcquisitionPlot(model: DashboardModel) -> None:  # noqa: N802 - Solara components are CamelCase
    """Customers won by the source of their first touch (one panel per run)."""
    _live_figure(
        model,
        lambda: figures.acquisition_figure(
            {name: acquisition_table(m, a) for name, m, a in model.runs()}
        ),
    )


@solara.component
def GraphView(model: DashboardModel) -> None:  # noqa: N802 - Solara components are CamelCase
    """A sample of the social graph, coloured by today's stages."""
    update_counter.get()
    rows, positions, edges = model.graph_sample
    if rows.size == 0:
        solara.Markdown(
            f"**Social graph**: none to draw (word of mouth: `{model.spec.word_of_mouth.network}`)."
        )
        return
    title = f"social graph: {rows.size} of {model.prospects.n:,} prospects, day {model.day}"
    _live_figure(
        model, lambda: figures.graph_figure(positions, edges, model.prospects.stage[rows], title)
    )


def run_settings(scenario: Scenario) -> str:
    """The lever values a run was built with, in words."""
    sales = scenario.sales
    return (
        f"marketing {channel_budget(scenario):,.0f}/month, {sales.reps} reps, "
        f"rep skill {sales.skill.mean:.2g}, response {sales.response_time_hours:g} h, "
        f"referral reward {scenario.word_of_mouth.reward:,.0f}, "
        f"care {scenario.after_sale.care_touches_per_month:g}/month, "
        f"{scenario.population.size:,} prospects"
    )


@solara.component
def KpiCard(model: DashboardModel) -> None:  # noqa: N802 - Solara components are CamelCase
    """Day, customers and cost of sale to date of each run, and the settings it runs with."""
    update_counter.get()
    rows = []
    for name, run, _ in model.runs():
        cost = figures.cumulative_cost_of_sale(daily_table(run)).iloc[-1]
        cost_text = "n/a" if not np.isfinite(cost) else f"{cost:,.0f}"
        rows.append(
            f"<tr><td><b>{html.escape(name)}</b></td><td align='right'>{run.tally.customers:,}</td>"
            f"<td align='right'>{cost_text}</td></tr>"
            "<tr><td colspan='3' style='font-size:80%;color:#666'>"
            f"{html.escape(run_settings(run.spec))}</td></tr>"
        )
    solara.HTML(
        tag="div",
        unsafe_innerHTML=(
            f"<h3 class='touchpoint-day'>Day {model.day} of {model.spec.horizon_days}</h3>"
            "<table style='width:100%'><tr><th></th><th align='right'>customers</th>"
            f"<th align='right'>cost of sale to date</th></tr>{''.join(rows)}</table>"
            "<p style='margin-top:1em'>Move the sliders, then press <b>Reset</b> to rerun "
            "with them; "
            "<b>Step</b> advances one day, <b>&#9654;</b> plays.</p>"
        ),
    )


COMPONENTS = [
    (KpiCard, 0),
    (StagePlot, 0),
    (CostOfSalePlot, 0),
    (SpendPlot, 0),
    (AcquisitionPlot, 0),
    (GraphView, 1),
]
"""What the dashboard shows: page 0 the story, page 1 the social graph."""


# --- scenarios and the page ----------------------------------------------------------------


def scenario_choices() -> dict[str, str]:
    """Label → path of the scenarios on offer: the command line's file first, then the shipped."""
    choices: dict[str, str] = {}
    extra = os.environ.get(FILE_ENV)
    if extra:
        path = Path(extra)
        choices[f"{path.stem} ({path.name})"] = str(path.resolve())
    for path in sorted(SCENARIO_DIR.glob("*.yaml")):
        choices.setdefault(path.stem, str(path))
    return choices


def resolve_choice(choice: str) -> str:
    """A label from :func:`scenario_choices`, or a path, as a path."""
    return scenario_choices().get(choice, choice)


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
