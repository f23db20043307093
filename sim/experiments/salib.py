"""Global sensitivity analysis with SALib: Sobol indices and Morris screening.

Sampling and analysis only: :func:`sim.experiments.sensitivity` turns the samples
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

NULL_DRAWS = 19
"""Noise-only outputs analysed per KPI; the floor is their largest index (about a 95th
percentile)."""

COLUMNS = {
    "sobol": ("S1", "S1_conf", "ST", "ST_conf", "S1_noise", "ST_noise"),
    "morris": ("mu", "mu_star", "mu_star_conf", "sigma", "mu_star_noise"),
}
"""The index columns of each method's table, after ``kpi`` and ``param``."""

MAIN = {"sobol": "ST", "morris": "mu_star"}
"""The index compared with the noise floor (``above_noise``)."""


def above_noise(index: float, half_width: float, floor: float) -> bool:
    """Whether an index stands above the seed-noise floor with its whole 95 % interval.

    An index whose interval reaches down to the floor could be seed noise: Sobol
    ``ST = 0.38 ± 0.57`` over a floor of 0.1 is not told apart from it.
    """
    return bool(np.isfinite(floor) and np.isfinite(half_width) and index - half_width > floor)


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
    """Sensitivity indices of each output, their 95% bootstrap intervals and noise floor.

    Each output holds one row per sample and one column per replication (the same
    seeds for every sample); the indices are those of the mean over replications.
    The seed-noise floor is what the same analysis finds in an output made of seed
    noise alone: each sample's replications about their mean, with random signs
    per replication (kept across samples, as the common seeds are), scaled to the
    noise of a mean. Its largest index over :data:`NULL_DRAWS` draws is the floor,
    in the same units as the index (Sobol: a share of the output's variance; Morris:
    the KPI's units). An index at or under its floor cannot be told from seed noise.
    With one replication the noise is not measured: floors are NaN.

    Args:
        spec: The problem (see :func:`problem`).
        method: ``"sobol"`` or ``"morris"``.
        x: The samples, as returned by :func:`sample`.
        outputs: Output name → values, one row per sample row, a column per replication.
        seed: Seed of the bootstrap and of the noise draws.

    Returns:
        One row per output × parameter: ``kpi``, ``param``, the method's columns
        (:data:`COLUMNS`) and ``above_noise``. An output that is undefined in some
        run, or constant over all runs, has no indices: its rows are NaN.
    """
    names = list(spec["names"])
    columns = COLUMNS[method]
    rows = []
    for kpi, values in outputs.items():
        values = np.asarray(values, dtype=float).reshape(len(x), -1)
        y = values.mean(axis=1)
        indices = None
        if np.all(np.isfinite(values)) and np.ptp(y) > 0:
            indices = _indices(spec, method, x, y, seed)
            indices.update(_noise_floor(spec, method, x, values, seed))
        for i, name in enumerate(names):
            row: dict[str, object] = {"kpi": kpi, "param": name}
            for col in columns:
                row[col] = float(indices[col][i]) if indices is not None else np.nan
            main = MAIN[method]
            row["above_noise"] = above_noise(row[main], row[f"{main}_conf"], row[f"{main}_noise"])
            rows.append(row)
    return pd.DataFrame(rows, columns=["kpi", "param", *columns, "above_noise"])


def _noise_floor(
    spec: dict[str, object], method: str, x: np.ndarray, values: np.ndarray, seed: int
) -> dict[str, np.ndarray]:
    """The largest index found in outputs of seed noise alone (see :func:`analyze`)."""
    d = len(spec["names"])
    keys = [c for c in COLUMNS[method] if c.endswith("_noise")]
    reps = values.shape[1]
    if reps < 2:
        return {k: np.full(d, np.nan) for k in keys}
    residuals = values - values.mean(axis=1, keepdims=True)
    rng = np.random.default_rng([seed, 1])
    scale = np.var(values.mean(axis=1))
    floors = {k: np.zeros(d) for k in keys}
    for _ in range(NULL_DRAWS):
        signs = rng.choice([-1.0, 1.0], size=reps)
        while np.all(signs == signs[0]):
            signs = rng.choice([-1.0, 1.0], size=reps)
        mean_sign = signs.mean()
        noise = residuals @ signs / (reps * np.sqrt(1.0 - mean_sign**2))
        if np.ptp(noise) == 0:  # no seed noise at all: nothing to tell apart
            continue
        null = _indices(spec, method, x, noise, seed, resamples=False)
        # Sobol indices are shares of the noise's own variance: rescale to the output's
        share = np.var(noise) / scale if method == "sobol" else 1.0
        for key in keys:
            floors[key] = np.maximum(floors[key], np.abs(null[key.removesuffix("_noise")]) * share)
    return floors


def _indices(
    spec: dict[str, object],
    method: str,
    x: np.ndarray,
    y: np.ndarray,
    seed: int,
    *,
    resamples: bool = True,
) -> dict[str, np.ndarray]:
    bootstrap = {"num_resamples": RESAMPLES if resamples else 2, "conf_level": CONF_LEVEL}
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if method == "sobol":
            from SALib.analyze import sobol

            # SALib reads seed 0 as "unseeded": shift it so every seed repeats exactly
            result = sobol.analyze(spec, y, calc_second_order=False, seed=seed + 1, **bootstrap)
        else:
            from SALib.analyze import morris

            result = morris.analyze(
                spec, x, y, num_levels=MORRIS_LEVELS, seed=seed + 1, **bootstrap
            )
    return {col: np.asarray(result[col], dtype=float) for col in COLUMNS[method] if col in result}
