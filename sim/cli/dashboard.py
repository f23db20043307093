"""``dashboard [FILE]``: serve the trainers' dashboard (a Solara app of stories) in a browser."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from sim.scenario.errors import InputError
from sim.scenario.loading import load_scenario

LOOPBACK = ("127.0.0.1", "localhost", "::1")
APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
"""The Solara app, served as a file (``solara run`` imports it by path)."""


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``dashboard`` command."""
    cmd = commands.add_parser(
        "dashboard",
        help="open the live dashboard in a browser",
        description="Serve the trainers' dashboard: pick a story (two scenarios side by side on "
        "the same prospects, a caption per step, a button per lever), or free play with any two "
        "scenarios (FILE offered first); play, step and export the comparison as compare's "
        "report. Every story in scenarios/stories/ is checked before the server starts. Works "
        "without internet. Stop it with Ctrl+C.",
    )
    cmd.add_argument("file", nargs="?", type=Path, metavar="FILE", help="a scenario to offer first")
    cmd.add_argument(
        "--port", type=int, default=8765, help="port (default 8765; 0 = any free port)"
    )
    cmd.add_argument(
        "--host",
        default="127.0.0.1",
        help="interface to listen on (default 127.0.0.1, this computer only; 0.0.0.0 lets a "
        "room's browsers in: anyone on the network can use it)",
    )
    cmd.add_argument(
        "--stories",
        type=Path,
        metavar="DIR",
        help="the stories to offer: the *.yaml files in DIR (default scenarios/stories)",
    )
    cmd.add_argument("--open", action="store_true", help="open a browser window")
    cmd.set_defaults(handler=_dashboard)


def dashboard_command(args: argparse.Namespace) -> list[str]:
    """The ``solara run`` command line that serves the dashboard."""
    command = [
        sys.executable,
        "-m",
        "solara",
        "run",
        str(APP),
        "--production",
        "--no-check-version",
        "--host",
        args.host,
        "--port",
        str(args.port),
    ]
    command.append("--open" if args.open else "--no-open")
    return command


def _dashboard(args: argparse.Namespace) -> int:
    if not 0 <= args.port <= 65535:
        raise InputError(f"--port: must be 0..65535; got {args.port}")
    from sim.dashboard.stories import FILE_ENV, STORIES_ENV, load_stories, shipped_stories

    env = dict(os.environ)
    if args.file is not None:
        load_scenario(args.file)  # a bad file: one line and exit 2, before any server starts
        env[FILE_ENV] = str(args.file.resolve())

    folder = shipped_stories() if args.stories is None else args.stories.resolve()
    if not folder.is_dir():
        raise InputError(f"--stories: {args.stories} is not a folder")
    load_stories(folder)  # a bad story: one line and exit 2, before any server starts
    env[STORIES_ENV] = str(folder)
    try:
        import plotly  # noqa: F401
        import solara  # noqa: F401
    except ImportError:
        raise InputError('the dashboard needs its extras: pip install -e ".[dashboard]"') from None
    if args.host not in LOOPBACK:
        print(
            f"warning: listening on {args.host}: anyone on the network can use the dashboard",
            file=sys.stderr,
            flush=True,
        )
    print(
        f"dashboard at http://{args.host}:{args.port}/  (Ctrl+C stops it)",
        file=sys.stderr,
        flush=True,
    )
    command = dashboard_command(args)
    if os.name == "posix":  # become the server: one process to stop, signals go straight to it
        sys.stdout.flush()
        os.execve(command[0], command, env)
    process = subprocess.Popen(command, env=env)
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        process.wait(timeout=10)
        raise
