"""Global sensitivity analysis with SALib: Sobol indices and Morris screening.

Sampling and analysis only: :func:`sim.experiment.sensitivity` turns the samples
into scenarios, runs them, and hands the KPIs back here. SALib is imported on
first use (it is part of the ``experiments`` extra).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

METHODS = ("sobol", "morris")
MORRIS_LEVELS = 4
RESAMPLES = 100
CONF_LEVEL = 0.95

COLUMNS = {
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
    "morris": ("mu_star", "mu_star_conf", "sigma"),
}
"""The index columns of each method's table, after ``kpi`` and ``param``."""


def problem(params: dict[str, tuple[float, float]]) -> dict[str, object]:
    """SALib's problem definition for parameters given as ``{key: (low, high)}``."""
    return {
        "num_vars": len(params),
        "names": list(params),
        "bounds": [[float(low), float(high)] for low, high in params.values()],
    }


def check_samples(method: str, samples: int) -> str | None:
    """Why ``samples`` does not suit ``method`` (None if it does)."""
    if method == "sobol" and (samples < 2 or samples & (samples - 1)):
        return "Sobol sampling needs a power of 2 (e.g. 64, 128, 256)"
    if method == "morris" and samples < 2:
        return "Morris needs at least 2 trajectories"
    return None


def run_count(method: str, samples: int, dimensions: int) -> int:
    """Model runs needed: N·(D+2) for Sobol (first and total order), N·(D+1) for Morris."""
    return samples * (dimensions + (2 if method == "sobol" else 1))


def sample(spec: dict[str, object], method: str, samples: int, seed: int) -> np.ndarray:
    """The parameter sets to run, one row each (Saltelli/Sobol' or Morris trajectories)."""
    if method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(spec, samples, calc_second_order=False, seed=seed)
    from SALib.sample import morris

    return morris.sample(spec, samples, num_levels=MORRIS_LEVELS, seed=seed)


def analyze(
    spec: dict[str, object],
    method: str,
    x: np.ndarray,
    outputs: dict[str, np.ndarray],
    seed: int,
) -> pd.DataFrame:
    """Sensitivity indices of each output, with their 95% bootstrap confidence intervals.

    An output that is undefined in some run, or constant over all runs, has no
    indices: its rows are NaN.

    Args:
        spec: The problem (see :func:`problem`).
        method: ``"sobol"`` or ``"morris"``.
        x: The samples, as returned by :func:`sample`.
        outputs: Output name → one value per sample row.
        seed: Seed of the bootstrap.

    Returns:
        One row per output × parameter: ``kpi``, ``param`` and the method's columns
        (:data:`COLUMNS`).
    """
    names = list(spec["names"])
    columns = COLUMNS[method]
    rows = []
    for kpi, y in outputs.items():
        y = np.asarray(y, dtype=float)
        indices = None
        if np.all(np.isfinite(y)) and np.ptp(y) > 0:
            indices = _indices(spec, method, x, y, seed)
        for i, name in enumerate(names):
            row: dict[str, object] = {"kpi": kpi, "param": name}
            for col in columns:
                row[col] = float(indices[col][i]) if indices is not None else np.nan
            rows.append(row)
    return pd.DataFrame(rows, columns=["kpi", "param", *columns])


def _indices(
    spec: dict[str, object], method: str, x: np.ndarray, y: np.ndarray, seed: int
) -> dict[str, np.ndarray]:
    bootstrap = {"num_resamples": RESAMPLES, "conf_level": CONF_LEVEL, "seed": seed}
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if method == "sobol":
            from SALib.analyze import sobol

            result = sobol.analyze(spec, y, calc_second_order=False, **bootstrap)
        else:
            from SALib.analyze import morris

            result = morris.analyze(spec, x, y, num_levels=MORRIS_LEVELS, **bootstrap)
    return {col: np.asarray(result[col], dtype=float) for col in COLUMNS[method]}
