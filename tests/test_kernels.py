"""The compiled kernels are built once per install, not on a first run's first day."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT

CHECK = """
from sim.model import kernels
before = kernels.built()
kernels.warm()
print(before, kernels.built())
"""


def test_a_cold_cache_is_seen_and_warming_builds_every_kernel(tmp_path):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]
    # a second process finds them built: nothing to build again
    again = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert again.stdout.split() == ["True", "True"]
