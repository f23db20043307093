"""The dashboard's websocket opens only to its own pages, and a malformed frame is one log line.

A real server (``run.py dashboard`` on a free loopback port) and a raw websocket
client: a handshake from another origin is refused (HTTP 403), the dashboard's own
origins and a client that sends no ``Origin`` are let in, and garbage on an open
websocket closes it with one line in the server's log, no traceback.
"""

from __future__ import annotations

import asyncio
import json
import time

import pytest
import websockets

from benchmarks.dashboard_latency import dashboard_server
from sim.dashboard.server import SameOrigin, malformed

KERNEL_INFO = json.dumps(
    {
        "header": {
            "msg_id": "1",
            "msg_type": "kernel_info_request",
            "session": "s",
            "username": "",
        },
        "parent_header": {},
        "metadata": {},
        "content": {},
        "channel": "shell",
    }
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The dashboard on a free loopback port: (port, its log)."""
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    with dashboard_server(log) as (url, _):
        yield int(url.rstrip("/").rsplit(":", 1)[1]), log


def handshake(port: int, origin: str | None, kernel: str, frame: str | None = None) -> str:
    """Open a websocket to the kernel channel; what happened, in a word or two."""

    async def talk() -> str:
        url = f"ws://127.0.0.1:{port}/jupyter/api/kernels/{kernel}/channels?session_id={kernel}"
        try:
            async with websockets.connect(url, origin=origin, open_timeout=30) as ws:
                if frame is None:
                    return "accepted"
                await ws.send(frame)
                try:
                    while True:
                        reply = json.loads(await asyncio.wait_for(ws.recv(), 30))
                        if reply.get("msg_type") == "kernel_info_reply":
                            return "answered"
                except websockets.ConnectionClosed as closed:
                    return f"closed {closed.rcvd.code if closed.rcvd else None}"
        except websockets.InvalidStatus as refused:
            return f"refused {refused.response.status_code}"

    return asyncio.run(talk())


def log_lines(log, text: str, timeout: float = 10.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        lines = [line for line in log.read_text().splitlines() if text in line]
        if lines or time.monotonic() > deadline:
            return lines
        time.sleep(0.1)


def test_a_handshake_from_another_origin_is_refused(server):
    port, log = server
    assert handshake(port, "http://evil.example", "k-evil") == "refused 403"
    assert handshake(port, f"http://127.0.0.1:{port + 1}", "k-port") == "refused 403"
    assert handshake(port, "null", "k-null") == "refused 403"
    (line,) = log_lines(log, "origin http://evil.example")
    assert line.startswith("WARNING:") and "refused a websocket" in line


def test_the_dashboards_own_origins_and_non_browsers_are_let_in(server):
    port, _ = server
    assert handshake(port, f"http://127.0.0.1:{port}", "k-own") == "accepted"
    assert handshake(port, f"http://localhost:{port}", "k-localhost") == "accepted"
    assert handshake(port, None, "k-script") == "accepted"
    assert handshake(port, f"http://127.0.0.1:{port}", "k-talk", KERNEL_INFO) == "answered"


def test_a_malformed_frame_is_one_log_line(server):
    port, log = server
    assert handshake(port, f"http://127.0.0.1:{port}", "k-junk", "garbage{{{") == "closed 1007"
    (line,) = log_lines(log, "malformed frame")
    assert "not a JSON message" in line
    time.sleep(1)  # anything Solara would log about it has been written
    assert "Traceback" not in log.read_text()


@pytest.mark.parametrize(
    ("text", "data", "problem"),
    [
        ("[1, 2]", None, "a JSON list"),
        ('{"header": {}}', None, "no header.msg_type"),
        ('{"header": {"msg_type": "x"}}', None, "no channel or content"),
        (None, b"\x00\x00", "too short"),
        (None, b"\x7f\xff\xff\xff" + b"\x00" * 8, "announcing"),
        (None, b"\x00\x00\x00\x01\x00\x00\x00\x08\xff\xfe", "not a JSON message"),
    ],
)
def test_what_makes_a_frame_malformed(text, data, problem):
    assert problem in malformed(text, data)


def test_a_binary_jupyter_message_is_well_formed():
    body = KERNEL_INFO.encode()
    frame = (2).to_bytes(4, "big") + (12).to_bytes(4, "big") + (12 + len(body)).to_bytes(4, "big")
    assert malformed(None, frame + body + b"buffer") is None
    assert malformed(KERNEL_INFO, None) is None


def test_a_room_server_lets_in_the_address_it_was_reached_at():
    guard = SameOrigin(None, "0.0.0.0", 8765)
    assert guard.allows("http://192.168.1.5:8765", ("192.168.1.5", 8765))
    assert not guard.allows("http://192.168.1.6:8765", ("192.168.1.5", 8765))
    assert not guard.allows("http://evil.example:8765", ("192.168.1.5", 8765))
