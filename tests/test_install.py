"""The package installs and runs without any extra, and its layers hold.

The bare-install test builds a fresh virtual environment with ``pip install .``
(no extras) and runs a shipped scenario with the ``touchpoint`` console script and
through ``import sim``, from a folder outside the repository. It runs in CI; skip it
locally with ``pytest --skip-install-test``.
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


@pytest.mark.install
def test_bare_install_runs_a_shipped_scenario(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert install.returncode == 0, install.stderr[-3000:]
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
