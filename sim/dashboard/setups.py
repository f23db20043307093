"""Free play's saved setups: the levers of both sides under a name the trainer chose.

The setups live in one JSON file, ``setups.json``, in the trainer's own data folder
(``platformdirs``' user data folder for ``touchpoint`` if it is installed, else
``~/.touchpoint``). A setup's name is a key inside that file, never part of a path, so
nothing is written outside the folder. The file is written whole to a temporary file
beside it and renamed over it, so a crash never leaves half a file. An unreadable or
foreign file is refused in one line naming it; a setup whose lever no longer exists
is skipped on reading.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from sim.dashboard.levers import LEVERS
from sim.scenario.errors import InputError

FILE_NAME = "setups.json"
NAME_LENGTH = 60
"""The longest name a setup may have, in characters."""
SIDE_NAMES = ("left", "right")

Setup = dict[str, dict[str, Any]]
"""``{"left": {lever: value}, "right": {lever: value}}``."""


class SetupError(InputError):
    """A setup that cannot be saved or a setups file that cannot be read."""


def setups_folder() -> Path:
    """The trainer's own folder for saved setups."""
    try:
        from platformdirs import user_data_dir
    except ImportError:  # platformdirs is optional: the home folder then
        return Path.home() / ".touchpoint"
    return Path(user_data_dir("touchpoint"))


def load_setups(folder: Path | None = None) -> dict[str, Setup]:
    """Every saved setup by name, oldest first ({} if none saved yet).

    Raises:
        SetupError: The file is not a setups file (one line naming it).
    """
    path = (folder or setups_folder()) / FILE_NAME
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SetupError(f"{path}: not a setups file ({exc})") from None
    if not isinstance(raw, dict):
        raise SetupError(f"{path}: not a setups file (expected a mapping of names)")
    out: dict[str, Setup] = {}
    for name, setup in raw.items():
        if isinstance(setup, dict):
            out[str(name)] = {
                which: {k: v for k, v in dict(setup.get(which) or {}).items() if k in LEVERS}
                for which in SIDE_NAMES
            }
    return out


def save_setup(name: str, setup: Setup, folder: Path | None = None) -> dict[str, Setup]:
    """Save (or replace) a named setup; every setup saved, as :func:`load_setups` reads them.

    Raises:
        SetupError: An empty or overlong name, or a lever that does not exist.
    """
    name = " ".join(name.split())
    if not name or len(name) > NAME_LENGTH:
        raise SetupError(f"setup name: 1 to {NAME_LENGTH} characters; got {len(name)}")
    unknown = [lever for levers in setup.values() for lever in levers if lever not in LEVERS]
    if unknown:
        raise SetupError(f"setup {name!r}: no lever named {unknown[0]!r}")
    folder = folder or setups_folder()
    saved = load_setups(folder)
    saved[name] = {which: dict(setup.get(which, {})) for which in SIDE_NAMES}
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".setups-", suffix=".json", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(saved, out, indent=2, ensure_ascii=False)
        os.replace(temporary, folder / FILE_NAME)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return saved
