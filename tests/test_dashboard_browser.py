"""The dashboard in a real browser: one screen at a room's sizes, a story told, free play.

``run.py dashboard --stories`` runs as a server on a free loopback port, once for the
module, telling the first shipped story on a smaller market (2,000 prospects, 5 runs a
side: the same captions, questions and levers, quicker days). Playwright drives
Debian's Chromium: at 1280×720 and 1920×1080 nothing scrolls and the charts, the
caption, the scoreboard and every button are inside the window without overlapping;
the sides are drawn in Okabe–Ito blue and orange with different line styles; a story
is told through its question, a lever and its debrief; free play shows every lever's
value and saves a named setup in the trainer's own folder.
"""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

import pytest

from benchmarks.dashboard_latency import CHARTS_AT, CHROMIUM, CHROMIUM_ARGS, dashboard_server
from sim.dashboard.levers import LEVERS

ROOT = Path(__file__).resolve().parents[1]
STORY = ROOT / "scenarios" / "stories" / "1_aida_vs_touchpoint_management.yaml"
SIZES = [(1280, 720), (1920, 1080)]

LAYOUT = """() => {
  const boxes = [];
  const add = (kind, el, apart = true) => {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.height > 0) {
      boxes.push({kind, apart, name: (el.dataset.plot || el.innerText || "").slice(0, 40),
                  l: r.left, t: r.top, r: r.right, b: r.bottom});
    }
  };
  const stage = document.querySelector(".touchpoint-stage");
  stage.querySelectorAll(".touchpoint-chart, .touchpoint-mechanism").forEach(e => add("chart", e));
  stage.querySelectorAll(".touchpoint-caption").forEach(e => add("caption", e));
  stage.querySelectorAll(".touchpoint-scoreboard").forEach(e => add("scoreboard", e));
  stage.querySelectorAll(".v-btn").forEach(e => add("button", e));
  stage.querySelectorAll(".touchpoint-lever-row").forEach(e => add("lever", e, false));
  const scrolls = Array.from(stage.querySelectorAll("*")).filter(e => {
    const s = getComputedStyle(e);
    return /(auto|scroll)/.test(s.overflowX + s.overflowY)
      && (e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1);
  }).map(e => e.className.toString());
  const spill = Array.from(stage.querySelectorAll(
    ".touchpoint-number, .touchpoint-side, .touchpoint-board, .touchpoint-free"))
    .filter(e => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1)
    .map(e => e.innerText.slice(0, 60));
  const page = document.scrollingElement;
  return {width: innerWidth, height: innerHeight, scrollWidth: page.scrollWidth,
          scrollHeight: page.scrollHeight, boxes, scrolls, spill};
}"""

TRACES = """() => Array.from(document.querySelectorAll('.touchpoint-chart')).map(c => ({
  plot: c.dataset.plot,
  lines: (c.data || []).filter(t => t.mode === 'lines' && t.line && t.line.width)
    .map(t => ({name: t.name, color: t.line.color, dash: t.line.dash})),
}))"""


