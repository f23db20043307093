"""One command at a time per output folder: an advisory lock held for the whole command.

A command that writes an output folder claims it first (:func:`claim_output_folder`):
the folder's place is checked, then the folder is locked, then its contents are
checked, all before any work; a second command given the same folder meanwhile is
refused in one line naming the holder (its command line, process id and start).
The lock is released when the command ends (:func:`release_output_folders`), and
by the operating system when a process dies, so a killed command never blocks a
folder.

The lock file lives in a private folder of the user's in the system's temporary
folder (:data:`LOCKS`), named by a hash of the output folder's real path, never in
or beside the output folder: nothing of it ever appears among the user's files or
in an output. It holds a line saying who holds the lock and is removed on release
(after a killed command, the next one on that folder reuses and removes it). The
lock is advisory, per machine and per user account: it keeps Touchpoint's own
commands apart, not other programs, nor two machines sharing a network folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import stat
import sys
import tempfile
import time
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from sim.analysis.folders import OutputFolderError, check_output_folder, check_place

LOCKS = Path(tempfile.gettempdir()) / f"touchpoint-locks-{os.getuid()}"
"""The private folder (mode 0700) that holds the lock files of the output folders in use."""

COMMAND_SHOWN = 80
"""Characters of the holder's command line shown in a refusal."""

_held: list[tuple[Any, Path]] = []
"""The locks this process holds (a ``filelock.FileLock`` and its file), newest last."""


def claim_output_folder(
    out: str | Path, kind: str, reads: Iterable[str | Path | None] = ()
) -> None:
    """Check ``out`` and hold it until the command ends, before any work starts.

    Args:
        out: The output folder.
        kind: The kind of output the command writes there (``"run"``, ``"sweep"``...).
        reads: Files and folders the command reads (scenario files, the scenario
            tree, a targets file); None entries are skipped. ``out`` may hold none.

    Raises:
        OutputFolderError: ``out`` is in a place no output may be (the working
            folder, around a file the command reads, a link, a file), another
            command holds it, or it holds files Touchpoint did not write.
    """
    out = Path(out)
    reads = [path for path in reads if path is not None]
    check_place(out, reads)
    hold(out)
    check_output_folder(out, kind, reads)


def lock_path(out: str | Path) -> Path:
    """The lock file of output folder ``out`` (whether or not it is held)."""
    real = str(Path(out).resolve())
    return LOCKS / f"{hashlib.sha256(real.encode()).hexdigest()[:32]}.lock"


def hold(out: Path) -> None:
    """Take the lock of ``out`` for this process, or refuse naming who holds it."""
    from filelock import FileLock, Timeout

    path = lock_path(out)
    _private_folder(LOCKS)
    holder = {
        "out": str(out.resolve()),
        "command": shlex.join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "pid": os.getpid(),
        "since": datetime.now().isoformat(timespec="seconds"),
    }
    text = (json.dumps(holder) + "\n").encode()

    def say_who(fd: int) -> None:
        os.ftruncate(fd, 0)
        os.pwrite(fd, text, 0)

    lock = FileLock(path, timeout=0, mode=0o600, on_acquired=say_who)
    try:
        lock.acquire()
    except Timeout:
        raise OutputFolderError(
            f"output folder {out}: in use by {_holder(path)}; wait for it or choose another --out"
        ) from None
    _held.append((lock, path))


def release_output_folders() -> None:
    """Release every output folder this process holds, removing their lock files."""
    while _held:
        lock, path = _held.pop()
        path.unlink(missing_ok=True)  # while still held: a waiting peer then retries afresh
        lock.release()


def _holder(path: Path) -> str:
    """Who holds the lock file ``path``, in words (it may be writing that just now)."""
    for _ in range(20):
        try:
            holder = json.loads(path.read_text(encoding="utf-8"))
            since = datetime.fromisoformat(holder["since"])
            command = holder["command"]
        except (OSError, ValueError, KeyError, TypeError):
            time.sleep(0.05)
            continue
        if len(command) > COMMAND_SHOWN:
            command = command[: COMMAND_SHOWN - 3] + "..."
        day = "" if since.date() == datetime.now().date() else f"{since:%Y-%m-%d} "
        return f"`{command}` (pid {holder['pid']}) since {day}{since:%H:%M}"
    return "another Touchpoint command"


def _private_folder(folder: Path) -> None:
    """Make ``folder`` (mode 0700) or check that it is a private folder of this user's."""
    folder.mkdir(mode=0o700, exist_ok=True)
    info = os.lstat(folder)
    if (
        not stat.S_ISDIR(info.st_mode)
        or info.st_uid != os.getuid()
        or info.st_mode & (stat.S_IRWXG | stat.S_IRWXO)
    ):
        raise OutputFolderError(
            f"lock folder {folder}: not a private folder of this user's (mode 0700); remove it"
        )
