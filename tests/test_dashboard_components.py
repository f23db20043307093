"""The dashboard without a browser: stories, sides in lockstep, levers, plots, panels, export."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import ipyvuetify as v
import numpy as np
import pandas as pd
import pytest
import solara

import sim
from sim.dashboard import app, caption, panels, plots, rehearsal, session, sides, stories
from sim.dashboard.levers import LEVERS
from sim.dashboard.livechart import LiveChart
from sim.experiments.specs import replication_seeds
from sim.model.daily import NEW_CUSTOMERS
from tests.conftest import ROOT, run_cli

SMALL = {"population.size": 1000, "horizon_days": 40}


STORY = """title: A small story
left: small_aida_funnel.yaml
right: small_touchpoint_management.yaml
seed: 3
steps:
  - caption: Watch.
    pause_day: 5
    plots: [cost_of_sale, customers]
  - caption: Now switch off care on the right.
    plots: [cost_of_sale, referrals, funnel, spend]
    levers:
      - {side: right, lever: care, value: 0}
"""


def write_story(tree: Path, text: str = STORY, name: str = "small.yaml") -> Path:
    folder = tree / "stories"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def buttons(rc, text: str) -> list:
    """The rendered buttons that say ``text`` (beside an icon or not)."""
    return [b for b in rc.find(v.Btn).widgets if text in b.children]


def plain_daily(path: Path, seed: int, days: int, overrides: dict) -> pd.DataFrame:
    """A plain JourneyModel run of the file, ``days`` days."""
    model = sim.JourneyModel(sim.load_scenario(path, overrides), seed)
    for _ in range(days):
        model.step()
    return model.daily.frame()


def test_shipped_stories_load_with_every_plot_and_lever_known():
    told = stories.load_stories(stories.shipped_stories())
    assert len(told) == 6
    assert list(told)[0] == "1_aida_vs_touchpoint_management"
    for story in told.values():
        assert story.left.is_file() and story.right.is_file()
        assert all(1 <= len(step.plots) <= 4 for step in story.story.steps)
    pulled = {p.lever for t in told.values() for s in t.story.steps for p in s.levers}
    assert pulled <= set(LEVERS)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("seed: 3", "seed: 3\ncolour: red"), r"small.yaml line \d+: colour: Extra inputs"),
        (("left: small_aida_funnel.yaml", "left: ../../etc/passwd.yaml"), "outside the scenario"),
        (
            ("[cost_of_sale, customers]", "[cost_of_sale, customers, funnel, spend, referrals]"),
            "steps.0.plots: List should have at most 4 items",
        ),
        (("value: 0}", "value: .nan}"), r"steps.1.levers.0.value"),
        (("value: 0}", "value: 99}"), r"steps.1.levers.0.value: must be between 0 and 30"),
        (("lever: care", "lever: carefulness"), r"steps.1.levers.0.lever: Input should be"),
        (("value: 0}", "value: -1}"), r"steps.1.levers.0.value: must be between"),
    ],
)
def test_a_bad_story_is_one_line_naming_file_field_and_value(tree, change, message):
    path = write_story(tree, STORY.replace(*change))
    with pytest.raises(stories.StoryError, match=message) as caught:
        stories.load_story(path)
    assert "\n" not in str(caught.value) and str(path) in str(caught.value)


def test_a_lever_value_the_scenario_refuses_names_the_scenario_field(tree):
    path = write_story(tree, STORY.replace("lever: care, value: 0", "lever: network, value: 3"))
    with pytest.raises(stories.StoryError, match="must be one of graph"):
        stories.load_story(path)


def test_the_server_refuses_a_bad_story_in_one_line(tree):
    write_story(tree, STORY.replace("seed: 3", "seed: 3\nplots: 9"))
    result = run_cli("dashboard", "--stories", str(tree / "stories"), "--port", "0")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "plots: Extra inputs" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_run_of_a_side_is_a_plain_run_of_its_seed(tree):
    told = stories.load_story(write_story(tree))
    pair = sides.Sides(told.left, told.right, seed=3, replications=3)
    pair.step(6)
    assert pair.left.day == pair.right.day == 6
    assert pair.seeds == replication_seeds(3, 3)  # compare's seeds for the master seed
    for side in pair:
        for run, seed in enumerate(pair.seeds):
            expected = plain_daily(side.path, seed, 6, side.base)
            got = side.current.model.daily.frame(run)
            pd.testing.assert_frame_equal(got, expected)


def test_a_lever_forks_the_course_today_and_both_run_on(tree):
    told = stories.load_story(write_story(tree))
    pair = sides.Sides(told.left, told.right, seed=3, replications=2)
    pair.step(8)
    pair.right.pull("care", 0)
    assert [b.label for b in pair.right.branches] == [
        "As shipped",
        "Care after the sale: 0 touches per customer per month (from day 8)",
    ]
    assert pair.right.scenario.after_sale.care_touches_per_month == 0
    pair.step(10)
    before, after = pair.right.branches
    assert before.day == after.day == 18
    early = slice(0, 9)  # days 0 to 8: the same course
    np.testing.assert_array_equal(
        after.series("customers")[:, early], before.series("customers")[:, early]
    )
    shipped = plain_daily(told.right, pair.seeds[0], 18, pair.right.base)
    pd.testing.assert_frame_equal(before.model.daily.frame(0), shipped)  # the old course ran on
    pair.right.pull("competition", 5)
    pair.right.pull("referral_reward", 0)  # the same day: one change, not a fork of a fork
    assert len(pair.right.branches) == 3 and pair.right.branches[-1].start == 18
    assert pair.right.branches[-1].label.startswith("Competition: 5 ")
    assert "; Referral reward: 0 " in pair.right.branches[-1].label
    assert pair.right.scenario.competition.buy_elsewhere_per_day == 0.05
    pair.right.reset()
    assert pair.right.day == 0 and len(pair.right.branches) == 1 and not pair.right.pulled


def test_the_figures_a_room_sees_are_the_daily_tables(tree):
    told = stories.load_story(write_story(tree))
    pair = sides.Sides(told.left, told.right, seed=3, replications=2)
    pair.step(30)
    branch = pair.right.current
    daily = branch.model.daily.frame(1)
    won = daily[NEW_CUSTOMERS].cumsum()
    assert branch.series("customers")[1, -1] == won.iloc[-1]
    cost = branch.series("cost_of_sale")[1]
    assert np.isnan(cost[won.to_numpy() == 0]).all() and (cost[won.to_numpy() > 0] > 0).all()
    funnel = [reached[1] for reached in branch.funnel().values()]
    assert all(a >= b for a, b in zip(funnel, funnel[1:], strict=False))  # a real funnel
    assert funnel[0] == 1000 and branch.funnel()["bought"][1] == won.iloc[-1]
    assert {"sales reps", "post-purchase care"} <= set(branch.spend())
    assert sides.LOOKS["left"].dash != sides.LOOKS["right"].dash


CLAIMED = STORY.replace(
    "      - {side: right, lever: care, value: 0}\n",
    "      - {side: right, lever: competition, value: 5}\n"
    "    claims:\n"
    "      - {side: right, kpi: lost_to_competitors, direction: more, than: before, by: 30}\n"
    "      - {side: right, kpi: lost_to_competitors, direction: less, than: before}\n",
)


def test_a_claim_holds_only_if_the_median_and_nine_runs_in_ten_show_it(tree):
    told = stories.load_story(write_story(tree, CLAIMED))
    shown, wrong = rehearsal.rehearse(told, replications=4)
    assert shown.day == 30 and wrong.day == 40
    assert shown.holds and shown.share == 1.0 and shown.median > shown.against
    assert not wrong.holds and wrong.share == 0.0
    assert "lost to competitors more than before the change" in shown.words()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("direction: more, than: before, by: 30", "direction: more, than: before, by: 3"),
            r"steps.1.claims.0.by: must fall within the step, days 6 to 40; got 3",
        ),
        (
            ("side: right, lever: competition", "side: left, lever: competition"),
            r"steps.1.claims.0.than: 'before' needs a lever pulled on the right side",
        ),
        (
            ("kpi: lost_to_competitors, direction: less", "kpi: happiness, direction: less"),
            r"steps.1.claims.1.kpi: Input should be",
        ),
        (
            (
                "pause_day: 5",
                "pause_day: 5\n    question: {ask: Who, options: [a, b], answer: 2, reveal: b}",
            ),
            r"answer: must name one of the 2 options",
        ),
    ],
)
def test_a_bad_claim_or_question_is_one_line(tree, change, message):
    path = write_story(tree, CLAIMED.replace(*change))
    with pytest.raises(stories.StoryError, match=message) as caught:
        stories.load_story(path)
    assert "\n" not in str(caught.value)


def test_levers_move_money_and_keep_the_monthly_budget():
    shipped = sim.load_scenario(ROOT / "scenarios" / "aida_funnel.yaml")
    moved = sim.load_scenario(
        ROOT / "scenarios" / "aida_funnel.yaml", LEVERS["budget_split"].overrides(shipped, 20)
    )
    assert moved.sales.reps > shipped.sales.reps
    assert moved.monthly_budget() == pytest.approx(shipped.monthly_budget())
    better = LEVERS["touch_quality"].overrides(shipped, 2)
    assert better["sales.skill.mean"] == pytest.approx(2 * shipped.sales.skill.mean)
    for lever in LEVERS.values():
        assert lever.source.startswith("“") and lever.unit in lever.tooltip()


def test_plots_send_numbers_in_one_colour_per_side_and_the_old_course_dotted(tree):
    told = stories.load_story(write_story(tree))
    pair = sides.Sides(told.left, told.right, seed=3, replications=2)
    pair.step(5)
    pair.right.pull("care", 0)
    assert pair.left.color != pair.right.color
    for name, plot in plots.PLOTS.items():
        if plot.kind == "mechanism":
            continue
        traced = plots.chart_frame(name, pair, 0)["traces"]
        colours = {t["line"]["color"] for t in traced if t.get("mode") == "lines"} | {
            t["marker"]["color"] for t in traced if t["type"] == "bar"
        }
        assert colours == {pair.left.color, pair.right.color}
        for trace in traced:
            assert all(y is None or math.isfinite(y) for y in trace["y"] if not isinstance(y, str))
        if plot.kind == "line":
            dotted = [t for t in traced if t.get("line", {}).get("dash") == "dot"]
            assert len(dotted) == 1 and dotted[0]["name"].endswith("As shipped")


def test_a_session_steps_pauses_at_the_story_day_and_moves_on(tree):
    told = stories.load_story(write_story(tree))
    talk = session.Session(told)
    chart = talk.chart("cost_of_sale")
    assert isinstance(chart, LiveChart) and chart.frame["day"] == 0
    assert talk.forward(30) and talk.day == 5  # the step's pause day
    assert chart.frame["day"] == 5
    talk.next_step()
    assert talk.plots() == ["cost_of_sale", "referrals", "funnel", "spend"]
    talk.pull(talk.step.levers[0])
    assert talk.pulled(talk.step.levers[0]) and talk.revision == 2
    talk.reset()
    assert talk.day == 0 and talk.index == 0
    talk.close()


def test_panels_render_the_caption_levers_and_charts(tree):
    told = stories.load_story(write_story(tree))
    talk = session.Session(told)
    talk.next_step()
    revision, day, playing = solara.reactive(0), solara.reactive(0), solara.reactive(False)
    pick = solara.reactive(None)

    @solara.component
    def Stage():  # noqa: N802
        panels.TopBar(talk, day, playing, revision, lambda: None, lambda: None)
        caption.CaptionBand(talk, revision, playing, pick, lambda: None, revision.value)
        panels.PlotGrid(talk, revision.value)

    box, rc = solara.render(Stage(), handle_error=False)
    html = " ".join(w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets)
    assert "Day 0 of 40" in html and "switch off care" in html
    buttons(rc, "+1 week")[0].click()
    assert talk.day == 7 and day.value == 7
    (lever,) = buttons(rc, session.pull_label(talk.step.levers[0], talk))
    lever.click()
    assert talk.sides.right.pulled == {"care": 0} and revision.value == 1  # raised: a new render
    assert len(rc.find(LiveChart).widgets) == 4
    rc.close()
    talk.close()


def test_the_picker_offers_the_stories_and_the_file_first(tree, monkeypatch):
    monkeypatch.setenv(stories.FILE_ENV, str(tree / "small_aida_funnel.yaml"))
    assert next(iter(session.scenario_choices())).startswith("small_aida_funnel")
    box, rc = solara.render(app.Page(), handle_error=False)
    assert len(buttons(rc, "Start this story")) == 6
    buttons(rc, "Start free play")[0].click()
    assert len(buttons(rc, "+1 day")) == 1
    assert len(rc.find(LiveChart).widgets) == 4
    rc.close()


def test_export_is_compares_report_with_the_levers_pulled(tree):
    told = stories.load_story(write_story(tree))
    pair = sides.Sides(told.left, told.right, seed=3)
    pair.right.pull("care", 0)
    page = panels.report_html(pair, replications=2)
    assert page.startswith("<!doctype html>") and "Touchpoint strategy comparison" in page
    assert "Levers pulled on Small touchpoint management: Care after the sale: 0" in page
    assert "data:image/png;base64" in page and "cost_of_sale" in page


@pytest.mark.parametrize(("host", "warned"), [("0.0.0.0", True), ("127.0.0.1", False)])
def test_a_room_host_is_served_with_a_warning(monkeypatch, capsys, host, warned):
    from sim.cli import dashboard as command
    from sim.dashboard import server

    served = []
    monkeypatch.setenv(stories.STORIES_ENV, "")  # the command sets it: restored afterwards
    monkeypatch.setattr(server, "serve", lambda *args, **kwargs: served.append((args, kwargs)))
    args = argparse.Namespace(
        file=None, port=8765, host=host, stories=None, open=False, check=False
    )
    assert command._dashboard(args) == 0
    assert served == [((host, 8765), {"open_browser": False})]
    assert ("anyone on the network can use" in capsys.readouterr().err) == warned