def assert_one_screen(page, needs=("chart", "caption", "scoreboard", "button")) -> dict:
    """Nothing scrolls; charts, caption, scoreboard and buttons inside the window, apart."""
    seen = page.evaluate(LAYOUT)
    width, height = seen["width"], seen["height"]
    assert seen["scrollHeight"] <= height and seen["scrollWidth"] <= width, seen
    assert seen["scrolls"] == []
    assert seen["spill"] == []  # nothing runs out of its box (numbers, scoreboard, levers)
    boxes = seen["boxes"]
    kinds = {box["kind"] for box in boxes}
    assert set(needs) <= kinds, kinds
    for box in boxes:
        inside = box["l"] >= 0 and box["t"] >= 0 and box["r"] <= width and box["b"] <= height
        assert inside, f"outside the {width}x{height} window: {box}"
    apart = [box for box in boxes if box["apart"]]
    for i, one in enumerate(apart):
        for other in apart[i + 1 :]:
            across = min(one["r"], other["r"]) - max(one["l"], other["l"])
            down = min(one["b"], other["b"]) - max(one["t"], other["t"])
            assert across <= 1 or down <= 1, f"overlap: {one} and {other}"
    return seen


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    """The dashboard telling story 1 on a smaller market; setups kept in a folder of its own."""
    if not Path(CHROMIUM).exists():  # fail loudly, not skip: the browser test is in the suite
        pytest.fail("the dashboard test needs Debian's chromium: apt-get install chromium")
    root = tmp_path_factory.mktemp("dashboard")
    tree = root / "scenarios"
    shutil.copytree(ROOT / "scenarios", tree, ignore=shutil.ignore_patterns("stories"))
    (tree / "stories").mkdir()
    text = STORY.read_text().replace("seed: 7\n", "seed: 7\nprospects: 2000\nreplications: 5\n")
    (tree / "stories" / STORY.name).write_text(text)
    data = root / "data"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("XDG_DATA_HOME", str(data))
        with dashboard_server(root / "server.log", "--stories", str(tree / "stories")) as (url, _):
            yield url, data


