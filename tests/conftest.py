"""Shared fixtures: small scenarios built from the shipped files."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
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
    """Run ``python run.py ARGS`` in a real process: a fork of this one.

    A fresh interpreter spends 1.5-2 s of CPU importing pandas, Mesa, matplotlib and the
    compiled kernels before a command starts; the ~150 commands of the default run would
    spend minutes on it. The fork starts with them imported, and otherwise as
    ``python run.py`` starts: its own working folder, standard streams on files, Python's
    default warning filters and logging, default signal handlers, ``sys.argv``. How the
    real entry point starts is tested where it matters (the install tests run the
    console script; the interruption tests run ``run.py`` itself).
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        with warnings.catch_warnings():  # pytest-xdist's and -timeout's threads are idle
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # the command, which never returns
            _command_in_this_process(args, cwd, out.fileno(), err.fileno())
        deadline = time.monotonic() + 600
        while not (done := os.waitpid(pid, os.WNOHANG))[0]:
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise subprocess.TimeoutExpired(["run.py", *args], 600)
            time.sleep(0.005)
        texts = []
        for stream in (out, err):
            stream.seek(0)
            texts.append(stream.read().decode("utf-8"))
    code = os.waitstatus_to_exitcode(done[1])
    return subprocess.CompletedProcess(["run.py", *args], code, *texts)


def _command_in_this_process(args: tuple[str, ...], cwd: Path, out: int, err: int) -> None:
    """In a forked child: start as ``python run.py ARGS`` would, run it, exit with its code."""
    code = 1
    try:
        os.chdir(cwd)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(out, 1)
        os.dup2(err, 2)
        sys.stdin = open(0, encoding="utf-8", closefd=False)
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False)
        sys.argv = [str(ROOT / "run.py"), *args]
        for number in (signal.SIGALRM, signal.SIGTERM, signal.SIGPIPE):
            signal.signal(number, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        warnings.resetwarnings()  # Python's defaults, not the test run's "error"
        for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning,
                         ResourceWarning):  # fmt: skip
            warnings.simplefilter("ignore", category)
        warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")
        logging.root.handlers.clear()  # pytest's capture of the log
        logging.root.setLevel(logging.WARNING)
        from sim.cli.main import main

        code = main(list(args))
    except SystemExit as exc:  # argparse's --help and usage errors, as sys.exit reports them
        code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
    except BaseException:  # noqa: BLE001 - as the interpreter would: print it, exit 1
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)


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
