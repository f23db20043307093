"""The dashboard at the Solara level: levers, the model, components and the page, no browser."""

from __future__ import annotations

from pathlib import Path

import ipyvuetify as v
import ipywidgets
import numpy as np
import pytest
import solara
from mesa.visualization.utils import force_update

import sim
from sim.dashboard import app, components, levers, session

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def small_file(scenario_copy: Path) -> Path:
    """A shipped scenario shrunk to 1,000 prospects and 60 days."""
    path = scenario_copy / "small.yaml"
    path.write_text(
        "extends: aida_funnel.yaml\nname: small_aida\npopulation: {size: 1000}\nhorizon_days: 60\n"
    )
    return path


def test_levers_reproduce_the_shipped_scenario():
    scenario = sim.load_scenario(ROOT / "scenarios" / "touchpoint_management.yaml")
    again = levers.apply_levers(scenario, **{k: v for k, v in levers.levers(scenario).items()})
    assert again.sales.reps == scenario.sales.reps
    assert again.channel_budget() == pytest.approx(scenario.channel_budget(), rel=0.02)
    assert again.sales.response_time_hours == scenario.sales.response_time_hours


def test_marketing_share_moves_money_between_channels_and_reps():
    scenario = sim.load_scenario(ROOT / "scenarios" / "aida_funnel.yaml")
    total = scenario.monthly_budget()
    shifted = levers.apply_levers(scenario, marketing_share=0.2, quality=2.0, referral_reward=150)
    assert shifted.sales.reps > scenario.sales.reps
    assert shifted.monthly_budget() == pytest.approx(total)
    name = next(n for n, ch in scenario.channels.items() if ch.enabled)
    assert shifted.channels[name].quality.mean == pytest.approx(
        2 * scenario.channels[name].quality.mean
    )
    assert shifted.word_of_mouth.reward == 150


def test_dashboard_model_steps_both_runs_and_samples_a_small_graph(small_file):
    model = session.DashboardModel(
        scenario_file=str(small_file), compare_with="touchpoint_management", population=1000
    )
    assert model.rival is not None and model.rival.prospects.n == 1000
    for _ in range(3):
        model.step()
    assert model.rival.day == model.day == 3
    assert len(session.daily_table(model)) == len(session.daily_table(model.rival)) == 4
    assert session.acquisition_table(model, model.acquired).shape == (4, len(model.sources))
    rows, positions, edges = model.graph_sample
    assert 0 < rows.size <= session.GRAPH_SAMPLE and positions.shape == (rows.size, 2)
    assert edges.size == 0 or edges.max() < rows.size


def test_graph_sample_does_not_change_the_run(small_file):
    stepped = session.DashboardModel(scenario_file=str(small_file), seed=4)
    for _ in range(20):
        stepped.step()
    plain = sim.JourneyModel(stepped.spec, 4)
    for _ in range(20):
        plain.step()
    assert np.array_equal(stepped.prospects.stage, plain.prospects.stage)


def _image(rc) -> bytes:
    return bytes(rc.find(ipywidgets.Image).widget.value)


@pytest.mark.parametrize(
    "component",
    [
        components.StagePlot,
        components.CostOfSalePlot,
        components.SpendPlot,
        components.AcquisitionPlot,
        components.GraphView,
    ],
)
def test_plot_components_redraw_when_the_model_steps(small_file, component):
    model = session.DashboardModel(scenario_file=str(small_file), compare_with="sales_funnel")
    box, rc = solara.render(component(model), handle_error=False)
    before = _image(rc)
    assert before.startswith(b"\x89PNG")
    for _ in range(5):
        model.step()
    force_update()
    assert _image(rc) != before
    rc.close()


def test_kpi_card_shows_the_day_and_both_runs(small_file):
    model = session.DashboardModel(
        scenario_file=str(small_file), compare_with="touchpoint_management"
    )
    box, rc = solara.render(components.KpiCard(model), handle_error=False)
    html = rc.find(solara.widgets.HTML).widget.unsafe_innerHTML
    assert "Day 0 of 60" in html and "small_aida" in html and "touchpoint_management" in html
    model.step()
    force_update()
    assert "Day 1 of 60" in rc.find(solara.widgets.HTML).widget.unsafe_innerHTML
    rc.close()


def test_page_offers_the_file_and_steps(small_file, monkeypatch):
    monkeypatch.setenv(session.FILE_ENV, str(small_file))
    choices = session.scenario_choices()
    assert next(iter(choices)).startswith("small") and "aida_funnel" in choices
    box, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    rc.find(v.Html, children=["Time: 0.0"]).assert_single()
    assert rc.find(ipywidgets.Image).widgets  # the plots are drawn
    rc.find(v.Btn, children=["Step"]).widget.click()
    rc.find(v.Html, children=["Time: 1.0"]).assert_single()
    rc.close()
