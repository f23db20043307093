"""The resumable store of finished runs: one small JSON file per run, written atomically.

A sweep's output folder holds ``runs/<key>.json`` for every run that has
finished. The key is a hash of the run's scenario (the file with overrides and
the run's parameters applied) and its seed, so re-running the same command finds
its finished runs and skips them, and an overlapping sweep reuses them too.
``runs/store.json`` records which model version, which versions of the libraries
that can change a number (numpy and numba draw, scipy and pandas compute; see
:data:`sim.analysis.provenance.LIBRARIES`) and which base scenario made the runs:
a store made by another version of the model or of a library (or for another
scenario) is refused unless the caller asks to start afresh, so old results are
never silently mixed with new ones.

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
import os
import shutil
import time
from pathlib import Path
from typing import Any

from sim.analysis.folders import (
    check_output_folder,
    file_mode,
    finite,
    is_owned_name,
    open_folder,
    read_json,
    register_owned,
    temporary_name,
    to_json,
    write_file,
)
from sim.analysis.provenance import library_versions
from sim.model.version import model_version
from sim.scenario.errors import InputError
from sim.scenario.schema import Scenario

RUNS = "runs"
"""The store's folder inside an output folder."""

MANIFEST = "store.json"
"""The file in the store that records the model version and the base scenario."""

FILES = r"[0-9a-f]{32}\.json|store\.json"
"""The names of the files a store writes (run records and the manifest)."""

STALE_TEMP_SECONDS = 3600.0
"""Temporary files older than this are leftovers of a killed process and are removed."""


def content_hash(scenario: Scenario) -> str:
    """A stable hash of everything in a scenario (its name and description included)."""
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def run_key(
    scenario: Scenario,
    seed: int,
    agents: str = "",
    *,
    scenario_hash: str | None = None,
    budget_scale: tuple[tuple[str, float], ...] = (),
) -> str:
    """The key of one run: its scenario, seed, custom classes and channels' budget multiples.

    ``scenario_hash`` is the scenario's :func:`content_hash` if the caller has it already.
    """
    digest = content_hash(scenario) if scenario_hash is None else scenario_hash
    text = f"{digest}:{int(seed)}" + (f":{agents}" if agents else "")
    text += "".join(f":{name}={float(value)!r}" for name, value in sorted(budget_scale))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class RunStore:
    """Finished runs of one output folder, kept in ``FOLDER/runs/``.

    Args:
        folder: The output folder; nothing is created there until the store is bound.
        kind: The kind of output folder it is part of (``"sweep"``, ``"sensitivity"``).
    """

    def __init__(self, folder: str | Path, kind: str = "sweep") -> None:
        self.folder = Path(folder)
        self.kind = kind
        self.runs = self.folder / RUNS

    def bind(self, scenario_hash: str, *, fresh: bool = False) -> None:
        """Check the store (:meth:`check`), then record this model, its libraries and scenario.

        With ``fresh``, the runs of a store made otherwise are discarded first.
        """
        current = self.check(scenario_hash, fresh=fresh)
        open_folder(self.folder, self.kind, **model_version())
        register_owned(self.folder, RUNS, FILES)
        if self.manifest() != current:
            self._clear()
            self.runs.mkdir(parents=True, exist_ok=True)
            write_file(self.runs / MANIFEST, lambda p: p.write_text(to_json(current)))

    def check(self, scenario_hash: str, *, fresh: bool = False) -> dict[str, Any]:
        """Check that the store's runs were made by this model, these libraries, this scenario.

        Writes nothing.

        Args:
            scenario_hash: :func:`content_hash` of the base scenario (before grid values).
            fresh: Accept a store made otherwise (its runs are to be discarded).

        Returns:
            What the store records once bound: model and library versions, scenario hash.

        Raises:
            StoreMismatchError: The store holds runs of another model or library version,
                or of another scenario.
        """
        check_output_folder(self.folder, self.kind)
        current = {
            **model_version(),
            "libraries": library_versions(),
            "scenario_hash": scenario_hash,
        }
        recorded = self.manifest()
        if recorded is None and self.load():
            recorded = {}  # runs without a manifest: made before stores recorded versions
        if recorded is not None and recorded != current and not fresh:
            raise StoreMismatchError(
                f"store {self.runs}: its runs were made {_difference(recorded, current)}: "
                "start afresh (fresh=True) or use another folder"
            )
        return current

    def manifest(self) -> dict[str, Any] | None:
        """What the store records of the model and scenario that made its runs."""
        return read_json(self.runs / MANIFEST)

    def _clear(self) -> None:
        """Remove the store's runs (only files the store writes; anything else stays)."""
        if not self.runs.is_dir():
            return
        for path in self.runs.iterdir():
            if is_owned_name(FILES, path.name) and path.is_file() and not path.is_symlink():
                path.unlink()
        if not any(self.runs.iterdir()):
            shutil.rmtree(self.runs)

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
            if path.suffix != ".json" or path.name == MANIFEST:
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
        tmp = self.runs / temporary_name(f"{key}.json")  # the store's pattern covers it
        tmp.unlink(missing_ok=True)  # a leftover of a killed sweep
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                os.fchmod(fh.fileno(), file_mode())
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.runs / f"{key}.json")
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    @staticmethod
    def _drop_if_stale(path: Path, now: float) -> None:
        if path.suffix != ".tmp" or not is_owned_name(FILES, path.name):
            return
        try:
            if now - path.stat().st_mtime > STALE_TEMP_SECONDS:
                path.unlink()
        except OSError:
            pass


def open_store(
    folder: str | Path | None, base: Scenario, kind: str, fresh: bool = False
) -> RunStore | None:
    """The store in ``folder`` (None for none), bound to this model and base scenario."""
    if folder is None:
        return None
    store = RunStore(folder, kind)
    store.bind(content_hash(base), fresh=fresh)
    return store


def _difference(recorded: dict[str, Any], current: dict[str, Any]) -> str:
    """What made a store's runs, in words, against what would make them now."""
    if recorded.get("model_hash") != current["model_hash"]:
        return (
            f"by another model (touchpoint {recorded.get('touchpoint')}, model "
            f"{recorded.get('model_hash')}); this is touchpoint {current['touchpoint']}, "
            f"model {current['model_hash']}"
        )
    libraries = recorded.get("libraries") or {}
    changed = [
        f"{name} {libraries.get(name)}, now {version}"
        for name, version in current["libraries"].items()
        if libraries.get(name) != version
    ]
    if changed:
        return f"with other libraries ({'; '.join(changed)})"
    return (
        f"for another scenario (scenario {str(recorded.get('scenario_hash'))[:12]}); "
        f"this is scenario {current['scenario_hash'][:12]}"
    )


class StoreMismatchError(InputError):
    """A store whose runs were made by another model or library version, or another scenario."""
