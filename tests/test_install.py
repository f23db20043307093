"""The package installs and runs without any extra, and with all of them; its layers hold.

The install tests build one fresh virtual environment with ``pip install .`` (not
editable, no extras) and run a shipped scenario with the ``touchpoint`` console script
and through ``import sim``, from a folder outside the repository; then install
``.[all]`` into it and run the commands on the scenarios and stories the package ships
(its own copy, not the repository's). They run in CI; skip them locally with
``pytest --skip-install-test``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SCENARIOS

EXTRAS_ONLY = ("solara", "SALib", "distributed", "pyarrow")
"""Packages that only the extras install: a bare install must run without them."""


def test_layers_are_kept_by_import_linter():
    """lint-imports: each layer imports only the layers below it; no import cycles."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "2 kept, 0 broken" in result.stdout


@pytest.mark.parametrize("module", ["sim.cli.main", "sim.experiments.runner"])
def test_a_command_or_a_pool_worker_starts_without_scipy_stats(module):
    """Every command, notebook kernel and pool worker imports these modules first:
    ``scipy.stats`` would cost each 0.8 s of CPU, for distributions only an uncertain input
    draws from and intervals computed once a study is done (it is imported where used)."""
    probe = subprocess.run(
        [sys.executable, "-c", f"import sys, {module}; print(sorted(sys.modules))"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert probe.returncode == 0, probe.stderr
    assert "'scipy.stats'" not in probe.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtual environment with ``pip install .`` (bare; the extras test adds them).

    Its pip builds the wheel of ``.`` once, as ``pip install .`` would, into ``wheel/`` next to
    the venv, and installs that; the extras test installs ``touchpoint[all]`` from the same
    wheel, as from a package index, instead of building it again.
    """
    folder = tmp_path_factory.mktemp("install")
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip(venv, "wheel", "--no-deps", "--wheel-dir", str(folder / "wheel"), str(ROOT))
    pip(venv, "install", "--no-compile", str(built_wheel(venv)))
    return venv


def built_wheel(venv: Path) -> Path:
    """The wheel the ``installed`` fixture built for ``venv``."""
    (wheel,) = (venv.parent / "wheel").glob("touchpoint-*.whl")
    return wheel


def pip(venv: Path, *args: str) -> None:
    """Run the throwaway venv's pip; ``--no-compile`` on installs skips byte-compiling every
    module (a third of the time: the modules the commands import compile when first imported)."""
    run = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", *args, "--quiet"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr[-3000:]


def touchpoint(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The installed console script, run from ``cwd`` (outside the repository)."""
    return subprocess.run(
        [str(venv / "bin" / "touchpoint"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.install
def test_bare_install_runs_a_shipped_scenario(installed, tmp_path):
    venv = installed
    python = venv / "bin" / "python"
    missing = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.util, json, sys; "
            f"print(json.dumps([m for m in {list(EXTRAS_ONLY)!r} "
            "if importlib.util.find_spec(m)]))",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(missing.stdout) == [], "a bare install should not bring the extras"

    out = tmp_path / "out"
    run = subprocess.run(
        [
            str(venv / "bin" / "touchpoint"),
            "run",
            str(SCENARIOS / "aida_funnel.yaml"),
            "--set",
            "population.size=500",
            "--set",
            "horizon_days=30",
            "--quiet",
            "--out",
            str(out),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads((out / "summary.json").read_text())["kpis"]["customers"] is not None

    api = subprocess.run(
        [
            str(python),
            "-c",
            "import sim; s = sim.load_scenario("
            f"{str(SCENARIOS / 'touchpoint_management.yaml')!r}, "
            "{'population.size': 400, 'horizon_days': 20}); "
            "print(sim.simulate(s, 1).kpis['customers'], sim.__file__)",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert api.returncode == 0, api.stderr
    assert str(venv) in api.stdout  # the installed package, not the repository's folder

    dashboard = touchpoint(venv, "dashboard", cwd=tmp_path)
    assert dashboard.returncode == 2 and "Traceback" not in dashboard.stderr
    assert dashboard.stderr.splitlines() == [
        'error: the dashboard needs its extras: pip install "touchpoint[dashboard]" '
        '(from a clone: pip install -e ".[dashboard]")'
    ]


@pytest.mark.install
def test_full_install_runs_the_commands_on_what_it_ships(installed, tmp_path):
    """``pip install '.[all]'``: scenarios and stories come from the package, not the clone."""
    venv = installed
    pip(venv, "install", "--no-compile", f"{built_wheel(venv)}[all]")
    folder = touchpoint(venv, "scenarios", "--folder", cwd=tmp_path)
    assert folder.returncode == 0, folder.stderr
    shipped = Path(folder.stdout.strip())
    assert shipped.is_relative_to(venv) and shipped.name == "scenarios"
    listing = touchpoint(venv, "scenarios", cwd=tmp_path).stdout.split()
    assert {"aida_funnel.yaml", "stories/1_aida_vs_touchpoint_management.yaml"} <= set(listing)

    small = ["--set", "population.size=400", "--set", "horizon_days=20", "--quiet"]
    files = [shipped / "aida_funnel.yaml", shipped / "walkthrough" / "aida_cheap_ads.yaml"]
    validate = touchpoint(venv, "validate", *map(str, files), cwd=tmp_path)
    assert validate.returncode == 0, validate.stderr
    assert validate.stdout.count("ok ") == 2

    run = touchpoint(
        venv, "run", str(shipped / "touchpoint_management.yaml"), *small, "--out", "run",
        cwd=tmp_path,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["kpis"]["customers"] >= 0

    compare = touchpoint(
        venv, "compare", *map(str, files), *small, "--replications", "2", "--workers", "1",
        "--out", "compare", cwd=tmp_path,
    )  # fmt: skip
    assert compare.returncode == 0, compare.stderr
    assert (tmp_path / "compare" / "report.html").is_file()

    stories = touchpoint(venv, "dashboard", "--check", cwd=tmp_path)
    assert stories.returncode == 0, stories.stderr
    assert f"6 stories in {shipped / 'stories'}" in stories.stdout
    assert "None" not in stories.stdout + stories.stderr
