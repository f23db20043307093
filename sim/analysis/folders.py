"""Output folders that never destroy anything a user wrote.

Every command writes into a folder that is new, empty, or a previous Touchpoint
output of the same kind. A marker file (:data:`MARKER`) records the kind and the
entries Touchpoint wrote there; anything else in a folder (a user's file, a
subfolder, another kind of output) makes it refused, with one line naming the
folder and an entry, before any work starts. Replacing a previous output is
atomic: the new folder is built beside it and renamed into place, and only then
is the old one, verified again to hold nothing but our own entries, removed.

Temporary files and folders inside an output folder have names fixed by the entry
they become (:func:`temporary_name`), and the marker lists them before they are
created: a leftover of a killed command is recognised as ours by the marker and
removed by the next command, while anything the marker does not list, however it
is named, is the user's and is never touched.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

from sim.scenario.errors import InputError

MARKER = ".touchpoint.json"
"""The file that makes a folder a Touchpoint output (kind and entries written)."""

TEMP_PREFIX = ".touchpoint-"
"""Prefix of the temporary files and folders Touchpoint builds before renaming them."""

TEMP_SUFFIX = ".tmp"
"""Suffix of the temporary name a file is written under before it is renamed into place."""


class OutputFolderError(InputError):
    """An output folder that cannot be used without risking files Touchpoint did not write."""


def check_output_folder(out: str | Path, kind: str, reads: Iterable[str | Path] = ()) -> None:
    """Refuse ``out`` unless it is new, empty, or a previous output of ``kind``.

    Every file and folder below ``out`` (subfolders included) must be one the marker
    records (an entry, or a temporary one it listed before creating it) or a file of
    a folder Touchpoint owns whole (a run store); anything else is the user's, and
    the folder is refused. So is a folder that holds the working folder or a file
    the command reads (``reads``): replacing it would pull the ground from under it.

    Raises:
        OutputFolderError: Naming the folder and why (an entry it did not write, a
            different kind, a file or a link in the way, what it would swallow).
    """
    out = Path(out)
    check_place(out, reads)
    if not out.exists() or not any(out.iterdir()):
        return
    marker = read_marker(out)
    if marker is None:
        first = sorted(p.name for p in out.iterdir())[0]
        raise OutputFolderError(
            f"output folder {out}: holds files Touchpoint did not write (e.g. {first!r}); "
            "choose a new or empty folder"
        )
    if marker.get("kind") != kind:
        raise OutputFolderError(
            f"output folder {out}: holds a Touchpoint {marker.get('kind')!r} output, not a "
            f"{kind!r} one; choose another folder"
        )
    foreign = _first_foreign(out, marker)
    if foreign is not None:
        raise OutputFolderError(
            f"output folder {out}: holds {foreign!r}, which Touchpoint did not write; "
            "move it away or choose another folder"
        )


def check_place(out: Path, reads: Iterable[str | Path] = ()) -> None:
    """Refuse an ``out`` that is a link or a file, or holds the working folder or a read file.

    Checked before anything is read from or written to ``out``.
    """
    if out.is_symlink():
        raise OutputFolderError(f"output folder {out}: is a symbolic link; give a real folder")
    for part in (out, *out.parents):
        if part.exists() and not part.is_dir():
            raise OutputFolderError(f"output folder {out}: {part} exists and is not a folder")
    where = out.resolve()
    here = Path.cwd().resolve()
    if where == here or where in here.parents:
        raise OutputFolderError(
            f"output folder {out}: is the working folder {here} or holds it; "
            "choose a folder of its own, e.g. results/mine"
        )
    for read in reads:
        path = Path(read).resolve()
        if where == path or where in path.parents:
            raise OutputFolderError(
                f"output folder {out}: holds {read}, which this command reads; "
                "choose a folder of its own, e.g. results/mine"
            )


def _first_foreign(out: Path, marker: dict[str, Any]) -> str | None:
    """The first path below ``out`` that Touchpoint did not write, or None."""
    files = set(marker.get("entries", []))
    folders = {str(parent) for entry in files for parent in PurePosixPath(entry).parents}
    temporary = set(marker.get("temporary", []))
    owned = marker.get("owned", {})
    for root, dirs, names in os.walk(out):  # links are not followed: a link is foreign
        here = PurePosixPath(Path(root).relative_to(out).as_posix())
        dirs.sort()
        for name in sorted(names) + list(dirs):
            rel = here / name
            path = out / rel
            if path.is_symlink():
                return str(rel)
            if str(rel) == MARKER or str(rel) in temporary:
                if path.is_dir():  # a leftover temporary folder of ours: not looked into
                    dirs.remove(name)
                continue
            if rel.parts[0] in owned:
                if len(rel.parts) == 1 and path.is_dir():
                    continue
                if len(rel.parts) == 2 and is_owned_name(owned[rel.parts[0]], name):
                    if path.is_file():
                        continue
                return str(rel)
            if str(rel) in (folders if path.is_dir() else files):
                continue
            return str(rel)
    return None


def temporary_name(name: str) -> str:
    """The name a file is written under, beside ``name``, before it is renamed to it."""
    return f"{TEMP_PREFIX}{name}{TEMP_SUFFIX}"


def is_owned_name(pattern: str, name: str) -> bool:
    """Whether a file of an owned subfolder is one its ``pattern`` covers (or its temporary)."""
    if name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX):
        name = name[len(TEMP_PREFIX) : -len(TEMP_SUFFIX)]
    return re.fullmatch(pattern, name) is not None


def read_marker(out: Path) -> dict[str, Any] | None:
    """The marker of a Touchpoint output folder, or None if it has none (or a broken one)."""
    return read_json(out / MARKER)


def read_json(path: Path) -> dict[str, Any] | None:
    """A small JSON object file Touchpoint wrote, or None if absent, a link or unreadable."""
    if not path.is_file() or path.is_symlink():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_marker(
    folder: Path,
    kind: str,
    entries: list[str],
    extra: dict[str, Any],
    temporary: Iterable[str] = (),
) -> None:
    """Write the marker; ``temporary`` adds names about to be created to those it lists."""
    listed = {*extra.get("temporary", []), *temporary, temporary_name(MARKER)}
    marker = {
        **extra,
        "kind": kind,
        "entries": sorted(set(entries) - {MARKER}),
        "temporary": sorted(listed),
    }
    write_file(folder / MARKER, lambda p: p.write_text(to_json(marker), encoding="utf-8"))


def _discard_leftovers(out: Path, marker: dict[str, Any]) -> None:
    """Remove the temporaries the marker lists that a killed command left in ``out``.

    Only names with Touchpoint's temporary prefix, inside ``out``, are ever removed,
    whatever a (possibly tampered) marker says; ``out`` has been checked for links.
    """
    for rel in marker.get("temporary", []):
        parts = PurePosixPath(rel).parts
        if not parts or ".." in parts or parts[0] == "/" or not parts[-1].startswith(TEMP_PREFIX):
            continue
        _discard(out / rel)


def _discard(path: Path) -> None:
    """Remove a temporary file or folder of ours (a link itself, never what it points to)."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


