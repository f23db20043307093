"""The dashboard under a room's load: page-ready, first-plot and step latency in real browsers.

Starts ``run.py dashboard`` on a free port of 127.0.0.1 (never another interface), opens
``--sessions`` headless Chromium contexts at once against that one server, and in each:
loads the page (page-ready: the story picker is on screen), starts the first story
(first plot: the first chart drawn, counted from the page load; after pick: counted from
the click, which ``--read-seconds`` delays as a trainee reading the picker would), then
presses "Forward a day" ``--steps`` times (step: from the click until every chart on
screen shows the new day). Everything is bounded in time; the server is stopped by its pid
at the end.

    python benchmarks/dashboard_latency.py --sessions 20 --steps 3

Needs Debian's Chromium (``/usr/bin/chromium``) and the dashboard extras.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOST = "127.0.0.1"
CHARTS_AT = (
    "() => Array.from(document.querySelectorAll('.touchpoint-chart')).map(c => c.dataset.day)"
)


@dataclass
class SessionTimes:
    """One browser session's timings (seconds) and the errors its page raised."""

    page_ready: float = float("nan")
    first_plot: float = float("nan")
    after_pick: float = float("nan")
    steps: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def free_port() -> int:
    """A free TCP port on the loopback."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextmanager
def dashboard_server(log: Path, *args: str, timeout: float = 90.0):
    """``run.py dashboard`` on a free loopback port; yields its URL; stopped by its pid."""
    port = free_port()
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, str(ROOT / "run.py"), "dashboard", *args, "--port", str(port)],
            cwd=log.parent,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        url = f"http://{HOST}:{port}/"
        try:
            wait_for(url, server, log, timeout)
            yield url, server.pid
        finally:
            server.send_signal(signal.SIGINT)  # run.py is the server: this pid
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=15)


def wait_for(url: str, server: subprocess.Popen, log: Path, timeout: float) -> None:
    """Until the server answers 200; RuntimeError (with its log) if it dies or times out."""
    deadline = time.monotonic() + timeout
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"the dashboard exited: {log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the dashboard did not answer within {timeout:.0f} s")
        time.sleep(0.3)


async def wait_for_day(page, day: int, timeout_ms: float) -> None:
    """Until every chart on the page has drawn ``day``."""
    await page.wait_for_function(
        f"() => {{ const d = ({CHARTS_AT})(); "
        f"return d.length > 0 && d.every(x => x === '{day}'); }}",
        timeout=timeout_ms,
    )


async def run_session(
    browser, url: str, steps: int, timeout_ms: float, read_seconds: float = 0.0
) -> SessionTimes:
    """One trainee in a context of its own: load, start the first story, step ``steps`` days.

    ``read_seconds``: how long the trainee reads the picker before clicking a story.
    """
    times = SessionTimes()
    context = await browser.new_context(viewport={"width": 1600, "height": 1000})
    try:
        page = await context.new_page()
        page.on("pageerror", lambda exc: times.errors.append(f"page error: {exc}"))
        start = time.monotonic()
        await page.goto(url, timeout=timeout_ms)
        await page.get_by_text("Pick a story").wait_for(timeout=timeout_ms)
        times.page_ready = time.monotonic() - start
        await asyncio.sleep(read_seconds)
        picked = time.monotonic()
        await page.get_by_role("button", name="Start this story").first.click(timeout=timeout_ms)
        await page.locator(".touchpoint-chart .main-svg").first.wait_for(timeout=timeout_ms)
        times.first_plot = time.monotonic() - start
        times.after_pick = time.monotonic() - picked
        await wait_for_day(page, 0, timeout_ms)
        forward = page.get_by_role("button", name="Forward a day")
        for day in range(1, steps + 1):
            clicked = time.monotonic()
            await forward.click(timeout=timeout_ms)
            await wait_for_day(page, day, timeout_ms)
            times.steps.append(time.monotonic() - clicked)
    except Exception as exc:  # noqa: BLE001 - a failed session is a result, reported
        times.errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
    finally:
        await context.close()
    return times


def run_room(
    url: str, sessions: int, steps: int, timeout_ms: float = 90_000, read_seconds: float = 0.0
) -> list[SessionTimes]:
    """``sessions`` browser contexts of one headless Chromium at once, against ``url``."""
    from playwright.async_api import async_playwright

    async def room() -> list[SessionTimes]:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                return list(
                    await asyncio.gather(
                        *(
                            run_session(browser, url, steps, timeout_ms, read_seconds)
                            for _ in range(sessions)
                        )
                    )
                )
            finally:
                await browser.close()

    return asyncio.run(room())


def summary(results: list[SessionTimes]) -> dict[str, float | int | list[str]]:
    """Median and max of each timing, and every error."""
    steps = [s for r in results for s in r.steps]
    out: dict[str, float | int | list[str]] = {"sessions": len(results), "steps": len(steps)}
    for name, values in (
        ("page_ready", [r.page_ready for r in results]),
        ("first_plot", [r.first_plot for r in results]),
        ("after_pick", [r.after_pick for r in results]),
        ("step", steps),
    ):
        done = [v for v in values if v == v]
        out[f"{name}_median_s"] = round(statistics.median(done), 3) if done else float("nan")
        out[f"{name}_max_s"] = round(max(done), 3) if done else float("nan")
    out["errors"] = [e for r in results for e in r.errors]
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    """Run the benchmark and print its figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument(
        "--read-seconds",
        type=float,
        default=0.0,
        help="seconds a trainee reads the picker before clicking a story (default 0)",
    )
    parser.add_argument("--log", type=Path, default=Path("/tmp/touchpoint-dashboard.log"))
    args = parser.parse_args()
    with dashboard_server(args.log) as (url, pid):
        cpu, wall = cpu_seconds(pid), time.monotonic()
        results = run_room(url, args.sessions, args.steps, read_seconds=args.read_seconds)
        cpu, wall = cpu_seconds(pid) - cpu, time.monotonic() - wall
    figures = summary(results)
    figures["server_cpu_share"] = round(cpu / wall, 2)
    figures["wall_s"] = round(wall, 1)
    print(json.dumps(figures, indent=2))
    return 1 if figures["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
