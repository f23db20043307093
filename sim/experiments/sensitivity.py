"""Global sensitivity of the KPIs to scenario parameters (Sobol or Morris, with SALib).

::

    import sim
    indices = sim.sensitivity("scenarios/touchpoint_management.yaml",
                              {"handoff.level": (0.4, 0.9), "sales.reps": (1, 6)},
                              method="sobol", samples=64, replications=5)
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
        runs: One row per model run: ``sample``, ``replication``, ``param.<key>``
            columns, ``seed``, KPIs.
        method: ``"sobol"`` or ``"morris"``.
        replications: Runs per sample (the same seeds for every sample).
    """

    indices: pd.DataFrame
    runs: pd.DataFrame
    method: str
    replications: int = 1

    def warnings(self, kpis: Sequence[str] | None = None) -> list[str]:
        """A line per KPI that cannot be told from seed noise, or that has no indices.

        No indices: the KPI is undefined in some run (e.g. cost of sale with no customers).
        ``kpis``: only these (default: every KPI analysed).
        """
        if self.replications < 2:
            return [
                "one replication per sample: seed noise is not measured, so no index can be "
                "told from it (use 5 or more replications)"
            ]
        lines = []
        for kpi, rows in self.indices.groupby("kpi", sort=False):
            if kpis is not None and kpi not in kpis:
                continue
            main = rows[salib.MAIN[self.method]]
            if main.isna().all() and self.runs[kpi].isna().any():
                lines.append(
                    f"{kpi}: undefined in {int(self.runs[kpi].isna().sum())} runs (e.g. no "
                    "customers), so it has no indices; narrow the ranges that cause it"
                )
            elif main.notna().any() and not rows.above_noise.any():
                lines.append(
                    f"{kpi}: no index above the seed-noise floor; more replications or "
                    "wider ranges may tell the parameters apart"
                )
        return lines


def sensitivity(
    scenario: specs.ScenarioLike,
    params: Mapping[str, tuple[float, float]],
    method: str = "sobol",
    samples: int = 64,
    seed: int = 0,
    replications: int = 5,
    **options: Any,
) -> pd.DataFrame:
    """Global sensitivity of the KPIs to ``params`` (SALib: Sobol or Morris).

    Every sample runs ``replications`` times on the same seeds (common random
    numbers) and the indices are those of the mean. Each index comes with the
    seed-noise floor, the index that seed noise alone produces, and ``above_noise``:
    whether the index stands above it with its whole 95 % interval. Integer fields
    (e.g. ``population.size``) get the sampled values rounded.

    Args:
        scenario: The base scenario (a Scenario, a YAML file, or a dict).
        params: Dotted scenario keys → ``(low, high)``.
        method: ``"sobol"`` (first-order and total indices; ``samples`` · (D+2) runs,
            ``samples`` a power of 2) or ``"morris"`` (μ*, σ; ``samples`` · (D+1) runs).
        samples: Base samples (Sobol) or trajectories (Morris).
        seed: Seed of the sampler, the bootstrap and (through SeedSequence) the model.
        replications: Runs per sample; 2 or more measure the noise floor.
        **options: ``kpis`` (the KPIs to analyse; default all), ``executor`` (run on
            this executor, e.g. from :func:`dask_executor`; else a local pool),
            ``workers`` (size of the local pool; default the cores, 1 = in this
            process), ``progress`` (a bar on stderr), ``store``, ``fresh``,
            ``model_class`` and agent classes: see :func:`run_sensitivity`.

    Returns:
        One row per KPI × parameter: ``kpi``, ``param`` and ``S1``, ``S1_conf``, ``ST``,
        ``ST_conf``, ``S1_noise``, ``ST_noise`` (Sobol) or ``mu`` (signed: does the KPI
        rise or fall with the parameter), ``mu_star``, ``mu_star_conf``, ``sigma``,
        ``mu_star_noise`` (Morris), then ``above_noise``; the ``_conf`` columns are
        half-widths of 95% bootstrap intervals, the ``_noise`` columns the seed-noise
        floors. NaN where a KPI is undefined in some run or does not vary.
    """
    return run_sensitivity(scenario, params, method, samples, seed, replications, **options).indices


def run_sensitivity(
    scenario: specs.ScenarioLike,
    params: Mapping[str, tuple[float, float]],
    method: str = "sobol",
    samples: int = 64,
    seed: int = 0,
    replications: int = 5,
    *,
    kpis: Sequence[str] | None = None,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: bool = True,
    store: str | Path | None = None,
    fresh: bool = False,
    model_class: type | None = None,
    **agent_classes: Any,
) -> SensitivityResult:
    """:func:`sensitivity`, also handing back the runs, with an optional resumable store.

    ``store``, ``fresh``, ``model_class`` and the agent classes are as for
    :func:`~sim.experiments.sweep.sweep`.
    """
    base, source = specs.base_scenario(scenario)
    if method not in salib.METHODS:
        raise InputError(f"method: must be sobol or morris; got {method!r}")
    specs.check_count("samples", samples)
    why = salib.check_samples(method, samples)
    if why:
        raise InputError(f"samples: {why}; got {samples}")
    specs.check_seed(seed)
    specs.check_count("replications", replications)
    names = list(kpis) if kpis is not None else scenario_kpis(base)
    unknown = [k for k in names if k not in scenario_kpis(base)]
    if unknown:
        raise InputError(f"kpis: no such KPI {unknown[0]!r}")
    bounds = parameter_bounds(base, params, source)
    problem = salib.problem(bounds)
    x = salib.sample(problem, method, samples, seed)
    known = base.model_dump()
    currents = {key: field_value(known, key, f"{source}: param {key}") for key in bounds}
    seeds = specs.replication_seeds(seed, replications)
    agents = specs.Agents.of(model_class, **agent_classes)
    planned, meta = [], []
    for i, row in enumerate(x):
        point = {
            key: coerce(v, currents[key], rounding=True) for key, v in zip(bounds, row, strict=True)
        }
        scenario_at = with_overrides(base, point, source)
        for r, run_seed in enumerate(seeds):
            planned.append(specs.RunSpec(scenario_at, run_seed, r, base.name, point, agents=agents))
            meta.append({"sample": i, "replication": r, "seed": run_seed})
    runs_store = open_store(store, base, SENSITIVITY_KIND, fresh)
    records = run_specs(
        planned, executor=executor, workers=workers, progress=progress, store=runs_store
    )
    runs = tidy(planned, records, meta)
    outputs = {k: runs[k].to_numpy(dtype=float).reshape(len(x), replications) for k in names}
    indices = salib.analyze(problem, method, x, outputs, seed)
    return SensitivityResult(indices, runs, method, replications)


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
