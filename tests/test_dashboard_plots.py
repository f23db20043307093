"""The dashboard's charts, scoreboard and caption band without a browser.

Most tests draw made-up ensembles (a few runs of a few days, numbers chosen by hand) so
each property is checked against a known answer; one test draws a real pair of small
sides through every plot.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np
import pytest

from sim.dashboard import plots, scoreboard
from sim.dashboard.kpis import KPIS
from sim.dashboard.sides import LOOKS, Sides

BLUE, ORANGE = "#0072B2", "#E69F00"


@dataclass
class Course:
    """A made-up course: each KPI as ``(runs, days)``, the funnel and spend per run."""

    label: str
    runs: dict[str, np.ndarray]
    reached: dict[str, np.ndarray] = field(default_factory=dict)
    spent: dict[str, np.ndarray] = field(default_factory=dict)
    start: int = 0

    def series(self, kpi: str) -> np.ndarray:
        return self.runs[kpi]

    def funnel(self) -> dict[str, np.ndarray]:
        return self.reached

    def spend(self) -> dict[str, np.ndarray]:
        return self.spent


@dataclass
class Made:
    """A made-up side, drawn as the lead's :class:`sim.dashboard.sides.Side` is."""

    which: str
    name: str
    branches: list[Course]
    pulled: dict = field(default_factory=dict)

    color = property(lambda self: LOOKS[self.which].color)
    dash = property(lambda self: LOOKS[self.which].dash)
    symbol = property(lambda self: LOOKS[self.which].symbol)
    current = property(lambda self: self.branches[-1])


@dataclass
class Pair:
    left: Made
    right: Made
    day: int
    horizon: int
    replications: int = 3

    def __iter__(self):
        return iter((self.left, self.right))


def runs(*rows: list[float]) -> np.ndarray:
    return np.array(rows, dtype=float)


def course(label: str, customers: np.ndarray, cost: np.ndarray | None = None) -> Course:
    return Course(
        label,
        {"customers": customers, "cost_of_sale": customers * 0 + 5 if cost is None else cost},
        reached={"in the market": np.array([100.0] * 3), "bought": np.array([4.0, 5.0, 6.0])},
        spent={
            "sales reps": np.array([900.0] * 3),
            "search": np.array([10.0, 20.0, 30.0]),
            "email": np.array([1.0] * 3),
        },
    )


@pytest.fixture
def pair() -> Pair:
    """Left: one course of three runs; right: as shipped (dotted) and after a lever."""
    left = course("As shipped", runs([0, 1, 2, 3], [0, 2, 4, 6], [0, 3, 6, 9]))
    before = course("As shipped", runs([0, 1, 1, 1], [0, 1, 1, 1], [0, 1, 1, 1]))
    after = course(
        "Care after the sale: 0 touches (from day 2)",
        runs([0, 1, 2, 2], [0, 1, 3, 3], [0, 1, 4, 4]),
        cost=runs([np.nan, 9, 8, 7], [np.nan, np.nan, 6, 5], [np.nan, 8, 7, 6]),
    )
    return Pair(
        Made("left", "aida funnel", [left]), Made("right", "touchpoint", [before, after]), 3, 10
    )


def by_name(traces: list[dict], name: str) -> list[dict]:
    return [t for t in traces if t.get("name") == name]


def test_the_sides_differ_by_colour_line_and_marker_in_okabe_ito(pair):
    drawn = plots.traces(plots.PLOTS["customers"], pair)
    left = by_name(drawn, "aida funnel")[0]["line"]
    right = by_name(drawn, "touchpoint")[0]["line"]
    assert (left["color"], left["dash"]) == (BLUE, "solid")
    assert (right["color"], right["dash"]) == (ORANGE, "dash")
    ends = [t for t in drawn if t["mode"] == "markers+text"]
    assert [(t["marker"]["color"], t["marker"]["symbol"]) for t in ends] == [
        (BLUE, "circle"),
        (ORANGE, "square"),
    ]
    bars = plots.traces(plots.PLOTS["funnel"], pair)
    assert [b["marker"]["color"] for b in bars] == [BLUE, ORANGE]
    assert [b["marker"]["pattern"]["shape"] for b in bars] == ["", "/"]


