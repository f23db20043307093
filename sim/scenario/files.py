"""Files that input names (``extends``, a network file, a series CSV): checked before reading.

A scenario or targets file may name another file. Before anything opens it, the
name is checked (no NUL character, valid UTF-8, the right suffix), it must lie inside
the folder the input may reach, and ``os.stat`` must say it is a regular file: a
named pipe, a device, a folder, a symbolic-link loop or a name too long for the
system is refused in one line naming the file, the field and the value. Every reader
of such a file goes through :func:`named_file` or :func:`regular_file`.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from sim.scenario.errors import InputError, ScenarioError, short

NAME_LIMIT = 300
"""Characters of a refused name quoted in a message."""

_REASONS = {
    errno.ENOENT: "file not found",
    errno.ENOTDIR: "file not found",
    errno.ELOOP: "a loop of symbolic links",
    errno.ENAMETOOLONG: "name too long for the file system",
    errno.EACCES: "permission denied",
}

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def named_file(
    named: object,
    near: Path,
    *,
    inside: Path,
    where: str,
    field: str,
    folder: str,
    suffixes: tuple[str, ...] | None = None,
    error: type[InputError] = ScenarioError,
) -> Path:
    """The resolved path of the file ``named`` (relative to ``near``), checked unread.

    Args:
        named: The value the input gives (a path relative to ``near``, or absolute).
        near: The folder of the file that names it.
        inside: The folder the file must lie in (resolved).
        where: The file that names it (or the chain of files), for messages.
        field: The field that names it (``extends``, ``word_of_mouth.network_file``).
        folder: How to call ``inside`` in messages (``the scenario tree``).
        suffixes: The suffixes a file of this kind may have (lower case, with the dot);
            ``None``: any.
        error: The error raised.

    Returns:
        The file's resolved path: a regular file inside ``inside``.

    Raises:
        InputError: ``error``, naming ``where``, ``field`` and the value, if the name is
            not a usable file name, has another suffix, leads outside ``inside`` (through
            ``..``, an absolute path or a symbolic link) or is not a regular file.
    """
    said = f"{where}: {field}: {short(named, NAME_LIMIT)}"
    if not isinstance(named, str) or not named.strip():
        raise error(f"{said}: must be a file path")
    _check_name(named, said, error)
    target = near / named
    if suffixes is not None and target.suffix.lower() not in suffixes:
        raise error(f"{said} is not a {' or '.join(suffixes)} file; refused")
    resolved = Path(os.path.realpath(target))  # never raises on loops: stat below names them
    if not resolved.is_relative_to(inside):
        raise error(f"{said} is outside {folder} {inside}; refused ({field} must be inside it)")
    regular_file(resolved, said, error)
    return resolved


def regular_file(path: Path, said: str, error: type[InputError] = ScenarioError) -> os.stat_result:
    """``os.stat`` of ``path`` if it is a regular file, without opening it.

    Args:
        path: The file.
        said: The start of a message naming it (``"a.yaml: extends: 'b.yaml'"``).
        error: The error raised.

    Returns:
        The file's status (its size, its modification time).

    Raises:
        InputError: ``error``, starting with ``said``, if the name is not usable or the
            file is missing, unreachable, or anything but a regular file (a named pipe,
            a device, a folder).
    """
    try:
        status = os.stat(path)
    except OSError as exc:
        reason = _REASONS.get(exc.errno, exc.strerror or type(exc).__name__)
        raise error(f"{said}: {reason}; refused") from None
    except ValueError:  # a NUL character, a lone surrogate: no file has such a name
        raise error(f"{said}: not a usable file name; refused") from None
    if not stat.S_ISREG(status.st_mode):
        kind = next((name for test, name in _KINDS if test(status.st_mode)), "not a file")
        raise error(f"{said} is {kind}, not a regular file; refused")
    return status


def _check_name(name: str, said: str, error: type[InputError]) -> None:
    """Refuse a name the operating system cannot take: a NUL character, invalid UTF-8."""
    if "\0" in name:
        raise error(f"{said}: a file name cannot contain a NUL character; refused")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise error(f"{said}: the file name is not valid UTF-8; refused") from None