@pytest.fixture(scope="module")
def browser(dashboard):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(browser, url: str, width: int, height: int):
    context = browser.new_context(
        viewport={"width": width, "height": height}, accept_downloads=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    page.get_by_text("Pick a story").wait_for(timeout=30_000)
    return page, errors


def wait_for_day(page, day: int, timeout_ms: float = 30_000) -> None:
    """Until every chart on the page has drawn ``day``."""
    page.wait_for_function(
        f"() => {{ const d = ({CHARTS_AT})(); return d.length && d.every(x => x === '{day}'); }}",
        timeout=timeout_ms,
    )


def download_handout(page, folder: Path, timeout_ms: float) -> str:
    """Ask for the handout, wait up to ``timeout_ms`` for it, download it; its text."""
    page.get_by_role("button", name="Handout").click()
    download_button = page.get_by_role("button", name="Download the handout")
    download_button.wait_for(timeout=timeout_ms)
    with page.expect_download(timeout=30_000) as download:
        download_button.click()
    saved = folder / "handout.html"
    download.value.save_as(saved)
    return html.unescape(saved.read_text())


@pytest.mark.parametrize(("width", "height"), SIZES, ids=["1280x720", "1920x1080"])
def test_a_story_fits_one_screen_in_colour_blind_safe_colours(browser, dashboard, width, height):
    page, errors = open_page(browser, dashboard[0], width, height)
    page.get_by_role("button", name="Start this story").first.click()
    wait_for_day(page, 0)
    page.get_by_role("button", name="Forward a month").click()
    wait_for_day(page, 30)
    assert page.locator(".touchpoint-day").inner_text() == "Day 30 of 365"
    seen = assert_one_screen(page)  # the question and its options
    assert [b["name"] for b in seen["boxes"] if b["kind"] == "chart"] == [
        "customers",
        "cost_of_sale",
        "funnel",
        "spend",
    ]  # the step's charts, no other
    for chart in page.evaluate(TRACES):
        if chart["lines"]:
            solid, dashed = chart["lines"]
            assert (solid["color"], solid["dash"]) == ("#0072B2", "solid"), chart
            assert (dashed["color"], dashed["dash"]) == ("#E69F00", "dash"), chart
    board = page.locator(".touchpoint-scoreboard").inner_text()
    assert board.startswith("Left: ") and "\nRight: " in board  # the sides named, not coloured
    assert "★ ahead" in board
    assert page.get_by_text("This website runs on").count() == 0  # no footer over the charts
    words = page.locator(".touchpoint-stage").inner_text().lower()
    assert "in red" not in words and "in blue" not in words

    chart = page.locator(".touchpoint-chart[data-plot=customers] .nsewdrag").first.bounding_box()
    page.mouse.move(chart["x"] + chart["width"] * 0.05, chart["y"] + chart["height"] / 2)
    page.wait_for_function(  # hover still gives the values
        "() => document.querySelector('.touchpoint-chart[data-plot=customers] .hoverlayer')"
        ".childElementCount > 0",
        timeout=10_000,
    )
    first = [b for b in seen["boxes"] if b["kind"] == "chart"][0]
    page.set_viewport_size({"width": width + 320, "height": height + 180})
    page.wait_for_function(  # the charts follow the window
        f"() => document.querySelector('.touchpoint-chart .main-svg')"
        f".getBoundingClientRect().width > {first['r'] - first['l'] + 100}",
        timeout=10_000,
    )
    assert_one_screen(page)
    page.set_viewport_size({"width": width, "height": height})
    page.get_by_role("button", name="Reveal").click()
    page.get_by_text("Answer: Touchpoint management (right)").wait_for(timeout=30_000)
    page.get_by_role("button", name="Next (1 of 4)").click()
    page.get_by_role("button", name="Answer leads within the hour (left)").wait_for(timeout=30_000)
    page.locator(".touchpoint-mechanism").wait_for(timeout=30_000)
    assert_one_screen(page)  # the lever, Next and the prospects themselves
    page.context.close()
    assert not errors, errors


def test_a_story_told_predict_reveal_lever_debrief_handout(browser, dashboard, tmp_path):
    page, errors = open_page(browser, dashboard[0], 1280, 720)
    page.get_by_role("button", name="Start this story").first.click()
    wait_for_day(page, 0)
    page.get_by_role("button", name="Touchpoint management (right)").click()
    page.get_by_role("button", name="● Touchpoint management (right)").wait_for(timeout=30_000)
    assert page.get_by_role("button", name="Reveal").count() == 1
    page.get_by_role("button", name="Reveal").click()
    page.get_by_text("Answer: Touchpoint management (right)").wait_for(timeout=30_000)
    page.get_by_role("button", name="Forward a week").click()
    wait_for_day(page, 7)
    page.get_by_role("button", name="Next (1 of 4)").click()
    lever = page.get_by_role("button", name="Answer leads within the hour (left)")
    lever.click()
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.touchpoint-chart'))"
        ".some(c => (c.data || []).some(t => t.line && t.line.dash === 'dot'))",
        timeout=30_000,
    )
    page.get_by_role("button", name="Forward a week").click()
    wait_for_day(page, 14)
    assert page.get_by_role("button", name="✓ Answer leads within the hour (left)").is_disabled()
    page.get_by_role("button", name="Next (2 of 4)").click()
    page.get_by_role("button", name="Next (3 of 4)").click()
    page.get_by_role("button", name="Debrief").click()
    page.get_by_text("Touchpoint management wins more customers").wait_for(timeout=30_000)
    assert "most runs" in page.locator(".touchpoint-scoreboard").inner_text()
    assert_one_screen(page, needs=("scoreboard", "button"))
    text = download_handout(page, tmp_path, 60_000)
    assert "A funnel (AIDA) against touchpoint management" in text
    page.get_by_role("button", name="Back to the charts").click()
    wait_for_day(page, 14)
    page.context.close()
    assert not errors, errors