def test_a_line_is_the_median_of_the_runs_inside_a_band_where_most_runs_fall(pair):
    drawn = plots.traces(plots.PLOTS["customers"], pair)
    assert by_name(drawn, "aida funnel")[0]["y"] == [0, 2, 4, 6]
    low, high = by_name(drawn, "aida funnel: most runs")
    assert "fill" not in low and high["fill"] == "tonexty"
    assert high["fillcolor"] == "rgba(0,114,178,0.18)"
    assert low["y"] == [0, 1.2, 2.4, 3.6] and high["y"] == [0, 2.8, 5.6, 8.4]
    alone = Pair(
        Made("left", "a", [course("x", runs([0, 1]))]),
        Made("right", "b", [course("x", runs([0, 2]))]),
        1,
        5,
    )
    assert not [t for t in plots.traces(plots.PLOTS["customers"], alone) if t.get("fill")]


def test_an_earlier_course_is_dotted_thinner_and_labelled_at_its_end(pair):
    drawn = plots.traces(plots.PLOTS["customers"], pair)
    (old,) = by_name(drawn, "touchpoint: As shipped")
    (new,) = by_name(drawn, "touchpoint")
    assert old["line"]["dash"] == "dot" and old["line"]["width"] < new["line"]["width"]
    assert old["y"] == [0, 1, 1, 1] and new["y"] == [0, 1, 3, 3]
    labels = {t["text"][0]: t["textposition"] for t in drawn if "text" in t}
    assert list(labels) == ["aida funnel 6", "As shipped", "touchpoint 3"]
    assert labels["touchpoint 3"] == "bottom right"
    assert labels["As shipped"] == "top right"  # across from its side's own label


def test_labels_at_line_ends_give_todays_value_and_never_sit_on_each_other(pair):
    drawn = plots.traces(plots.PLOTS["customers"], pair)
    ends = {t["text"][0]: t for t in drawn if t["mode"] == "markers+text"}
    assert ends["aida funnel 6"]["x"] == [3] and ends["aida funnel 6"]["y"] == [6]
    assert ends["aida funnel 6"]["textposition"] == "top right"  # ahead: above
    assert ends["touchpoint 3"]["textposition"] == "bottom right"
    pair.right.branches[-1].runs["customers"] = runs([0, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 1])
    drawn = plots.traces(plots.PLOTS["customers"], pair)
    low = next(t for t in drawn if t.get("text") == ["touchpoint 1"])
    assert low["textposition"] == "middle right"  # below its end it would sit on the day axis
    pair.day = 9  # near the horizon: the labels turn left, inside the chart
    assert {
        t["textposition"].split()[1]
        for t in plots.traces(plots.PLOTS["customers"], pair)
        if "text" in t
    } == {"left"}
    pair.day, pair.left.name = 5, "a strategy with a very long name indeed"
    sides = {  # half way: a short label still fits on the right, a long one turns left
        t["text"][0]: t["textposition"].split()[1]
        for t in plots.traces(plots.PLOTS["customers"], pair)
        if "text" in t
    }
    assert sides == {
        "a strategy with a very long name indeed 6": "left",
        "As shipped": "right",
        "touchpoint 1": "right",
    }


def test_cost_of_sale_is_a_gap_until_the_first_customer_and_its_early_spikes_clip(pair):
    drawn = plots.traces(plots.PLOTS["cost_of_sale"], pair)
    assert by_name(drawn, "touchpoint")[0]["y"] == [None, 8.5, 7, 6]  # a run with none: left out
    frame = plots.chart_frame("cost_of_sale", pair, 1)
    assert frame["y_range"] == [0, 11.2]  # 1.6 x the highest median of the later days (7)
    assert "y_range" not in plots.chart_frame("customers", pair, 1)


