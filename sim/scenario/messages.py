"""Turning a validation error into one line a user can act on.

The line names the file (and the line of the bad value when it came from a file),
the field path and the value, and, for a misspelled key, the nearest names the
format knows ("did you mean 'webinar'?").
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.scenario.errors import short

Located = Mapping[tuple[str, ...], tuple[str, int]]
"""Where each value was written: key path → ``(file, line)``."""


def describe(
    exc: ValidationError,
    model: type[BaseModel],
    source: str,
    located: Located | None = None,
    via_override: set[str] = frozenset(),
) -> str:
    """The first problem of ``exc`` as one line: file, line, field, problem, value."""
    err = exc.errors()[0]
    loc = tuple(str(p) for p in err["loc"])
    msg = err["msg"].removeprefix("Value error, ")
    head = msg.split(":", 1)[0]
    if "." in head and " " not in head and head.startswith(".".join(loc)):
        # a model-level check names its field (and the value) itself
        path, _, msg = msg.partition(": ")
        loc = tuple(path.split("."))
        value = ""
    else:
        value = f"; got {short(err.get('input'))}"
    where = ".".join(loc) or "(top level)"
    origin = " (override)" if where in via_override else ""
    at = _line(loc, located, source)
    hint = _suggestion(model, loc) if err["type"] == "extra_forbidden" else ""
    more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
    return f"{source}{at}: {where}{origin}: {msg}{value}{hint}{more}"


def _line(loc: tuple[str, ...], located: Located | None, source: str) -> str:
    """`` line 12`` (or `` (base.yaml line 12)``) for the nearest written ancestor of ``loc``."""
    for end in range(len(loc), 0, -1):
        if located and loc[:end] in located:
            file, line = located[loc[:end]]
            return f" line {line}" if file == source else f" ({file} line {line})"
    return ""


def _suggestion(model: type[BaseModel], loc: Sequence[str]) -> str:
    """``; did you mean 'x'?`` for a key that is not a field but close to one."""
    fields = _fields_at(model, loc[:-1])
    close = difflib.get_close_matches(loc[-1], fields, n=2, cutoff=0.6)
    if not close:
        return ""
    return "; did you mean " + " or ".join(repr(c) for c in close) + "?"


def _fields_at(model: type[BaseModel], loc: Sequence[str]) -> list[str]:
    """The field names of the section at ``loc`` (keys of a mapping of sections skipped)."""
    current: Any = model
    parts = list(loc)
    while parts:
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        field = current.model_fields.get(parts.pop(0))
        if field is None:
            return []
        current = field.annotation
        if typing.get_origin(current) in (dict, Mapping) and parts:
            parts.pop(0)  # a key of the mapping, e.g. a channel's name
            current = typing.get_args(current)[1]
        current = _model_in(current)
    return list(current.model_fields) if isinstance(current, type) else []


def _model_in(annotation: Any) -> Any:
    """The model class inside an annotation (``X``, ``X | None``, ``Annotated[X, ...]``)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        models = [a for a in typing.get_args(annotation) if isinstance(a, type)]
        return models[0] if models else annotation
    if typing.get_origin(annotation) is typing.Annotated:
        return typing.get_args(annotation)[0]
    return annotation
