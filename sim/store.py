"""The resumable store of finished runs: one small JSON file per run, written atomically.

A sweep's output folder holds ``runs/<key>.json`` for every run that has
finished. The key is a hash of the run's scenario (the file with ``--set`` and
the run's parameters applied) and its seed, so re-running the same command finds
its finished runs and skips them, and an overlapping sweep reuses them too.

Each file is written to a temporary name beside its final one, flushed to disk
and renamed into place, so a file under its final name is always complete: an
interrupted sweep (Ctrl-C, a killed process or worker, a full disk) loses at
most the runs in flight and never leaves a half-written record. The reader
skips temporary files and anything it cannot parse, so the worst a crash can
do is make a run be done again.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from sim.scenario import Scenario

RUNS = "runs"
"""The store's folder inside an output folder."""

STALE_TEMP_SECONDS = 3600.0
"""Temporary files older than this are leftovers of a killed process and are removed."""


def content_hash(scenario: Scenario) -> str:
    """A stable hash of everything in a scenario (its name and description included)."""
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def run_key(scenario: Scenario, seed: int) -> str:
    """The key of one run: its scenario's content hash and its seed."""
    return hashlib.sha256(f"{content_hash(scenario)}:{int(seed)}".encode()).hexdigest()[:32]


def finite(value: Any) -> Any:
    """``value`` with NaN and infinities replaced by None (strict JSON), recursively."""
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


class RunStore:
    """Finished runs of one output folder, kept in ``FOLDER/runs/``.

    Args:
        folder: The output folder (the same as the command line's ``--out``);
            nothing is created there until the first run is stored.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.runs = self.folder / RUNS

    def __repr__(self) -> str:
        return f"RunStore({str(self.folder)!r})"

    def load(self) -> dict[str, dict[str, Any]]:
        """Every complete record in the store, by key."""
        if not self.runs.is_dir():
            return {}
        records: dict[str, dict[str, Any]] = {}
        now = time.time()
        for path in self.runs.iterdir():
            if path.name.startswith("."):
                self._drop_if_stale(path, now)
                continue
            if path.suffix != ".json":
                continue
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # unreadable: the run is simply done again
            if isinstance(record, dict) and record.get("key") == path.stem:
                records[path.stem] = record
        return records

    def put(self, record: dict[str, Any]) -> None:
        """Add one finished run (a dict with a ``key``), atomically."""
        key = record["key"]
        text = json.dumps(finite(record), allow_nan=False, separators=(",", ":"))
        self.runs.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{key}.", suffix=".tmp", dir=self.runs)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                os.fchmod(fh.fileno(), file_mode())
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.runs / f"{key}.json")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @staticmethod
    def _drop_if_stale(path: Path, now: float) -> None:
        if path.suffix != ".tmp":
            return
        try:
            if now - path.stat().st_mtime > STALE_TEMP_SECONDS:
                path.unlink()
        except OSError:
            pass
