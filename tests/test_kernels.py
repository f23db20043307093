"""The compiled kernels are built once per install, not on a first run's first day."""

from __future__ import annotations

import os
import subprocess
import sys

from sim.model import kernels
from tests.conftest import ROOT


def test_an_empty_cache_is_seen_without_building_anything(tmp_path):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    check = "from sim.model import kernels; print(kernels.built())"
    done = subprocess.run(
        [sys.executable, "-c", check], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.stdout.split() == ["False"], done.stderr
    assert not list(tmp_path.rglob("*.nb[ic]"))  # looking compiled nothing


def test_the_install_built_every_kernel():
    """``make install`` runs ``python -m sim.model.kernels``: every kernel is in the cache."""
    assert kernels.built()
