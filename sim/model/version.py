"""Which model produced a result: the package version and a hash of the model's code.

The hash covers the scenario and model layers (every ``.py`` file below
``sim/scenario`` and ``sim/model``): a change there can change results, a change
to a report or a figure cannot. Stores and output folders record it, so results
of another model version are never silently mixed with new ones.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import metadata
from pathlib import Path

PACKAGE = "touchpoint"
_LAYERS = ("scenario", "model")


def package_version() -> str:
    """The installed package's version (``0+unknown`` when run from an uninstalled tree)."""
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return "0+unknown"


@cache
def model_hash() -> str:
    """A short SHA-256 of the scenario and model code (paths and contents, in order)."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for layer in _LAYERS:
        for path in sorted((root / layer).rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_version() -> dict[str, str]:
    """``{"touchpoint": <package version>, "model_hash": <code hash>}``."""
    return {"touchpoint": package_version(), "model_hash": model_hash()}
