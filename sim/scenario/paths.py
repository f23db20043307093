"""Dotted paths into a scenario (``channels.webinar.budget``): read, check, set, coerce.

One implementation serves ``--set``, Python overrides, sweep grids and sensitivity
parameters.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.scenario.errors import ScenarioError


def check_path(known: dict[str, Any], key: str, where: str) -> Any:
    """The value at ``key`` in a dumped scenario; ScenarioError naming ``where`` if none."""
    node: Any = known
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise ScenarioError(f"{where}: no such field")
        node = node[part]
    return node


def field_value(known: dict[str, Any], key: str, where: str) -> Any:
    """The current value of a dotted key that must name a field, not a section."""
    node = check_path(known, key, where)
    if isinstance(node, dict):
        raise ScenarioError(f"{where}: is a section, not a field")
    return node


def set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    """Set ``data[a][b][c] = value`` for ``key = "a.b.c"``, creating sections as needed."""
    parts = key.split(".")
    node = data
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[parts[-1]] = value


def coerce(value: Any, current: Any, rounding: bool = False) -> Any:
    """A grid or sampled value in its field's type: ints for int fields, floats for floats.

    numpy scalars become Python scalars. A non-integral float for an int field is kept
    (validation then names the field and the value) unless ``rounding``.
    """
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(current, bool) or isinstance(value, bool):
        return value
    if isinstance(current, int) and isinstance(value, float):
        if rounding or value.is_integer():
            return int(round(value))
        return value
    if isinstance(current, float) and isinstance(value, int):
        return float(value)
    return value
