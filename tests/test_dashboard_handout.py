"""The handout: one printable page of a story's result, headline first, from the runs watched."""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pytest

from sim.dashboard import claims, session, sides, stories
from sim.dashboard.claims import Claim, check
from sim.dashboard.handout import handout_html
from sim.dashboard.kpis import KPIS, value_text

STORY = """title: "Tom & <b>Jerry</b>"
takeaway: More competitors take more of the market.
left: small_aida_funnel.yaml
right: small_touchpoint_management.yaml
seed: 3
replications: 3
steps:
  - caption: Watch.
    pause_day: 5
    plots: [customers, cost_of_sale]
    claims:
      - {side: right, kpi: customers, direction: more}
  - caption: Now five more competitors on the right.
    plots: [customers, lost_to_competitors]
    levers:
      - {side: right, lever: competition, value: 5}
    claims:
      - {side: right, kpi: lost_to_competitors, direction: more, than: before, by: 30}
      - {side: right, kpi: lost_to_competitors, direction: more, than: before}
"""


@pytest.fixture
def told(tree: Path) -> stories.Told:
    path = tree / "handout_story.yaml"
    path.write_text(STORY)
    return stories.load_story(path)


def test_the_handout_opens_with_the_headline_and_gives_the_runs_numbers(told):
    room = session.Session(told)
    room.forward(5)
    room.next_step()
    room.pull(room.step.levers[0])
    room.forward(20)  # day 25: the step's first claim (day 30) is still ahead
    page = handout_html(room)

    assert page.startswith("<!DOCTYPE html>") and page.endswith("</html>\n")
    assert page.count("<html") == page.count("<body") == 1
    for outside in ("<script", "src=", "href=", "<link", "url(", "@import"):
        assert outside not in page
    assert "&lt;b&gt;Jerry&lt;/b&gt;" in page and "<b>Jerry" not in page

    text = html.unescape(page)
    headline = re.search(r"<p class='headline'>(.*?)</p>", text).group(1)
    assert text.index(headline) < text.index("<table")
    assert headline.startswith("By day 25 ")
    left, right = room.sides
    won = {s.name: np.median(s.current.series("customers")[:, 25]) for s in room.sides}
    first, second = sorted(won, key=won.get, reverse=True)
    assert won[first] > won[second]
    assert f" {first} won {value_text(KPIS['customers'], won[first])} customers" in headline
    assert f" against {value_text(KPIS['customers'], won[second])} for {second}" in headline
    cost = np.median(right.current.series("cost_of_sale")[:, -1])
    assert f"<td class='number'>{value_text(KPIS['cost_of_sale'], cost)}</td>" in text

    assert right.branches[-1].label.endswith("(from day 5)")
    assert right.branches[-1].label in text and "As shipped: nothing changed" in text
    assert "More competitors take more of the market." in text
    assert "By day 5, " in text  # the first step's claim, checked on its day
    assert "(to be seen by day 30)" in text and "(to be seen by day 40)" in text
    assert "<svg" in page and "stroke-dasharray='8 5'" in page  # the right side's dash


def test_a_claim_is_checked_on_its_day_on_the_courses_of_that_day(told):
    pair = sides.Sides(told.left, told.right, seed=3, replications=3)
    pair.step(5)
    pair.right.pull("competition", 5)
    pair.step(25)
    before = Claim(side="right", kpi="lost_to_competitors", direction="more", than="before")
    other = Claim(side="left", kpi="customers", direction="less", than="other")
    then = [claims.check(claim, pair) for claim in (before, other)]
    pair.right.pull("care", 0)  # a later lever: the claims of day 30 keep their courses
    pair.left.pull("response_time", 1)
    pair.step(10)
    assert [check(claim, pair, 30) for claim in (before, other)] == then
    assert check(before, pair, 41) is None  # not reached yet
    assert check(before, pair, 4) is None  # no lever pulled on the right by day 4