@contextmanager
def replace_folder(out: str | Path, kind: str, **extra: Any) -> Iterator[Path]:
    """Build an output folder in a temporary place; on success, move it to ``out``.

    ``out`` is checked first (:func:`check_output_folder`). A failure inside the
    block removes the half-built folder and leaves any previous ``out`` untouched.
    ``extra`` goes into the marker (e.g. the model version). The folder is built
    under a new, unique name beside ``out``; only a process killed outright can
    leave it behind (``.touchpoint-<name>.<random>``), and nothing ever removes it
    unasked, since nothing records it.
    """
    out = Path(out)
    check_output_folder(out, kind)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{out.name}.", dir=out.parent))
    try:
        yield tmp
        tmp.chmod(folder_mode())
        _write_marker(tmp, kind, _files_below(tmp), extra)
        check_output_folder(out, kind)  # again: something may have appeared meanwhile
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if not out.exists():
        os.replace(tmp, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{out.name}.old-", dir=out.parent))
    os.replace(out, old)  # onto the empty folder just made: a name no one else has
    os.replace(tmp, out)
    shutil.rmtree(old, ignore_errors=True)


def _files_below(folder: Path, prefix: str = "") -> list[str]:
    """Relative paths of the files below ``folder`` (``prefix/`` before each)."""
    return [
        prefix + path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()
    ]


def open_folder(out: str | Path, kind: str, **extra: Any) -> Path:
    """Make ``out`` an output folder of ``kind`` that is filled entry by entry.

    For outputs written over time (a resumable store and its tables). The marker
    is written first, so a folder interrupted half-way is still recognised as ours;
    the temporaries a killed command left (those the marker lists) are removed.
    """
    out = Path(out)
    check_output_folder(out, kind)
    out.mkdir(parents=True, exist_ok=True)
    marker = read_marker(out) or {}
    _discard_leftovers(out, marker)
    _write_marker(out, kind, marker.get("entries", []), {**marker, **extra})
    return out


def add_entry(out: Path, name: str, write: Callable[[Path], object]) -> Path:
    """Write one entry (file) of an open output folder atomically and record it."""
    register_entry(out, name)
    path = out / name
    write_file(path, write)
    return path


def register_entry(out: Path, name: str) -> None:
    """Record in the marker a file Touchpoint is about to write in ``out`` (and its temporary)."""
    marker = read_marker(out) or {"kind": "unknown"}
    rel = PurePosixPath(name)
    temporary = str(rel.with_name(temporary_name(rel.name)))
    if name not in marker.get("entries", []) or temporary not in marker.get("temporary", []):
        entries = [*marker.get("entries", []), name]
        _write_marker(out, marker["kind"], entries, marker, [temporary])


def register_owned(out: Path, name: str, pattern: str) -> None:
    """Record that Touchpoint owns subfolder ``name`` whole: its files match ``pattern``."""
    marker = read_marker(out) or {"kind": "unknown"}
    owned = {**marker.get("owned", {}), name: pattern}
    if owned != marker.get("owned"):
        _write_marker(out, marker["kind"], marker.get("entries", []), {**marker, "owned": owned})


@contextmanager
def add_folder(out: Path, name: str) -> Iterator[Path]:
    """Build one subfolder of an open output folder, then swap it in whole.

    The folder it replaces is checked first: it may hold only files Touchpoint wrote.
    The two temporary names it uses (the new folder and the old one on its way out)
    are listed in the marker before either is made.
    """
    marker = read_marker(out) or {"kind": "unknown"}
    check_output_folder(out, marker["kind"])
    new, old = out / f"{TEMP_PREFIX}{name}.new", out / f"{TEMP_PREFIX}{name}.old"
    _write_marker(out, marker["kind"], marker.get("entries", []), marker, [new.name, old.name])
    _discard(new)
    _discard(old)
    new.mkdir()
    try:
        yield new
        new.chmod(folder_mode())
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    marker = read_marker(out) or marker
    kept = [e for e in marker.get("entries", []) if not e.startswith(f"{name}/")]
    _write_marker(out, marker["kind"], [*kept, *_files_below(new, f"{name}/")], marker)
    target = out / name
    if target.exists():
        os.replace(target, old)
        shutil.rmtree(old)
    os.replace(new, target)


def write_file(path: Path, write: Callable[[Path], object]) -> None:
    """Write a file under its temporary name beside it, then rename it into place.

    The temporary name (:func:`temporary_name`) must be one the folder's marker
    lists, or the folder one this command has just made; a leftover under it is ours.
    """
    tmp = path.with_name(temporary_name(path.name))
    _discard(tmp)
    try:
        write(tmp)
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def to_json(data: object) -> str:
    """Strict JSON (NaN and infinities as null), indented, keys in their order."""
    return json.dumps(finite(data), indent=2, allow_nan=False) + "\n"


def finite(value: Any) -> Any:
    """``value`` with NaN and infinities replaced by None, recursively."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """The mode a plainly created file gets under the current umask (mkstemp gives 0600)."""
    return 0o666 & ~_umask()


def folder_mode() -> int:
    """The mode a plainly created folder gets under the current umask (mkdtemp gives 0700)."""
    return 0o777 & ~_umask()
