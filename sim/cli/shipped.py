"""``scenarios``: where the shipped scenarios and stories are, and what they are called.

A clone has them in ``scenarios/``; an installed package carries its own copy. Either
way, ``touchpoint scenarios`` lists them with their folder, and ``--folder`` prints the
folder alone, for a command line: ``touchpoint run "$(touchpoint scenarios --folder)/
aida_funnel.yaml"``. Copy the folder to edit the scenarios.
"""

from __future__ import annotations

import argparse

from sim.scenario.errors import InputError
from sim.scenario.loading import SUFFIXES
from sim.scenario.shipped import shipped_scenarios


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``scenarios`` command."""
    cmd = commands.add_parser(
        "scenarios",
        help="list the shipped scenarios and stories, with their folder",
        description="List the shipped scenarios and the dashboard's stories with the folder "
        "they are in (a clone's scenarios/, or the installed package's copy); run any command "
        "on them by path. Copy the folder to edit them.",
    )
    cmd.add_argument("--folder", action="store_true", help="print the folder alone")
    cmd.set_defaults(handler=_scenarios)


def _scenarios(args: argparse.Namespace) -> int:
    tree = shipped_scenarios()
    if not tree.is_dir():
        raise InputError(f"the shipped scenarios are missing from this installation: {tree}")
    print(tree)
    if args.folder:
        return 0
    for path in sorted(tree.rglob("*")):
        if path.suffix.lower() in SUFFIXES:
            print(f"  {path.relative_to(tree).as_posix()}")
    return 0
