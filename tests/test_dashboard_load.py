"""The dashboard under load: real browsers against one server on the loopback, bounded in time.

The default run opens one session (no page error); its median step <= 0.3 s and the room
of 20 concurrent sessions are marked slow: ``pytest -m slow tests/test_dashboard_load.py``.
Both print their figures (``benchmarks/dashboard_latency.py`` measures them).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.dashboard_latency import CHROMIUM, dashboard_server, run_room, summary


def room(tmp_path: Path, sessions: int, steps: int) -> dict:
    if not Path(CHROMIUM).exists():
        pytest.fail("the dashboard load test needs Debian's chromium: apt-get install chromium")
    with dashboard_server(tmp_path / "server.log") as (url, _):
        figures = summary(run_room(url, sessions, steps, timeout_ms=120_000))
    print(json.dumps(figures))
    return figures


def test_one_session_steps_without_error(tmp_path):
    figures = room(tmp_path, sessions=1, steps=5)
    assert figures["errors"] == []
    assert figures["steps"] == 5


@pytest.mark.slow
def test_one_session_steps_within_the_budget(tmp_path):
    # A wall-clock bound fails on a busy machine: it lives in the slow run only.
    figures = room(tmp_path, sessions=1, steps=5)
    assert figures["step_median_s"] <= 0.3


@pytest.mark.slow
def test_a_room_of_twenty_sessions_keeps_working(tmp_path):
    figures = room(tmp_path, sessions=20, steps=3)
    assert figures["errors"] == []
    assert figures["steps"] == 60
