"""Reading YAML safely, with YAML 1.2 core scalars.

PyYAML follows YAML 1.1, where ``1:30`` is the number 90, ``1.0e9`` is a string
and ``no`` is false. Scenario files and ``--set`` values mean what they look
like instead: the loader below resolves plain scalars by the YAML 1.2 core
schema (as JSON does), on top of ``yaml.SafeLoader`` (no Python objects, ever).
Files are read with a size limit and a guard against alias bombs.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import yaml

from sim.scenario.errors import ScenarioError
from sim.scenario.files import regular_file

MAX_FILE_BYTES = 1_000_000
MAX_EXPANDED_NODES = 100_000


class CoreLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` with the YAML 1.2 core schema for plain scalars."""


CoreLoader.yaml_implicit_resolvers = {}
_RESOLVERS = (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
    ("merge", r"^(?:<<)$", "<"),
)
for _tag, _pattern, _first in _RESOLVERS:
    CoreLoader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), _first)


def _construct_bool(loader: CoreLoader, node: yaml.ScalarNode) -> bool:
    return loader.construct_scalar(node).lower() == "true"


def _construct_int(loader: CoreLoader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node)
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text, 10)


def _construct_float(loader: CoreLoader, node: yaml.ScalarNode) -> float:
    text = loader.construct_scalar(node).lower()
    if text.endswith(".inf"):
        return -math.inf if text.startswith("-") else math.inf
    if text == ".nan":
        return math.nan
    return float(text)


CoreLoader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)
CoreLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
CoreLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)


def parse_value(text: str) -> Any:
    """One scalar or flow value as given on a command line (``--set KEY=VALUE``).

    Raises:
        yaml.YAMLError: The text is not valid YAML.
    """
    return yaml.load(text, CoreLoader)  # noqa: S506 - CoreLoader is a SafeLoader


def read_mapping(path: Path, where: str) -> dict[str, Any]:
    """A YAML file whose top level is a mapping, read within the limits.

    Args:
        path: The file.
        where: How to name the file in messages (e.g. the chain of ``extends``).

    Raises:
        ScenarioError: Missing, not a regular file, too large, not UTF-8, malformed, not a
            mapping, or a bomb.
            The message never quotes the file's content beyond the YAML parser's mark.
    """
    size = regular_file(path, where).st_size
    if size > MAX_FILE_BYTES:
        raise ScenarioError(f"{where}: file is {size} bytes; scenarios are limited to 1 MB")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), CoreLoader)  # noqa: S506
    except UnicodeDecodeError:
        raise ScenarioError(f"{where}: not a UTF-8 text file") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ScenarioError(f"{where}: malformed YAML{at}: {problem}") from None
    except OSError as exc:
        raise ScenarioError(f"{where}: cannot read ({exc.strerror})") from None
    if data is None:
        raise ScenarioError(f"{where}: file is empty")
    if not isinstance(data, dict):
        raise ScenarioError(f"{where}: top level must be a mapping; got a {type(data).__name__}")
    if _expanded_size(data, {}) > MAX_EXPANDED_NODES:
        raise ScenarioError(f"{where}: refused: aliases expand to more than 100000 nodes")
    return data


def _expanded_size(node: Any, memo: dict[int, int]) -> int:
    """Nodes the document would have with every alias expanded (YAML bomb guard)."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = MAX_EXPANDED_NODES + 1  # a cycle counts as too big
    if isinstance(node, dict):
        total = 1 + sum(_expanded_size(v, memo) for v in node.values()) + len(node)
    elif isinstance(node, list):
        total = 1 + sum(_expanded_size(v, memo) for v in node)
    else:
        total = 1
    memo[key] = min(total, MAX_EXPANDED_NODES + 1)
    return memo[key]


def value_lines(path: Path) -> dict[tuple[str, ...], int]:
    """The line (1-based) of every key in a YAML file, by its key path.

    ``{("channels", "webinar", "budget"): 14, ...}``: for pointing at the line of a
    bad value in an error message. Empty if the file cannot be composed.
    """
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), CoreLoader)  # noqa: S506
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    lines: dict[tuple[str, ...], int] = {}
    _walk(root, (), lines)
    return lines


def _walk(node: yaml.Node | None, prefix: tuple[str, ...], lines: dict) -> None:
    if not isinstance(node, yaml.MappingNode):
        return
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode):
            path = (*prefix, str(key.value))
            lines[path] = key.start_mark.line + 1
            _walk(value, path, lines)
