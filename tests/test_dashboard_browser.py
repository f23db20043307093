"""The dashboard in a real browser: `run.py dashboard` as a server, driven by headless Chromium."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOT = ROOT / "docs" / "dashboard.png"


def require_chromium() -> None:
    """Fail loudly, not skip: the dashboard's browser test is part of the suite."""
    if not Path(CHROMIUM).exists():
        pytest.fail("the dashboard test needs Debian's chromium: apt-get install chromium")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dashboard(tmp_path: Path):
    """``run.py dashboard scenarios/aida_funnel.yaml`` on a free port; stopped by its pid."""
    port = free_port()
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "run.py"),
            "dashboard",
            str(ROOT / "scenarios" / "aida_funnel.yaml"),
            "--port",
            str(port),
        ],
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the dashboard did not answer within 90 s"
            time.sleep(0.5)
        yield url
    finally:
        server.send_signal(signal.SIGINT)  # run.py execs solara: this pid is the server
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)
        log.close()
    assert server.returncode is not None


def plot_sources(page) -> list[str]:
    return page.locator('img[src^="blob:"]').evaluate_all("els => els.map(e => e.src)")


def test_dashboard_renders_steps_and_compares(dashboard, tmp_path):
    require_chromium()
    from playwright import sync_api as playwright

    started = time.perf_counter()
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-dev-shm-usage",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1150})
            page.goto(dashboard)
            page.get_by_text("Time: 0.0", exact=True).wait_for(timeout=60_000)
            # the four live plots (stage, cost of sale, spend, acquisition) render as images
            page.wait_for_function(
                "document.querySelectorAll('img[src^=\"blob:\"]').length >= 4", timeout=60_000
            )
            page.get_by_text("Day 0 of 365").wait_for()
            before = plot_sources(page)

            page.get_by_role("button", name="Step", exact=True).click()
            page.get_by_text("Time: 1.0", exact=True).wait_for(timeout=30_000)
            page.get_by_text("Day 1 of 365").wait_for(timeout=30_000)
            page.wait_for_function(
                "before => { const now = [...document.querySelectorAll('img[src^=\"blob:\"]')]"
                ".map(e => e.src); return now.length >= 4 && now[0] !== before[0]; }",
                arg=before,
                timeout=30_000,
            )
            assert plot_sources(page)[0] != before[0]

            # two scenarios side by side: pick a rival, Reset, play a little, pause
            page.get_by_label("Run beside it (as shipped)").click(force=True)
            page.locator(".v-menu__content .v-list-item", has_text="touchpoint_management").click()
            page.get_by_role("button", name="Reset", exact=True).click()
            page.get_by_text("Time: 0.0", exact=True).wait_for(timeout=30_000)
            update = not SCREENSHOT.exists() or bool(os.environ.get("TOUCHPOINT_UPDATE_SCREENSHOT"))
            page.get_by_role("button", name="▶", exact=True).click()
            # a few days for the check; a month when taking the README's screenshot
            page.wait_for_function(  # frames may skip days: wait for the counter to pass
                "days => { const m = document.body.innerText.match(/Time: ([0-9.]+)/);"
                " return m !== null && parseFloat(m[1]) >= days; }",
                arg=30 if update else 5,
                timeout=120_000,
            )
            # the pause button is disabled while a frame is being computed: on a loaded
            # machine a frame of two models can take a while
            page.get_by_role("button", name="❚❚", exact=True).click(timeout=180_000)
            page.wait_for_timeout(1500)
            assert page.get_by_text("touchpoint_management").count() >= 1
            page.screenshot(path=str(tmp_path / "dashboard.png"))
        finally:
            browser.close()
    if update:
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(tmp_path / "dashboard.png", SCREENSHOT)
    print(f"browser part: {time.perf_counter() - started:.1f} s")
