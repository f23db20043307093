"""``dashboard [FILE]``: serve the trainers' dashboard (a Solara app of stories) in a browser.

This process becomes the server (:func:`sim.dashboard.server.serve`): one process to stop,
Ctrl+C goes straight to it.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sim.dashboard.server import LOOPBACK
from sim.scenario.errors import InputError
from sim.scenario.loading import load_scenario
from sim.scenario.shipped import shipped_stories


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``dashboard`` command."""
    cmd = commands.add_parser(
        "dashboard",
        help="open the live dashboard in a browser",
        description="Serve the trainers' dashboard: pick a story (two scenarios side by side on "
        "the same prospects, a caption per step, a button per lever), or free play with any two "
        "scenarios (FILE offered first); play, step and export the comparison as compare's "
        "report. Every story (the shipped ones in scenarios/stories/, or --stories DIR) is checked "
        "before the server starts. Works "
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
        help="the stories to offer: the *.yaml files in DIR (default: the shipped stories, "
        "listed by the scenarios command)",
    )
    cmd.add_argument("--open", action="store_true", help="open a browser window")
    cmd.add_argument(
        "--check",
        action="store_true",
        help="check the stories (and FILE), list them and exit without serving",
    )
    cmd.set_defaults(handler=_dashboard)


def _dashboard(args: argparse.Namespace) -> int:
    if not 0 <= args.port <= 65535:
        raise InputError(f"--port: must be 0..65535; got {args.port}")
    if not args.check:
        try:
            import plotly  # noqa: F401
            import solara  # noqa: F401
        except ImportError:
            raise InputError(
                'the dashboard needs its extras: pip install "touchpoint[dashboard]" '
                '(from a clone: pip install -e ".[dashboard]")'
            ) from None
    from sim.dashboard.stories import FILE_ENV, STORIES_ENV, load_stories

    if args.file is not None:
        load_scenario(args.file)  # a bad file: one line and exit 2, before any server starts
        os.environ[FILE_ENV] = str(args.file.resolve())
    if args.stories is None:
        folder = shipped_stories()
        if not folder.is_dir():
            raise InputError(f"the shipped stories are missing from this installation: {folder}")
    else:
        folder = args.stories.resolve()
        if not folder.is_dir():
            raise InputError(f"--stories: {args.stories} is not a folder")
    told = load_stories(folder)  # a bad story: one line and exit 2, before any server starts
    if args.check:
        for story in told.values():
            print(f"ok {story.key}: {story.story.title}")
        print(f"{len(told)} stories in {folder}")
        return 0
    os.environ[STORIES_ENV] = str(folder)
    from sim.dashboard.server import free_port, serve

    if args.host not in LOOPBACK:
        print(
            f"warning: listening on {args.host}: anyone on the network can use the dashboard",
            file=sys.stderr,
            flush=True,
        )
    port = args.port or free_port(args.host)
    print(
        f"dashboard at http://{args.host}:{port}/  (Ctrl+C stops it)", file=sys.stderr, flush=True
    )
    serve(args.host, port, open_browser=args.open)
    return 0
