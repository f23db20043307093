"""The researchers' notebooks: committed without outputs, and each runs top to bottom.

Each notebook keeps its sizes (market, replications, samples) in one code cell tagged
``parameters``, holding the full study a reader runs in Jupyter. The default test run executes
every notebook with smaller sizes injected right after that cell (papermill's convention: a cell
tagged ``injected-parameters``), so every cell and every check in it runs in seconds; the slow
run (``pytest -m slow``) executes them at their full sizes.
"""

from __future__ import annotations

import ast
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
QUICK = {
    "01_quickstart": 'SMALL = {"population.size": 2000, "horizon_days": 120}\nREPLICATIONS = 3',
    "02_seven_touches_times_four": "QUALITIES = [0.5, 1.0, 2.0]\nREPLICATIONS = 3",
    "03_why_aida_underperforms": "REPLICATIONS = 4\nWORKERS = 1",
    "04_sensitivity": 'MARKET = {"horizon_days": 182}\nMORRIS_SAMPLES = 6\nSOBOL_SAMPLES = 8\n'
    "SWEEP_REPLICATIONS = 10\nWORKERS = 1",
    "05_custom_behaviour": 'SMALL = {"population.size": 2000, "horizon_days": 120}\n'
    "REPLICATIONS = 3",
    "06_calibrate": 'SMALL = {"population.size": 5000, "horizon_days": 120}\n'
    "SIMULATIONS = 250\nPARTICLES = 20",
    "07_optimise": 'SMALL = {"population.size": 5000, "horizon_days": 120}\nTRIALS = 6\n'
    "REPLICATIONS = 2\nCONFIRM_REPLICATIONS = 2\nFRESH_SEEDS = 4\nWORKERS = 1",
    "08_attribution_and_mmm": 'SMALL = {"population.size": 1000, "horizon_days": 91}\n'
    "REPLICATIONS = 2\nDRAWS = 100\nWORKERS = 1",
}
"""Per notebook: the sizes of the default run, assigned after its ``parameters`` cell."""


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
    assert sorted(QUICK) == [p.stem for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path: Path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: strip the outputs before committing"
            assert cell.execution_count is None, f"{path.name}: strip the execution counts"


def _assigned(source: str) -> set[str]:
    return {
        target.id
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_sizes_live_in_one_parameters_cell(path: Path):
    """The quick run overrides names the notebook really uses: a renamed size fails here."""
    notebook = nbformat.read(path, as_version=4)
    cells = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"{path.name}: tag one code cell 'parameters'"
    assert cells[0].cell_type == "code"
    assert _assigned(QUICK[path.stem]) <= _assigned(cells[0].source), path.name


def execute(path: Path, *, quick: bool, extra: str = "") -> nbformat.NotebookNode:
    """Run a notebook top to bottom in a fresh kernel working in notebooks/; return it run.

    Args:
        path: The notebook.
        quick: Inject the default run's sizes after the ``parameters`` cell.
        extra: Code appended as a last cell (never committed), e.g. to read results back.
    """
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    if quick:
        at = next(
            i for i, c in enumerate(notebook.cells) if "parameters" in c.metadata.get("tags", [])
        )
        injected = nbformat.v4.new_code_cell(QUICK[path.stem])
        injected.metadata["tags"] = ["injected-parameters"]
        notebook.cells.insert(at + 1, injected)
    if extra:
        notebook.cells.append(nbformat.v4.new_code_cell(extra))
    client = NotebookClient(
        notebook,
        timeout=900,  # a cell of the full-size run (calibration) takes minutes on 2 cores
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},  # the kernel works in notebooks/
    )
    start = time.perf_counter()
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    print(f"{path.name}: {time.perf_counter() - start:.1f} s")
    return notebook


def outputs(notebook: nbformat.NotebookNode) -> list[dict]:
    return [out for cell in notebook.cells if cell.cell_type == "code" for out in cell.outputs]


def printed(notebook: nbformat.NotebookNode) -> str:
    return "".join(out.get("text", "") for out in outputs(notebook) if out.output_type == "stream")


def _check_ran(path: Path, notebook: nbformat.NotebookNode) -> None:
    images = sum("image/png" in out.get("data", {}) for out in outputs(notebook))
    assert images >= 1, f"{path.name}: drew no plot"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_runs_top_to_bottom(path: Path):
    notebook = execute(path, quick=True)
    _check_ran(path, notebook)
    if path.stem == "08_attribution_and_mmm":
        _check_mmm_sections(notebook)


def _check_mmm_sections(notebook: nbformat.NotebookNode) -> None:
    """Without the mmm extra notebook 08 says so and runs everything else."""
    try:
        import pymc_marketing  # noqa: F401
    except ModuleNotFoundError:
        text = printed(notebook)
        assert "needs the mmm extra" in text, text
        assert "least wrong:" in text  # the attribution scoreboard ran
    else:
        assert "MMM:" in printed(notebook)  # the fit's diagnostics line


@pytest.mark.slow
@pytest.mark.timeout(3600)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_runs_top_to_bottom_at_full_size(path: Path):
    _check_ran(path, execute(path, quick=False))
