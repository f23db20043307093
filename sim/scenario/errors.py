"""The one kind of user error: bad input, named by where it is, the field and the value."""

from __future__ import annotations


class InputError(ValueError):
    """Input that cannot be used: a scenario, an argument, a folder.

    The message is fit for the user: where (file or argument), the field, and the
    bad value. Library code raises it (or a subclass); only the command line turns it into a
    one-line message and an exit status.
    """


class ScenarioError(InputError):
    """A scenario file or dict that cannot be used."""


def short(value: object, limit: int = 60) -> str:
    """A value for an error message: never the whole of a large input."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
