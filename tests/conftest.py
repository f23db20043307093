"""Shared fixtures: small scenarios built from the shipped files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sim

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
SHIPPED = sorted(SCENARIOS.glob("*.yaml"))


BUSY = {
    "population.need_rate_per_day": 0.004,
    "population.initial_need_share": 0.1,
    "word_of_mouth.conversation_rate_per_day": 0.08,
    "population.browsing_share": 0.0,
    "competition.buy_elsewhere_per_day": 0.0,
    "sales.reach_at_once": 1.0,
    "sales.reach_later": 1.0,
}
"""A market where many buy and talk (ten times the shipped need rate, every lead reached,
no competitors): for tests of machinery that needs many customers from small, short runs."""


def small(name: str = "touchpoint_management", size: int = 2000, days: int = 120, **extra):
    """A shipped scenario, shrunk for speed, with extra dotted overrides."""
    overrides = {"population.size": size, "horizon_days": days, **extra}
    return sim.load_scenario(SCENARIOS / f"{name}.yaml", overrides)


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run ``python run.py ARGS`` in a real process."""
    return subprocess.run(
        [sys.executable, str(ROOT / "run.py"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist, each worker on a core of its own.

    The commands' default worker count is the cores a process may use, so a test's runs
    stay in its worker's process instead of spawning a pool that competes with the other
    worker for the same two cores (a test that wants a pool asks for one).
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker.startswith("gw") and hasattr(os, "sched_setaffinity"):
        cores = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cores[int(worker[2:]) % len(cores)]})


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--skip-install-test",
        action="store_true",
        help="skip the test that builds a fresh virtual environment (it runs in CI)",
    )


SPREAD = {"test_notebooks.py"}
"""Files whose tests share no costly fixture: under pytest-xdist each test runs on any worker.
Every other file's tests stay on one worker, so a module-scoped fixture is built once."""


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """``--dist loadfile`` (pyproject.toml), except that the notebooks' tests spread."""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByFileNotebooksSpread(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::")[0]
            return nodeid if Path(path).name in SPREAD else path

    return ByFileNotebooksSpread(config, log)


LONGEST = (
    "test_runs_top_to_bottom[06_calibrate]",
    "test_runs_top_to_bottom[04_sensitivity]",
    "test_calibrate.py",
    "test_output_safety.py",
    "test_experiment_resume.py",
    "test_output_folder_lock.py",
    "test_install.py",
    "test_provenance.py",
    "test_optimise_resume.py",
    "test_runs_top_to_bottom[03_why_aida_underperforms]",
    "test_optimise_findings.py",
    "test_optimise.py",
    "test_runs_top_to_bottom[07_optimise]",
)
"""The longest tests and files of the default run, longest first (``--durations``, summed by
file for a file's tests, which share a worker): under pytest-xdist they start first, so no
worker is left with a long file at the end."""


def _start_rank(item: pytest.Item) -> int:
    """Where an item starts: the longest first, then the notebooks, then the rest."""
    for rank, name in enumerate(LONGEST):
        if name in (item.name, item.path.name):
            return rank
    return len(LONGEST) + (item.path.name not in SPREAD)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Longest first (--no-loadscope-reorder in pyproject.toml keeps this order under xdist).
    items.sort(key=_start_rank)
    if not config.getoption("--skip-install-test"):
        return
    skip = pytest.mark.skip(reason="--skip-install-test given")
    for item in items:
        if "install" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def tmp_out(tmp_path: Path) -> Path:
    return tmp_path / "out"


@pytest.fixture
def scenario_copy(tmp_path: Path) -> Path:
    """A copy of the shipped scenario tree, for files that ``extends`` a shipped one."""
    return Path(shutil.copytree(SCENARIOS, tmp_path / "scenarios"))


@pytest.fixture
def tree(scenario_copy: Path) -> Path:
    """A copy of the scenario tree with a small AIDA and a small touchpoint management."""
    for name in ("aida_funnel", "touchpoint_management"):
        (scenario_copy / f"small_{name}.yaml").write_text(
            f"extends: {name}.yaml\nname: small_{name}\npopulation: {{size: 1000}}\n"
            "horizon_days: 40\n"
        )
    return scenario_copy
