"""Where the shipped scenarios are: a clone's ``scenarios/`` folder, or an installed copy.

A clone keeps its scenarios at the top of the repository (``scenarios/``), where its
users read and edit them; a built package carries a copy of that folder inside it, as
``sim/scenarios`` (the build step in ``setup.py``), so an installed ``touchpoint``
finds what it ships wherever it is run from. Either folder is a scenario tree of its
own: ``extends`` stays inside it.
"""

from __future__ import annotations

from pathlib import Path

from sim.scenario.loading import TREE_NAME

PACKAGE = Path(__file__).resolve().parents[1]
"""The ``sim`` package's folder."""
STORY_FOLDER = "stories"
"""The shipped stories live in this folder of the scenario tree."""


def shipped_scenarios() -> Path:
    """The shipped scenario tree: the installed package's copy, else the clone's folder."""
    installed = PACKAGE / TREE_NAME
    return installed if installed.is_dir() else PACKAGE.parent / TREE_NAME


def shipped_stories() -> Path:
    """The shipped stories' folder (``scenarios/stories``)."""
    return shipped_scenarios() / STORY_FOLDER