def test_free_play_shows_each_lever_in_words_and_saves_a_named_setup_and_a_handout(
    browser, dashboard, tmp_path
):
    url, data = dashboard
    page, errors = open_page(browser, url, 1280, 720)
    page.get_by_role("button", name="Start free play").click()
    wait_for_day(page, 0, 60_000)
    panel = page.locator(".touchpoint-free")
    assert "Lead response time" in panel.inner_text() and "(as shipped)" in panel.inner_text()
    assert "(right: " in panel.inner_text()  # the other side's value too
    seen = assert_one_screen(page, needs=("chart", "caption", "button", "lever"))
    assert len([box for box in seen["boxes"] if box["kind"] == "lever"]) == len(LEVERS)
    row = page.locator(".touchpoint-lever-row", has_text="Lead response time")
    row.get_by_role("button", name="1", exact=True).click()
    page.wait_for_function(
        "() => document.querySelector('.touchpoint-free').innerText.includes('now 1\\n')"
        " || Array.from(document.querySelectorAll('.touchpoint-now'))"
        ".some(e => e.innerText === 'now 1')",
        timeout=30_000,
    )
    page.get_by_role("button", name="Setups").click()
    page.get_by_label("Name these levers").fill("Fast reps on the left")
    page.get_by_role("button", name="Save setup").click()
    page.get_by_role("button", name="Fast reps on the left").wait_for(timeout=30_000)
    saved = json.loads((data / "touchpoint" / "setups.json").read_text())
    assert saved == {"Fast reps on the left": {"left": {"response_time": 1}, "right": {}}}
    page.get_by_role("button", name="Fast reps on the left").click()
    wait_for_day(page, 0)
    page.get_by_role("button", name="Forward a week").click()
    wait_for_day(page, 7)
    page.get_by_role("button", name="Setups").click()
    text = download_handout(page, tmp_path, 30_000)  # from the runs on screen, not new ones
    assert "Free play: " in text and "By day 7 " in text
    assert "Lead response time: 1 hour from a lead to a rep's first call (from day 0)" in text
    page.context.close()
    assert not errors, errors


SHOTS = ROOT / "docs" / "dashboard"


@pytest.mark.slow
def test_screenshots_of_each_story_at_its_key_step(tmp_path):
    """Each shipped story, as shipped, told to its first lever's pause: one screen, a PNG.

    Writes ``docs/dashboard/<story>.png`` at 1280×720 (and story 1's as
    ``docs/dashboard.png``): ``pytest -m slow tests/test_dashboard_browser.py -k screenshots``.
    """
    from playwright.sync_api import sync_playwright

    from sim.dashboard.stories import load_stories
    from sim.scenario.shipped import shipped_stories

    told = load_stories(shipped_stories())
    SHOTS.mkdir(exist_ok=True)
    with dashboard_server(tmp_path / "server.log") as (url, _), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for number, (key, story) in enumerate(told.items()):
            page, errors = open_page(browser, url, 1280, 720)
            page.get_by_role("button", name="Start this story").nth(number).click()
            wait_for_day(page, 0, 60_000)
            key_step = next(i for i, s in enumerate(story.story.steps) if s.levers)
            for index, step in enumerate(story.story.steps[: key_step + 1]):
                if step.question is not None:
                    page.get_by_role(
                        "button", name=step.question.options[step.question.answer]
                    ).click()
                    page.get_by_role("button", name="Reveal").click()
                    page.get_by_text("Answer: ").wait_for(timeout=30_000)
                if index < key_step:
                    play_to(page, step.pause_day)
                    page.get_by_role("button", name=f"Next ({index + 1} of ").click()
            for pull in story.story.steps[key_step].levers:
                words = pull.label or LEVERS[pull.lever].text(pull.value)
                page.get_by_role("button", name=words).first.click()
                page.get_by_role("button", name=f"✓ {words}").first.wait_for(timeout=60_000)
            play_to(page, story.story.steps[key_step].pause_day or 0)
            page.wait_for_timeout(1500)  # the prospects glide to their lanes
            assert_one_screen(page)
            page.screenshot(path=str(SHOTS / f"{key}.png"))
            if number == 0:
                page.screenshot(path=str(ROOT / "docs" / "dashboard.png"))
            page.context.close()
            assert not errors, errors
        browser.close()


def play_to(page, day: int) -> None:
    """Forward a month at a time until the charts show ``day`` (a story pauses there)."""
    while True:
        now = int(page.locator(".touchpoint-day").inner_text().split()[1])
        if now >= day:
            wait_for_day(page, now, 120_000)
            return
        page.get_by_role("button", name="Forward a month").click()
        page.wait_for_function(
            f"() => parseInt(document.querySelector('.touchpoint-day').innerText.split(' ')[1])"
            f" > {now}",
            timeout=120_000,
        )
