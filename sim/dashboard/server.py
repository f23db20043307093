"""The dashboard's web server: Solara's app, its websocket open to this dashboard's pages only.

Solara serves the page and a websocket that drives it (a Starlette app under uvicorn).
A browser lets any web page open a websocket to any address, sending the page's
``Origin``: without a check, a page the trainer opens elsewhere could drive the
dashboard. :class:`SameOrigin` wraps Solara's app and refuses a websocket handshake
whose ``Origin`` is not one of the dashboard's own addresses (HTTP 403): the loopback
names at the served port, the address the connection came in on, the ``--host`` name
and this computer's name. A handshake without ``Origin`` is let in: browsers always
send one (RFC 6455), so it comes from a program on a computer that can reach the
port, which could as well drive the page itself. A frame that is not a Jupyter
message (not JSON, no header) closes its connection with one line in the log.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import socket
import struct
import threading
import webbrowser
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

APP = Path(__file__).resolve().with_name("app.py")
"""The Solara app, served as a file (Solara imports it by path)."""
LOOPBACK = ("127.0.0.1", "localhost", "::1")
"""The names of this computer on the loopback: the default interface."""
WILDCARD = ("0.0.0.0", "::", "")
"""``--host`` values that listen on every interface."""
POLICY_VIOLATION = 1008
"""Websocket close code for a refused handshake (uvicorn answers it with HTTP 403)."""
INVALID_DATA = 1007
"""Websocket close code for a frame that is not a Jupyter message."""

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger("touchpoint.dashboard")


class SameOrigin:
    """An ASGI app that lets a websocket in only from the dashboard's own pages.

    Args:
        app: The app it guards (Solara's).
        host: The ``--host`` the server listens on.
        port: The port it serves.
    """

    def __init__(self, app: ASGIApp, host: str, port: int) -> None:
        self.app = app
        names = {*LOOPBACK, host} - set(WILDCARD)
        if host in WILDCARD:
            names.add(socket.gethostname())
        self.names = frozenset(name.lower() for name in names)
        self.port = port

    def allows(self, origin: str | None, server: tuple[str, int] | None = None) -> bool:
        """Whether a handshake with this ``Origin`` may open the websocket.

        Args:
            origin: The ``Origin`` header (None: absent).
            server: The local address the connection came in on.
        """
        if origin is None:
            return True
        try:
            parts = urlsplit(origin)
            port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
        except ValueError:
            return False
        names = self.names | ({server[0].lower()} if server else set())
        return parts.scheme in ("http", "https") and parts.hostname in names and port == self.port

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve HTTP as Solara does; guard the websocket's handshake and its frames."""
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        raw = headers.get(b"origin")
        origin = None if raw is None else raw.decode("latin-1")
        client = _address(scope.get("client"))
        if not self.allows(origin, scope.get("server")):
            log.warning(
                "refused a websocket from %s: origin %s is not this dashboard", client, origin
            )
            await receive()  # the handshake request
            await send({"type": "websocket.close", "code": POLICY_VIOLATION})
            return
        await self.app(scope, _Frames(receive, send, client).receive, send)


class _Frames:
    """The frames of one websocket, each checked to be a Jupyter message before Solara reads it."""

    def __init__(self, receive: Receive, send: Send, client: str) -> None:
        self._receive, self._send, self.client = receive, send, client

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] != "websocket.receive":
            return message
        problem = malformed(message.get("text"), message.get("bytes"))
        if problem is None:
            return message
        log.warning("closed a websocket from %s: a malformed frame (%s)", self.client, problem)
        await self._send({"type": "websocket.close", "code": INVALID_DATA})
        return {"type": "websocket.disconnect", "code": INVALID_DATA}


def malformed(text: str | None, data: bytes | None) -> str | None:
    """What is wrong with a frame as a Jupyter message, in a few words (None: nothing).

    A text frame is the message as JSON; a binary frame is its part count, the parts'
    offsets, then the message as JSON and its buffers (Jupyter's binary websocket form).
    """
    try:
        if text is None:
            if data is None or len(data) < 8:
                return "a binary frame too short to hold a message"
            count = struct.unpack("!i", data[:4])[0]
            if not 1 <= count <= (len(data) - 4) // 4:
                return f"a binary frame announcing {count} parts"
            offsets = struct.unpack(f"!{count}I", data[4 : 4 * (count + 1)])
            end = offsets[1] if count > 1 else len(data)
            text = data[offsets[0] : end].decode("utf-8")
        message = json.loads(text)
    except (ValueError, struct.error) as exc:
        return f"not a JSON message: {type(exc).__name__}"
    if not isinstance(message, dict):
        return f"a JSON {type(message).__name__}, not a message"
    header = message.get("header")
    if not isinstance(header, dict) or not isinstance(header.get("msg_type"), str):
        return "no header.msg_type"
    if not isinstance(message.get("channel"), str) or not isinstance(message.get("content"), dict):
        return "no channel or content"
    return None


def _address(pair: Any) -> str:
    return f"{pair[0]}:{pair[1]}" if pair else "an unknown client"


def free_port(host: str) -> int:
    """A port free on ``host`` now (for ``--port 0``)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def serve(host: str, port: int, open_browser: bool = False) -> None:
    """Serve the dashboard until Ctrl+C (uvicorn, Solara's logging, production mode).

    The environment variables of :mod:`sim.dashboard.stories` say which stories and
    file it offers; they are read when Solara imports the app.
    """
    os.environ["SOLARA_APP"] = str(APP)
    os.environ["SOLARA_MODE"] = "production"
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = host, str(port)
    import uvicorn
    from solara.__main__ import LOGGING_CONFIG
    from solara.server.starlette import app as solara_app

    logging_config = copy.deepcopy(LOGGING_CONFIG)
    logging_config["loggers"][log.name] = {"handlers": ["default"], "level": "WARNING"}
    config = uvicorn.Config(
        SameOrigin(solara_app, host, port), host=host, port=port, log_config=logging_config
    )
    server = uvicorn.Server(config)
    if open_browser:
        url = f"http://{'127.0.0.1' if host in WILDCARD else host}:{port}/"
        threading.Thread(target=_open_when_started, args=(server, url), daemon=True).start()
    server.run()


def _open_when_started(server: Any, url: str) -> None:
    started = threading.Event()
    while not server.started and not server.should_exit:
        started.wait(0.1)
    if server.started:
        webbrowser.open(url)
