"""The dashboard in a real browser: a story told end to end in headless Chromium.

``run.py dashboard`` runs as a server on a free loopback port; Playwright drives Debian's
Chromium through the first shipped story: start it, step, go to the next step, pull its
lever, see the caption and a plot change, export the report and download it. The
screenshot of the README is taken on the way.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks.dashboard_latency import CHARTS_AT, CHROMIUM, CHROMIUM_ARGS, dashboard_server

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = ROOT / "docs" / "dashboard.png"


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    """``run.py dashboard scenarios/aida_funnel.yaml`` on a free port; stopped by its pid."""
    if not Path(CHROMIUM).exists():  # fail loudly, not skip: the browser test is in the suite
        pytest.fail("the dashboard test needs Debian's chromium: apt-get install chromium")
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    with dashboard_server(log, str(ROOT / "scenarios" / "aida_funnel.yaml")) as (url, _):
        yield url


@pytest.fixture
def page(dashboard):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 1600, "height": 1000}, accept_downloads=True
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(dashboard)
        yield page
        browser.close()
        assert not errors, errors


def wait_for_day(page, day: int, timeout_ms: float) -> None:
    """Until every chart on the page has drawn ``day``."""
    page.wait_for_function(
        f"() => {{ const d = ({CHARTS_AT})(); return d.length && d.every(x => x === '{day}'); }}",
        timeout=timeout_ms,
    )


def dotted_traces(page) -> list[int]:
    """Per chart on screen, how many of its traces are dotted (a course before a lever)."""
    return page.evaluate(
        "() => Array.from(document.querySelectorAll('.touchpoint-chart'))"
        ".map(c => (c.data || []).filter(t => t.line && t.line.dash === 'dot').length)"
    )


def test_a_story_told_end_to_end(page, tmp_path):
    page.get_by_text("Pick a story").wait_for(timeout=30_000)
    assert page.get_by_role("button", name="Start this story").count() == 5
    page.get_by_role("button", name="Start this story").first.click()
    wait_for_day(page, 0, 30_000)
    assert page.evaluate(CHARTS_AT) == ["0"] * 4
    for text in ("Page 0", "Play Interval", "Render Interval", "Use Threads"):
        assert page.get_by_text(text).count() == 0

    page.get_by_role("button", name="Forward a month").click()
    wait_for_day(page, 30, 30_000)
    assert page.locator(".touchpoint-day").inner_text().startswith("Day 30 of 365")

    page.get_by_role("button", name="Next (1 of 4)").click()
    page.get_by_text("Now switch off post-purchase care").wait_for(timeout=30_000)
    lever = page.get_by_role("button", name="Switch off care after the sale (right)")
    lever.hover()
    page.get_by_text("What are Sales Touchpoints?", exact=False).count()  # the tooltip renders
    assert dotted_traces(page) == [0, 0, 0, 0]
    lever.click()
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.touchpoint-chart'))"
        ".some(c => (c.data || []).some(t => t.line && t.line.dash === 'dot'))",
        timeout=30_000,
    )
    page.get_by_role("button", name="Forward a month").click()
    wait_for_day(page, 60, 30_000)
    assert page.get_by_role("button", name="✓ Switch off care after the sale (right)").is_disabled()
    assert sum(dotted_traces(page)) >= 2  # cost of sale, customers, referrals: old course dotted

    if os.environ.get("TOUCHPOINT_UPDATE_SCREENSHOT") or not SCREENSHOT.exists():
        page.screenshot(path=str(SCREENSHOT))

    page.get_by_role("button", name="Export report").click()
    download_button = page.get_by_role("button", name="Download report.html")
    download_button.wait_for(timeout=60_000)
    with page.expect_download(timeout=30_000) as download:
        download_button.click()
    saved = tmp_path / "report.html"
    download.value.save_as(saved)
    report = saved.read_text()
    assert "Touchpoint strategy comparison" in report
    assert "Levers pulled on touchpoint_management: Care after the sale: 0" in report
