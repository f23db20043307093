"""The mechanism view: its frame shows the model's prospects, leads cooling, word of mouth.

A tiny market (400 prospects, an installed base that talks, slow reps) for a few weeks:
every property is read against the model's own columns.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sim.dashboard.mechanism import (
    LANES,
    SHAPES,
    duration_words,
    mechanism_frame,
    warmth,
)
from sim.dashboard.mechanism_view import MechanismView
from sim.model.model import JourneyModel
from sim.model.prospects import Stage
from sim.scenario.loading import load_scenario

ROOT = Path(__file__).resolve().parents[1]
TINY = {
    "population.size": 400,
    "horizon_days": 60,
    "population.initial_customer_share": 0.1,
    "word_of_mouth.conversation_rate_per_day": 0.3,
    "sales.response_time_hours": 72,
}


LANE_OF = {int(stage): i for i, lane in enumerate(LANES) for stage in lane.stages}


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(ROOT / "scenarios" / "touchpoint_management.yaml", TINY)


def _frames(model: JourneyModel, days: int, **kwargs) -> list[dict]:
    frames = []
    for _ in range(days):
        model.step()
        frames.append(mechanism_frame(model, **kwargs))
    return frames


def test_lanes_count_the_models_stages_and_dots_sit_in_their_lane(scenario):
    model = JourneyModel(scenario, 3)
    frame = _frames(model, 30, shown_per_lane=20)[-1]
    counts = model.prospects.stage_counts[0]
    dots = frame["dots"]
    ids = np.asarray(dots["id"])
    assert np.unique(ids).size == ids.size
    for i, (lane, shown) in enumerate(zip(LANES, frame["lanes"], strict=True)):
        assert shown["count"] == sum(int(counts[s]) for s in lane.stages)
        assert shown["shown"] == min(shown["count"], 20)
        mine = ids[np.asarray(dots["lane"]) == i]
        assert mine.size == shown["shown"]
        assert set(model.prospects.stage[mine].tolist()) <= {int(s) for s in lane.stages}
    assert sum(lane["count"] for lane in frame["lanes"]) == scenario.population.size
    assert frame["lanes"][0]["count"] > 20  # the cap was exercised: "+ more" in the view


def test_the_same_prospects_stay_on_screen_from_day_to_day(scenario):
    model = JourneyModel(scenario, 3)
    before, after = _frames(model, 21, shown_per_lane=20)[-2:]
    unaware = [
        set(np.asarray(f["dots"]["id"])[np.asarray(f["dots"]["lane"]) == 0].tolist())
        for f in (before, after)
    ]
    assert len(unaware[0] & unaware[1]) >= 15  # a day moves a few on, not the whole lane


def test_leads_no_rep_has_reached_grow_older_by_a_day_each_day_and_cool(scenario):
    model = JourneyModel(scenario, 3)
    table = model.prospects
    before, grew, kinds, noted = {}, 0, set(), 0
    for _ in range(40):
        model.step()
        frame = mechanism_frame(model)
        now = _unreached(frame)
        for row, (kind, hours, warm) in now.items():
            assert table.stage[row] == Stage.SALES_QUALIFIED and not table.contacted[row]
            assert (table.rep_touches[row] == 0) == (kind == "waiting")
            kinds.add(kind)
            if row in before:
                assert hours == pytest.approx(before[row][1] + 24.0, abs=0.11)
                assert warm <= before[row][2]
                grew += 1
        before = now
        queue, waiting = frame["queue"], [h for k, h, _ in now.values() if k == "waiting"]
        assert queue["waiting"] == len(waiting)
        assert queue["no_answer"] == len(now) - len(waiting)
        if waiting:
            assert queue["oldest_hours"] == max(waiting)
            assert frame["lanes"][4]["note"].startswith(f"{len(waiting)} lead")
            assert "waiting for a call, oldest" in frame["lanes"][4]["note"]
            noted += 1
    assert grew > 20 and noted > 5
    assert kinds == {"waiting", "no answer"}


def _unreached(frame: dict) -> dict[int, tuple[str, float, float]]:
    """Leads no rep has reached yet, by row: (shape, hours since the handoff, warmth)."""
    dots = frame["dots"]
    return {
        i: (SHAPES[s], h, w)
        for i, h, w, s in zip(dots["id"], dots["hours"], dots["warmth"], dots["shape"], strict=True)
        if h >= 0
    }


def test_a_recommendation_joins_a_customer_and_a_friend_on_screen(scenario):
    model = JourneyModel(scenario, 3)
    assert mechanism_frame(model)["links"] == []  # day 0: nobody has recommended yet
    frames = _frames(model, 30, shown_per_lane=20)
    links = frames[-1]["links"]
    assert frames[-1]["word_of_mouth"]["heard"] >= len(links) > 5
    dots = frames[-1]["dots"]
    shown = dict(zip(dots["id"], dots["lane"], strict=True))
    referred_by = model.prospects.referred_by
    heard = np.flatnonzero(referred_by >= 0)
    in_word_of_mouth = set(heard.tolist()) | set(referred_by[heard].tolist())
    graph = model.graph
    for friend, giver, lane, friend_lane in links:
        assert referred_by[friend] == giver  # replica 0: rows are its own
        assert giver in graph.indices[graph.indptr[friend] : graph.indptr[friend + 1]]
        assert LANES[lane].name in {"customer", "advocate", "gone"}
        assert shown.get(friend, friend_lane) == friend_lane
        assert friend in shown or frames[-1]["lanes"][friend_lane]["open"]
        if giver not in shown and LANES[lane].name != "gone":  # word of mouth comes first
            assert {i for i, d in shown.items() if d == lane} <= in_word_of_mouth
    assert sum(giver in shown for _, giver, _, _ in links) > len(links) / 2
    customers = {"customer", "advocate"}
    assert any(LANES[lane].name in customers for _, _, lane, _ in links)


def test_a_pair_new_since_the_last_frame_is_a_recommendation_made_since(scenario):
    model = JourneyModel(scenario, 3)
    referral = model.source_index["referral"]
    before = mechanism_frame(model)
    new_pairs = 0
    for _ in range(30):
        touches = model.prospects.touches_by_source[:, referral].copy()
        referred_by = model.prospects.referred_by.copy()
        model.step()
        frame = mechanism_frame(model)
        old = {(f, g) for f, g, _, _ in before["links"]}
        for friend, giver, _, lane in frame["links"]:
            if (friend, giver) not in old and frame["lanes"][lane]["open"]:
                assert model.prospects.touches_by_source[friend, referral] > touches[friend]
                new_pairs += 1
        heard_today = np.flatnonzero(model.prospects.referred_by != referred_by)
        pairs = {(f, g) for f, g, _, _ in frame["links"]}
        for friend in heard_today.tolist():
            if LANE_OF[model.prospects.stage[friend]] <= LANE_OF[Stage.SALES_QUALIFIED]:
                assert (friend, int(model.prospects.referred_by[friend])) in pairs - old
        before = frame
    assert new_pairs > 5


def test_a_replication_of_a_batch_shows_what_its_own_run_shows(scenario):
    batch = JourneyModel(scenario, seeds=[3, 11])
    alone = JourneyModel(scenario, 11)
    for _ in range(15):
        batch.step()
        alone.step()
    shown, own = mechanism_frame(batch, replica=1), mechanism_frame(alone)
    assert shown.pop("replica") == 1
    own.pop("replica")
    assert shown == own
    with pytest.raises(ValueError, match="replica 2: the model runs replications 0 to 1"):
        mechanism_frame(batch, replica=2)


def test_the_frame_is_small_json_in_plain_words(scenario):
    model = JourneyModel(scenario, 3)
    frame = _frames(model, 30)[-1]
    text = json.dumps(frame, allow_nan=False)
    assert len(frame["dots"]["id"]) <= 160 * len(LANES)
    assert len(text) < 60_000
    words = [lane["label"] for lane in frame["lanes"]] + [lane["note"] for lane in frame["lanes"]]
    assert not any("_" in w for w in words)


def test_a_lead_cools_from_warm_to_cold_as_it_waits(scenario):
    hours = np.array([0.0, 1.0, 4.0, 24.0, 72.0])
    warm = warmth(scenario.sales, hours)
    assert warm[0] == pytest.approx(1.0)
    assert np.all(np.diff(warm) < 0)
    assert [duration_words(h) for h in (0.5, 5.0, 72.0)] == ["30 minutes", "5 hours", "3 days"]


def test_the_view_is_a_widget_that_takes_a_frame_and_a_height(scenario):
    model = JourneyModel(scenario, 3)
    view = MechanismView(height=330)
    view.frame = mechanism_frame(model)
    assert view.plot == "prospects"
    assert view.frame["lanes"][0]["label"] == "Unaware"
    assert "<script src" not in view.template and "http" not in view.template  # offline
    assert Stage.SALES_QUALIFIED in LANES[4].stages


PAGE = """<html><body style="margin:0"><div id="box"><canvas id="canvas"></canvas></div><script>
const module = {exports: {}};
%s
const view = module.exports, frames = %s;
const vm = {frame: frames[0], height: 330};
vm.$refs = {box: document.getElementById("box"), canvas: document.getElementById("canvas")};
for (const [name, method] of Object.entries(view.methods)) vm[name] = method.bind(vm);
view.mounted.call(vm);
window.show = (i) => { vm.frame = frames[i]; view.watch.frame.call(vm); vm.paint(1); };
</script></body></html>"""


def test_the_view_draws_every_frame_in_a_browser(scenario):
    from playwright.sync_api import sync_playwright

    from benchmarks.dashboard_latency import CHROMIUM, CHROMIUM_ARGS
    from sim.dashboard.mechanism_view import SCRIPT

    model = JourneyModel(scenario, 3)
    frames = [mechanism_frame(model), *_frames(model, 20)]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 640, "height": 330})
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.set_content(PAGE % (SCRIPT, json.dumps(frames)))
        for i in range(len(frames)):
            page.evaluate(f"show({i})")
        box = page.locator("#box")
        drawn, day, words = (
            box.get_attribute("data-dots"),
            box.get_attribute("data-day"),
            box.get_attribute("aria-label"),
        )
        arcs = page.evaluate("[...vm.seen.values()].filter((day) => day > 0).length")
        browser.close()
    assert errors == []
    assert day == str(frames[-1]["day"]) and 0 < int(drawn) <= len(frames[-1]["dots"]["id"])
    assert frames[-1]["queue"]["short"] in words or frames[-1]["queue"]["text"] in words
    assert arcs > 0  # recommendations made while the room watched: arcs
