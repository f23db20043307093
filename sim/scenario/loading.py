"""Loading a scenario: read, resolve ``extends`` in the scenario tree, override, validate.

The scenario tree is the folder that ``extends`` may reach: the ``root`` the
caller names (``--scenario-root``), else the nearest folder named ``scenarios``
that holds the starting file, else the starting file's own folder. ``extends``
names a ``.yaml``/``.yml`` file relative to the file that says it; a path that
leaves the tree (``..``, an absolute path, a symbolic link pointing out) is
refused before anything is read, so a scenario mailed by someone else cannot make
the program read, or quote, a file outside it. So is anything but a regular file (a
named pipe, a device, a folder): see :mod:`sim.scenario.files`.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.scenario.edges import SUFFIXES as EDGE_SUFFIXES
from sim.scenario.edges import read_edges
from sim.scenario.errors import ScenarioError, short
from sim.scenario.files import named_file
from sim.scenario.messages import Located, describe
from sim.scenario.paths import check_path, coerce, set_dotted
from sim.scenario.schema import Scenario
from sim.scenario.schema.uncertainty import BadDistributionError, lift_distributions, without_inputs
from sim.scenario.yaml12 import parse_value, read_mapping, value_lines

MAX_EXTENDS_DEPTH = 8
TREE_NAME = "scenarios"
TREE = "the scenario tree"
SUFFIXES = (".yaml", ".yml")


def scenario_tree(path: str | Path, root: str | Path | None = None) -> Path:
    """The folder that ``extends`` chains starting at ``path`` may reach (resolved)."""
    if root is not None:
        return Path(os.path.realpath(root))
    start = Path(os.path.realpath(path)).parent
    for folder in (start, *start.parents):
        if folder.name == TREE_NAME:
            return folder
    return start


def load_scenario(
    path: str | Path,
    overrides: dict[str, Any] | list[str] | None = None,
    *,
    root: str | Path | None = None,
) -> Scenario:
    """Read, merge, override and validate a scenario file.

    Args:
        path: A YAML scenario file.
        overrides: Dotted paths to values (``{"population.size": 5000}``) or
            ``KEY=VALUE`` strings, values read as YAML 1.2 scalars.
        root: The scenario tree ``extends`` may reach (default: see the module).

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: With a message naming the file (or chain of files), the field
            and the bad value.
    """
    path = Path(path)
    located: dict[tuple[str, ...], tuple[str, int]] = {}
    tree = scenario_tree(path, root)
    raw = _read_chain(path, tree, (path,), located)
    scenario = scenario_from_dict(raw, source=str(path), overrides=overrides, located=located)
    return _with_network_file(scenario, path, tree, located)


def _with_network_file(scenario: Scenario, path: Path, tree: Path, located: Located) -> Scenario:
    """Resolve a network file beside the file that names it, inside the tree; check it."""
    wom = scenario.word_of_mouth
    if wom.network_file is None:
        return scenario
    writer = Path(located.get(("word_of_mouth", "network_file"), (str(path), 0))[0])
    target = named_file(
        wom.network_file,
        writer.parent,
        inside=tree,
        where=str(path),
        field="word_of_mouth.network_file",
        suffixes=EDGE_SUFFIXES,
        folder=TREE,
    )
    read_edges(target, scenario.population.size)  # a bad file is refused now, not mid-run
    resolved = wom.model_copy(update={"network_file": str(target)})
    return scenario.model_copy(update={"word_of_mouth": resolved})


def scenario_from_dict(
    raw: dict[str, Any],
    source: str = "<dict>",
    overrides: dict[str, Any] | list[str] | None = None,
    located: Located | None = None,
) -> Scenario:
    """Validate a scenario given as a dict (``extends`` is not resolved here).

    ``located`` maps key paths to where they were written (``"a.yaml line 3"``), for
    error messages that point at the line.
    """
    base = _validate(raw, source, located=located)
    if not overrides:
        return _check_draws(base, source)
    pairs = parse_overrides(overrides, source)
    known = base.model_dump()
    merged = copy.deepcopy(raw)
    for key, value in pairs.items():
        check_path(known, key, f"{source}: {key} (override)")
        set_dotted(merged, key, value)
    merged = without_inputs(merged, set(pairs))
    scenario = _validate(merged, source, via_override=set(pairs), located=located)
    return _check_draws(scenario, source)


def _check_draws(scenario: Scenario, source: str) -> Scenario:
    """Refuse a distribution that can draw a value its field does not take (both ends tried)."""
    inputs = scenario.uncertainty.inputs
    if not inputs:
        return scenario
    fixed = scenario.model_copy(update={"uncertainty": type(scenario.uncertainty)()})
    known = fixed.model_dump()
    for key, distribution in inputs.items():
        current = check_path(known, key, f"{source}: {key}")
        for end in distribution.range():
            value = coerce(end, current, rounding=True)
            try:
                with_overrides(fixed, {key: value}, source)
            except ScenarioError as exc:
                reason = str(exc).split(f"{key} (override): ", 1)[-1].split("; got")[0]
                raise ScenarioError(
                    f"{source}: {key}: {distribution.text()} can draw {value:g}, which the "
                    f"field refuses ({reason})"
                ) from None
    return scenario


def with_overrides(
    base: Scenario, params: Mapping[str, Any], source: str = "<scenario>"
) -> Scenario:
    """``base`` with dotted overrides applied and validated, as ``--set`` does."""
    if not params:
        return base
    return scenario_from_dict(base.model_dump(), source=source, overrides=dict(params))


def parse_overrides(overrides: dict[str, Any] | list[str], source: str) -> dict[str, Any]:
    """``{key: value}`` from a dict, or from ``KEY=VALUE`` strings (YAML 1.2 values)."""
    if isinstance(overrides, dict):
        return dict(overrides)
    pairs: dict[str, Any] = {}
    for item in overrides:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise ScenarioError(f"{source}: override {short(item)}: expected KEY=VALUE")
        try:
            pairs[key.strip()] = parse_value(text) if text.strip() else ""
        except yaml.YAMLError:
            raise ScenarioError(
                f"{source}: {key} (override): cannot read value {short(text)}"
            ) from None
    return pairs


def _validate(
    raw: dict[str, Any],
    source: str,
    via_override: set[str] = frozenset(),
    located: Located | None = None,
) -> Scenario:
    try:
        return Scenario.model_validate(lift_distributions(raw))
    except BadDistributionError as exc:
        where = (located or {}).get(tuple(exc.key.split(".")))
        place = f" ({where[0]} line {where[1]})" if where and where[0] != source else ""
        if exc.key in via_override:
            place, exc = (
                "",
                BadDistributionError(f"{exc.key} (override)", str(exc).split(": ", 1)[1]),
            )
        raise ScenarioError(f"{source}{place}: {exc}") from None
    except ValidationError as exc:
        message = describe(exc, Scenario, source, located, via_override)
        raise ScenarioError(message) from None


def _read_chain(
    path: Path, tree: Path, chain: tuple[Path, ...], located: dict[tuple[str, ...], tuple[str, int]]
) -> dict[str, Any]:
    """The file's mapping merged over the files it extends, innermost first.

    ``located`` gets where each key path was written, the file's own over its base's.
    """
    where = " -> ".join(str(p) for p in chain)
    data = read_mapping(path, where)
    mine = {key: (str(path), line) for key, line in value_lines(path).items()}
    parent = data.pop("extends", None)
    if parent is None:
        located.update(mine)
        return data
    if len(chain) > MAX_EXTENDS_DEPTH:
        raise ScenarioError(f"{where}: extends: chain deeper than {MAX_EXTENDS_DEPTH} files")
    resolved = named_file(
        parent,
        path.parent,
        inside=tree,
        where=where,
        field="extends",
        suffixes=SUFFIXES,
        folder=TREE,
    )
    if any(resolved == Path(os.path.realpath(p)) for p in chain):
        raise ScenarioError(f"{where}: extends: circular ({parent!r} is already in the chain)")
    target = path.parent / parent
    base = _read_chain(target, tree, (*chain, target), located)
    located.update(mine)
    return _deep_merge(base, data)


def _deep_merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
