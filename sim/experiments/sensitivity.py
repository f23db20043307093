"""Global sensitivity of the KPIs to scenario parameters (Sobol or Morris, with SALib).

::

    import sim
    indices = sim.sensitivity("scenarios/touchpoint_management.yaml",
                              {"handoff.level": (0.4, 0.9), "sales.reps": (1, 6)},
                              method="sobol", samples=64)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.kpis import scenario_kpis
from sim.experiments import salib, specs
from sim.experiments.runner import run_specs, tidy
from sim.experiments.store import open_store
from sim.scenario.errors import InputError, short
from sim.scenario.loading import with_overrides
from sim.scenario.paths import coerce, field_value
from sim.scenario.schema import Scenario

SENSITIVITY_KIND = "sensitivity"
"""The kind of output folder (and store) this produces."""


@dataclass
class SensitivityResult:
    """A sensitivity analysis: the indices and the runs they come from.

    Attributes:
        indices: One row per KPI × parameter (see :func:`sensitivity`).
        runs: One row per model run: ``sample``, ``param.<key>`` columns, ``seed``, KPIs.
        method: ``"sobol"`` or ``"morris"``.
    """

    indices: pd.DataFrame
    runs: pd.DataFrame
    method: str


def sensitivity(
    scenario: specs.ScenarioLike,
    params: Mapping[str, tuple[float, float]],
    method: str = "sobol",
    samples: int = 64,
    seed: int = 0,
    **options: Any,
) -> pd.DataFrame:
    """Global sensitivity of the KPIs to ``params`` (SALib: Sobol or Morris).

    Every sample runs on the same model seed (common random numbers), so the
    indices describe how the parameters move the KPIs, not the noise between seeds.
    Integer fields (e.g. ``population.size``) get the sampled values rounded.

    Args:
        scenario: The base scenario (a Scenario, a YAML file, or a dict).
        params: Dotted scenario keys → ``(low, high)``.
        method: ``"sobol"`` (first-order and total indices; ``samples`` · (D+2) runs,
            ``samples`` a power of 2) or ``"morris"`` (μ*, σ; ``samples`` · (D+1) runs).
        samples: Base samples (Sobol) or trajectories (Morris).
        seed: Seed of the sampler, the bootstrap and (through SeedSequence) the model.
        **options: ``kpis`` (the KPIs to analyse; default all), ``executor`` (run on
            this executor, e.g. from :func:`dask_executor`; else a local pool),
            ``workers`` (size of the local pool; default the cores, 1 = in this
            process), ``progress`` (a bar on stderr), ``store``, ``fresh``: see
            :func:`run_sensitivity`.

    Returns:
        One row per KPI × parameter: ``kpi``, ``param`` and ``S1``, ``S1_conf``, ``ST``,
        ``ST_conf`` (Sobol) or ``mu_star``, ``mu_star_conf``, ``sigma`` (Morris); the
        ``_conf`` columns are half-widths of 95% bootstrap intervals. NaN where a KPI is
        undefined in some run or does not vary.
    """
    return run_sensitivity(scenario, params, method, samples, seed, **options).indices


def run_sensitivity(
    scenario: specs.ScenarioLike,
    params: Mapping[str, tuple[float, float]],
    method: str = "sobol",
    samples: int = 64,
    seed: int = 0,
    *,
    kpis: Sequence[str] | None = None,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: bool = True,
    store: str | Path | None = None,
    fresh: bool = False,
) -> SensitivityResult:
    """:func:`sensitivity`, also handing back the runs, with an optional resumable store.

    ``store`` and ``fresh`` are as for :func:`~sim.experiments.sweep.sweep`.
    """
    base, source = specs.base_scenario(scenario)
    if method not in salib.METHODS:
        raise InputError(f"method: must be sobol or morris; got {method!r}")
    specs.check_count("samples", samples)
    why = salib.check_samples(method, samples)
    if why:
        raise InputError(f"samples: {why}; got {samples}")
    specs.check_seed(seed)
    names = list(kpis) if kpis is not None else scenario_kpis(base)
    unknown = [k for k in names if k not in scenario_kpis(base)]
    if unknown:
        raise InputError(f"kpis: no such KPI {unknown[0]!r}")
    bounds = parameter_bounds(base, params, source)
    problem = salib.problem(bounds)
    x = salib.sample(problem, method, samples, seed)
    known = base.model_dump()
    currents = {key: field_value(known, key, f"{source}: param {key}") for key in bounds}
    run_seed = specs.replication_seeds(seed, 1)[0]
    planned = []
    for row in x:
        point = {
            key: coerce(v, currents[key], rounding=True) for key, v in zip(bounds, row, strict=True)
        }
        planned.append(
            specs.RunSpec(with_overrides(base, point, source), run_seed, 0, base.name, point)
        )
    runs_store = open_store(store, base, SENSITIVITY_KIND, fresh)
    records = run_specs(
        planned, executor=executor, workers=workers, progress=progress, store=runs_store
    )
    runs = tidy(planned, records, [{"sample": i, "seed": run_seed} for i in range(len(planned))])
    outputs = {k: runs[k].to_numpy(dtype=float) for k in names}
    indices = salib.analyze(problem, method, x, outputs, seed)
    return SensitivityResult(indices, runs, method)


def parameter_bounds(
    base: Scenario, params: Mapping[str, tuple[float, float]], source: str = "params"
) -> dict[str, tuple[float, float]]:
    """Check sensitivity ranges: known numeric fields, finite LOW < HIGH, valid at both ends."""
    if not params:
        raise InputError(f"{source}: params: give at least one field and its range")
    known = base.model_dump()
    bounds = {}
    for key, pair in params.items():
        where = f"{source}: param {key}"
        current = field_value(known, key, where)
        if isinstance(current, bool) or not isinstance(current, int | float):
            raise InputError(f"{where}: not a number field; it is {short(current)}")
        try:
            low, high = (float(v) for v in pair)
        except (TypeError, ValueError):
            raise InputError(f"{where}: expected (LOW, HIGH); got {short(pair)}") from None
        if not (math.isfinite(low) and math.isfinite(high)):
            raise InputError(f"{where}: bounds must be finite; got {low}:{high}")
        if low >= high:
            raise InputError(f"{where}: LOW must be below HIGH; got {low:g}:{high:g}")
        for end in (low, high):
            with_overrides(base, {key: coerce(end, current, rounding=True)}, source)
        bounds[key] = (low, high)
    return bounds
