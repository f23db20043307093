"""The researchers' notebooks: committed without outputs, and each runs top to bottom."""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
NEEDS_EXTRA = {"08_attribution_and_mmm.ipynb": "mmm"}
"""Notebooks that need an optional extra the test install leaves out: run by a slow test."""


def test_the_eight_notebooks_are_there():
    names = [p.name for p in NOTEBOOKS]
    assert names == [
        "01_quickstart.ipynb",
        "02_seven_touches_times_four.ipynb",
        "03_why_aida_underperforms.ipynb",
        "04_sensitivity.ipynb",
        "05_custom_behaviour.ipynb",
        "06_calibrate.ipynb",
        "07_optimise.ipynb",
        "08_attribution_and_mmm.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path: Path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: strip the outputs before committing"
            assert cell.execution_count is None, f"{path.name}: strip the execution counts"


@pytest.mark.parametrize(
    "path", [p for p in NOTEBOOKS if p.name not in NEEDS_EXTRA], ids=lambda p: p.stem
)
def test_runs_top_to_bottom(path: Path):
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=600,  # calibration (notebook 06) takes about 5 minutes on a 2-core machine
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},  # the kernel works in notebooks/
    )
    start = time.perf_counter()
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    print(f"{path.name}: {time.perf_counter() - start:.1f} s")
    images = sum(
        "image/png" in output.get("data", {})
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
    assert images >= 1, f"{path.name}: drew no plot"