def test_axes_start_at_zero_and_the_day_axis_spans_the_horizon(pair):
    layout = plots.figure_layout(plots.PLOTS["customers"])
    assert layout["xaxis"]["title"]["text"] == "day"
    assert layout["yaxis"]["rangemode"] == "tozero"
    assert layout["yaxis"]["title"]["text"] == "customers won to date"
    frame = plots.chart_frame("customers", pair, revision=4)
    assert (frame["x_range"], frame["day"], frame["revision"]) == ([0, 10], 3, 4)
    funnel = plots.figure_layout(plots.PLOTS["funnel"])
    assert funnel["xaxis"]["rangemode"] == "tozero" and "type" not in funnel["xaxis"]  # linear
    assert not [w for p in plots.PLOTS.values() for w in (p.title, p.unit) if "_" in w]


def test_a_frame_is_numbers_and_words_only_no_layout(pair):
    for side in pair:
        for branch in side.branches:
            for kpi in KPIS:
                branch.runs.setdefault(kpi, branch.runs["customers"])
    for name, plot in plots.PLOTS.items():
        if plot.kind == "mechanism":
            continue
        frame = plots.chart_frame(name, pair, revision=1)
        assert set(frame) <= {"day", "revision", "traces", "x_range", "y_range"}
        json.dumps(frame, allow_nan=False)


def test_the_funnel_is_who_reached_each_stage_with_the_number_on_each_bar(pair):
    left, right = plots.traces(plots.PLOTS["funnel"], pair)
    assert left["y"] == ["in the market", "bought"] and left["x"] == [100, 5]
    assert left["text"] == ["100", "5"] and left["textposition"] == "outside"
    assert left["orientation"] == "h"


def test_spend_gives_the_total_then_the_sources_largest_first_each_labelled(pair, monkeypatch):
    left, _ = plots.traces(plots.PLOTS["spend"], pair)
    assert left["y"] == ["total", "sales reps", "search", "email"]
    assert left["x"] == [921, 900, 20, 1] and left["text"] == ["921", "900", "20", "1"]
    monkeypatch.setattr(plots, "SPEND_SOURCES", 1)
    left, _ = plots.traces(plots.PLOTS["spend"], pair)
    assert left["y"] == ["total", "sales reps", "other sources"] and left["x"] == [921, 900, 21]


def test_the_scoreboard_marks_the_side_ahead_by_which_way_is_better(pair):
    more, less = scoreboard.scores(pair, ["customers", "cost_of_sale"])
    assert more.values == (6.0, 3.0) and more.leader == 0  # more customers is better
    assert less.values == (5.0, 6.0) and less.leader == 0  # less cost of sale is better
    pair.right.branches[-1].runs["customers"][:, -1] = 6
    assert scoreboard.scores(pair, ["customers"])[0].leader is None  # a tie: nobody ahead
    page = scoreboard.scoreboard_html(pair, ["customers", "cost_of_sale"])
    assert page.count(scoreboard.AHEAD) == 1 and "Left: aida funnel" in page
    assert "stroke-dasharray" in page and "<rect" in page and "<circle" in page  # the swatches
    pair.day = 0
    pair.left.branches[-1].runs["cost_of_sale"] = runs([np.nan], [np.nan], [np.nan])
    assert scoreboard.scores(pair, ["cost_of_sale"])[0].leader is None
    assert scoreboard.number_text(math.nan) == "—"
    assert [scoreboard.number_text(x) for x in (12_345.4, 786_499, -7_862_879)] == [
        "12,345",
        "786k",
        "-7.86M",
    ]


