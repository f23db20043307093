"""The build step that ships the top-level ``scenarios/`` folder inside the package.

Everything else about the package is declared in ``pyproject.toml``. A clone keeps its
scenarios at the top of the repository, where its users read and edit them; a built
package (``pip install .``, a wheel) carries a copy as ``sim/scenarios``, found by
:func:`sim.scenario.shipped.shipped_scenarios`. An editable install reads the clone's
folder and needs no copy.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SCENARIOS = Path(__file__).resolve().parent / "scenarios"


class BuildWithScenarios(build_py):
    """``build_py``, then the scenario tree copied into the built package."""

    def run(self) -> None:
        """Build the modules; copy every scenario, story and edge list beside them."""
        super().run()
        if not self.editable_mode:
            target = Path(self.build_lib, "sim", SCENARIOS.name)
            shutil.rmtree(target, ignore_errors=True)  # no file of an earlier build lingers
            self.copy_tree(str(SCENARIOS), str(target))


setup(cmdclass={"build_py": BuildWithScenarios})
