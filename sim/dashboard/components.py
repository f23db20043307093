"""The dashboard's panels: live figures, the KPI card, the social graph view."""

from __future__ import annotations

import html
from collections.abc import Callable

import numpy as np
import solara
from mesa.visualization.utils import update_counter

from sim.dashboard.session import DashboardModel, acquisition_table, daily_table
from sim.outputs import run_figures
from sim.scenario.schema import Scenario


def _live_figure(model: DashboardModel, build: Callable[[], object]) -> None:
    """Render a figure that is rebuilt only when the model or its day changes."""
    update_counter.get()
    key = [model, model.steps]
    fig = solara.use_memo(build, key)
    solara.FigureMatplotlib(fig, format="png", dependencies=key)


def _daily_figure(model: DashboardModel, draw: Callable[[dict], object]) -> None:
    """A figure of the runs' daily tables, ``{label: daily}``."""
    _live_figure(model, lambda: draw({name: daily_table(m) for name, m, _ in model.runs()}))


@solara.component
def StagePlot(model: DashboardModel) -> None:  # noqa: N802 - Solara components are CamelCase
    """Prospects per stage over time (one panel per run)."""
    _daily_figure(model, run_figures.stage_figure)


@solara.component
def CostOfSalePlot(model: DashboardModel) -> None:  # noqa: N802 - Solara components are CamelCase
    """Cost of sale to date, the runs overlaid, in the scenarios' own colours."""
    declared = {name: run.spec.color for name, run, _ in model.runs()}
    _daily_figure(model, lambda runs: run_figures.cost_of_sale_figure(runs, declared))


@solara.component
def SpendPlot(model: DashboardModel) -> None:  # noqa: N802 - Solara components are CamelCase
    """Cumulative spend by source (one panel per run)."""
    _daily_figure(model, run_figures.spend_figure)


@solara.component
def AcquisitionPlot(model: DashboardModel) -> None:  # noqa: N802 - Solara components are CamelCase
    """Customers won by the source of their first touch (one panel per run)."""
    _live_figure(
        model,
        lambda: run_figures.acquisition_figure(
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
        model,
        lambda: run_figures.graph_figure(positions, edges, model.prospects.stage[rows], title),
    )


def run_settings(scenario: Scenario) -> str:
    """The lever values a run was built with, in words."""
    sales = scenario.sales
    return (
        f"marketing {scenario.channel_budget():,.0f}/month, {sales.reps} reps, "
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
        cost = run_figures.cumulative_cost_of_sale(daily_table(run)).iloc[-1]
        cost_text = "n/a" if not np.isfinite(cost) else f"{cost:,.0f}"
        rows.append(
            f"<tr><td><b>{html.escape(name)}</b></td>"
            f"<td align='right'>{int(run.tally.customers[0]):,}</td>"
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