def test_the_scoreboard_adds_the_kpi_the_step_is_about():
    @dataclass
    class Claim:
        kpi: str

    @dataclass
    class Step:
        plots: list
        claims: list

    assert scoreboard.step_kpis(Step(["customers"], [Claim("referrals")])) == [
        "customers",
        "cost_of_sale",
        "referrals",
    ]
    assert scoreboard.step_kpis(Step(["lost_to_competitors", "funnel"], []))[-1] == (
        "lost_to_competitors"
    )
    assert scoreboard.step_kpis(Step(["funnel"], [])) == ["customers", "cost_of_sale"]


def test_real_small_sides_draw_every_plot_with_a_band(scenario_copy):
    for name in ("aida_funnel", "touchpoint_management"):
        (scenario_copy / f"small_{name}.yaml").write_text(
            f"extends: {name}.yaml\nname: small_{name}\npopulation: {{size: 500}}\n"
            "horizon_days: 30\n"
        )
    pair = Sides(
        scenario_copy / "small_aida_funnel.yaml",
        scenario_copy / "small_touchpoint_management.yaml",
        seed=3,
        replications=3,
    )
    pair.step(5)
    pair.right.pull("care", 0)
    pair.step(2)
    for name in plots.PLOTS:
        frame = plots.chart_frame(name, pair, revision=1)
        assert frame["day"] == 7
    drawn = plots.chart_frame("customers", pair, 1)["traces"]
    assert [
        t["line"]["dash"] for t in drawn if t.get("mode") == "lines" and t["line"]["width"]
    ] == [
        "solid",
        "dot",
        "dash",
    ]
    funnel = plots.chart_frame("funnel", pair, 1)["traces"][0]["x"]
    assert funnel == sorted(funnel, reverse=True) and funnel[0] == 500


QUESTION_STORY = """title: A small story
left: small_aida_funnel.yaml
right: small_touchpoint_management.yaml
seed: 3
prospects: 300
replications: 2
takeaway: Care pays.
steps:
  - caption: Watch the first week.
    pause_day: 7
    plots: [customers, prospects]
    question: {ask: "Who wins?", options: [Left, Right], answer: 1, reveal: "Right, by far."}
    levers:
      - {side: right, lever: care, value: 0, label: "No care (right)"}
  - caption: Now the second week.
    plots: [customers, funnel, spend]
"""


def test_a_question_hides_the_levers_until_reveal_then_next_moves_on_to_the_debrief(
    scenario_copy,
):
    import ipyvuetify as v
    import solara

    from sim.dashboard import app
    from sim.dashboard.stories import load_story

    for name in ("aida_funnel", "touchpoint_management"):
        (scenario_copy / f"small_{name}.yaml").write_text(
            f"extends: {name}.yaml\nname: small_{name}\nhorizon_days: 20\n"
        )
    (scenario_copy / "stories").mkdir(exist_ok=True)
    path = scenario_copy / "stories" / "small.yaml"
    path.write_text(QUESTION_STORY)
    box, rc = solara.render(app.Stage(load_story(path), lambda: None), handle_error=False)

    def labels() -> list[str]:
        return [str(c) for b in rc.find(v.Btn).widgets for c in b.children if isinstance(c, str)]

    def button(text: str):
        return next(b for b in rc.find(v.Btn).widgets if text in b.children)

    def words() -> str:
        return " ".join(w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets)

    assert "Who wins?" in words() and "No care (right)" not in labels()
    button("Right").click()
    assert "● Right" in labels()  # the room's pick
    button("Reveal").click()
    assert "Answer: Right, by far." in words() and "No care (right)" in labels()
    button("Next (1 of 2)").click()
    assert "Now the second week." in words() and "Debrief" in labels()
    button("+1 month").click()  # to the horizon on the last step: the debrief opens itself
    assert "Care pays." in words() and "Debrief: day 20 of 20, 2 runs a side" in words()
    button("Back to the charts").click()
    button("Debrief").click()
    assert "Care pays." in words()
    button("Reset").click()  # the story from its start: no debrief, no answer picked
    assert "Watch the first week." in words() and "Care pays." not in words()
    assert "Right" in labels() and "● Right" not in labels()
    rc.close()
