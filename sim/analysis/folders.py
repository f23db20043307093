"""Output folders that never destroy anything a user wrote.

Every command writes into a folder that is new, empty, or a previous Touchpoint
output of the same kind. A marker file (:data:`MARKER`) records the kind and the
entries Touchpoint wrote there; anything else in a folder (a user's file, a
subfolder, another kind of output) makes it refused, with one line naming the
folder and an entry, before any work starts. Replacing a previous output is
atomic: the new folder is built beside it and renamed into place, and only then
is the old one, verified again to hold nothing but our own entries, removed.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

from sim.scenario.errors import InputError

MARKER = ".touchpoint.json"
"""The file that makes a folder a Touchpoint output (kind and entries written)."""

TEMP_PREFIX = ".touchpoint-"
"""Prefix of the temporary files and folders Touchpoint builds before renaming them."""

TEMP_NAME = re.compile(r"\.touchpoint-.+\.(tmp|old-[0-9]+|[A-Za-z0-9_]{8})")
"""The whole name of a temporary file or folder (``mkstemp``/``mkdtemp`` add 8 characters)."""


class OutputFolderError(InputError):
    """An output folder that cannot be used without risking files Touchpoint did not write."""


def check_output_folder(out: str | Path, kind: str) -> None:
    """Refuse ``out`` unless it is new, empty, or a previous output of ``kind``.

    Every file and folder below ``out`` (subfolders included) must be one the marker
    records, a file of a folder Touchpoint owns whole (a run store), or a temporary
    file of ours; anything else is the user's, and the folder is refused.

    Raises:
        OutputFolderError: Naming the folder and why (an entry it did not write, a
            different kind, a file or a link in the way).
    """
    out = Path(out)
    if out.is_symlink():
        raise OutputFolderError(f"output folder {out}: is a symbolic link; give a real folder")
    for part in (out, *out.parents):
        if part.exists() and not part.is_dir():
            raise OutputFolderError(f"output folder {out}: {part} exists and is not a folder")
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


def _first_foreign(out: Path, marker: dict[str, Any]) -> str | None:
    """The first path below ``out`` that Touchpoint did not write, or None."""
    files = set(marker.get("entries", []))
    folders = {str(parent) for entry in files for parent in PurePosixPath(entry).parents}
    owned = {name: re.compile(pattern) for name, pattern in marker.get("owned", {}).items()}
    for root, dirs, names in os.walk(out):  # links are not followed: a link is foreign
        here = PurePosixPath(Path(root).relative_to(out).as_posix())
        dirs[:] = sorted(d for d in dirs if not is_temporary(d))
        for name in sorted(n for n in names if not is_temporary(n)) + dirs:
            rel = here / name
            path = out / rel
            if str(rel) == MARKER and not path.is_symlink():
                continue
            if path.is_symlink():
                return str(rel)
            if rel.parts[0] in owned:
                if len(rel.parts) == 1 and path.is_dir():
                    continue
                if len(rel.parts) == 2 and owned[rel.parts[0]].fullmatch(name) and path.is_file():
                    continue
                return str(rel)
            if str(rel) in (folders if path.is_dir() else files):
                continue
            return str(rel)
    return None


def is_temporary(name: str) -> bool:
    """Whether a file or folder name is one of Touchpoint's temporary ones."""
    return TEMP_NAME.fullmatch(name) is not None


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


def _write_marker(folder: Path, kind: str, entries: list[str], extra: dict[str, Any]) -> None:
    marker = {**extra, "kind": kind, "entries": sorted(set(entries) - {MARKER})}
    write_file(folder / MARKER, lambda p: p.write_text(to_json(marker), encoding="utf-8"))


@contextmanager
def replace_folder(out: str | Path, kind: str, **extra: Any) -> Iterator[Path]:
    """Build an output folder in a temporary place; on success, move it to ``out``.

    ``out`` is checked first (:func:`check_output_folder`). A failure inside the
    block removes the half-built folder and leaves any previous ``out`` untouched.
    ``extra`` goes into the marker (e.g. the model version).
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
    old = None
    if out.exists():
        old = out.with_name(f"{TEMP_PREFIX}{out.name}.old-{os.getpid()}")
        os.replace(out, old)
    os.replace(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _files_below(folder: Path, prefix: str = "") -> list[str]:
    """Relative paths of the files below ``folder`` (``prefix/`` before each)."""
    return [
        prefix + path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()
    ]


def open_folder(out: str | Path, kind: str, **extra: Any) -> Path:
    """Make ``out`` an output folder of ``kind`` that is filled entry by entry.

    For outputs written over time (a resumable store and its tables). The marker
    is written first, so a folder interrupted half-way is still recognised as ours.
    """
    out = Path(out)
    check_output_folder(out, kind)
    out.mkdir(parents=True, exist_ok=True)
    marker = read_marker(out) or {}
    _write_marker(out, kind, marker.get("entries", []), {**marker, **extra})
    return out


def add_entry(out: Path, name: str, write: Callable[[Path], object]) -> Path:
    """Write one entry (file) of an open output folder atomically and record it."""
    register_entry(out, name)
    path = out / name
    write_file(path, write)
    return path


def register_entry(out: Path, name: str) -> None:
    """Record in the marker a file Touchpoint is about to write in ``out``."""
    marker = read_marker(out) or {"kind": "unknown"}
    if name not in marker.get("entries", []):
        _write_marker(out, marker["kind"], [*marker.get("entries", []), name], marker)


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
    """
    marker = read_marker(out) or {"kind": "unknown"}
    check_output_folder(out, marker["kind"])
    tmp = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{name}.", dir=out))
    try:
        yield tmp
        tmp.chmod(folder_mode())
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    kept = [e for e in marker.get("entries", []) if not e.startswith(f"{name}/")]
    _write_marker(out, marker["kind"], [*kept, *_files_below(tmp, f"{name}/")], marker)
    target = out / name
    if target.exists():
        old = out / f"{TEMP_PREFIX}{name}.old-{os.getpid()}"
        os.replace(target, old)
        shutil.rmtree(old, ignore_errors=True)
    os.replace(tmp, target)


def write_file(path: Path, write: Callable[[Path], object]) -> None:
    """Write a file under a temporary name beside it, then rename it into place."""
    fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
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
