"""Where a result came from: the scenarios as run, the seeds, the code, the command.

Every output folder holds ``provenance.json`` and ``scenarios/<name>.yaml``, each
scenario exactly as it was run (``extends`` resolved, ``--set`` applied), so a
result can be reproduced from its folder alone: ``python run.py rerun DIR``.
"""

from __future__ import annotations

import platform
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from sim.analysis.folders import to_json
from sim.model.version import model_version
from sim.scenario.schema import Scenario

PROVENANCE = "provenance.json"
SCENARIO_FOLDER = "scenarios"
LIBRARIES = ("mesa", "numpy", "scipy", "pandas", "pydantic", "numba", "SALib", "pyabc")
"""Libraries whose versions are recorded (those that can change a number)."""


@dataclass
class Provenance:
    """What made an output folder.

    Attributes:
        command: The command that wrote it (``run``, ``compare``, ``sweep``, ``sensitivity``).
        scenarios: The scenarios as run, in the command's order (baseline first).
        seeds: Every replication's seed.
        options: The command's options that shape the numbers (``--seed``,
            ``--replications``, ``--grid``, ...), by option name without dashes.
    """

    command: str
    scenarios: Sequence[Scenario]
    seeds: Sequence[int]
    options: dict[str, Any] = field(default_factory=dict)

    def files(self) -> list[str]:
        """The scenario files, relative to the output folder."""
        return [f"{SCENARIO_FOLDER}/{i}-{s.name}.yaml" for i, s in enumerate(self.scenarios)]

    def record(self) -> dict[str, Any]:
        """The content of ``provenance.json``."""
        return {
            "command": self.command,
            "options": self.options,
            "scenario_files": self.files(),
            "seeds": [int(s) for s in self.seeds],
            **model_version(),
            "python": platform.python_version(),
            "libraries": library_versions(),
            "written": datetime.now(UTC).isoformat(timespec="seconds"),
        }

    def write(self, folder: Path) -> None:
        """Write ``provenance.json`` and the scenario files into ``folder``."""
        (folder / PROVENANCE).write_text(to_json(self.record()), encoding="utf-8")
        self.write_scenarios(folder / SCENARIO_FOLDER)

    def write_scenarios(self, folder: Path) -> None:
        """Each scenario as run, as a complete YAML file (no ``extends``).

        A network file the scenario reads is copied beside it and named relative to it,
        so the folder holds everything a rerun reads.
        """
        folder.mkdir(exist_ok=True)
        for path, scenario in zip(self.files(), self.scenarios, strict=True):
            name = Path(path).name
            network = scenario.word_of_mouth.network_file
            if network is not None:
                copy = f"{Path(name).stem}-network{Path(network).suffix}"
                shutil.copyfile(network, folder / copy)
                wom = scenario.word_of_mouth.model_copy(update={"network_file": copy})
                scenario = scenario.model_copy(update={"word_of_mouth": wom})
            (folder / name).write_text(scenario_yaml(scenario), encoding="utf-8")


def scenario_yaml(scenario: Scenario) -> str:
    """A scenario as a complete YAML document: every field, defaults included."""
    header = f"# {scenario.name} as run: extends resolved, overrides applied\n"
    return header + yaml.safe_dump(scenario.model_dump(mode="json"), sort_keys=False)


def library_versions() -> dict[str, str | None]:
    """The installed version of each library that can change a number (None: not installed)."""
    return {name: _version(name) for name in LIBRARIES}


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
