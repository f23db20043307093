"""A run store is bound to the versions of the libraries that can change a number."""

from __future__ import annotations

import json
from importlib import metadata

import pytest

import sim
from sim.analysis.provenance import LIBRARIES
from sim.experiments.store import MANIFEST, RUNS, StoreMismatchError
from tests.conftest import SCENARIOS

TINY = {"population.size": 300, "horizon_days": 20}
GRID = {"sales.reps": [1, 2]}


def runs_listing(out):
    return {p.name: p.read_bytes() for p in sorted((out / RUNS).iterdir())}


@pytest.mark.parametrize("library", ["numpy", "numba"])
def test_store_made_under_other_library_versions_is_not_reused(tmp_out, monkeypatch, library):
    base = sim.load_scenario(SCENARIOS / "touchpoint_management.yaml", TINY)
    first = sim.sweep(base, GRID, workers=1, store=tmp_out)
    recorded = json.loads((tmp_out / RUNS / MANIFEST).read_text())["libraries"]
    assert set(recorded) == set(LIBRARIES) and recorded[library] == metadata.version(library)
    before = runs_listing(tmp_out)

    real = metadata.version
    monkeypatch.setattr(
        metadata, "version", lambda name: "0.0.1" if name == library else real(name)
    )
    with pytest.raises(StoreMismatchError) as caught:
        sim.sweep(base, GRID, workers=1, store=tmp_out)
    message = str(caught.value)
    assert "other libraries" in message and f"{library} {recorded[library]}, now 0.0.1" in message
    assert runs_listing(tmp_out) == before  # nothing reused, nothing discarded

    again = sim.sweep(base, GRID, workers=1, store=tmp_out, fresh=True)
    manifest = json.loads((tmp_out / RUNS / MANIFEST).read_text())
    assert manifest["libraries"][library] == "0.0.1"
    kpis = [c for c in first.columns if c != "seed"]
    assert again[kpis].equals(first[kpis])
