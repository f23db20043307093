"""Parameter sweeps: the full factorial of a grid, with replications, resumable.

::

    import sim
    table = sim.sweep("scenarios/touchpoint_management.yaml",
                      {"channels.free_trial.budget": [0, 10_000, 20_000]},
                      replications=5, workers=2, store="results/my-sweep")
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.kpis import kpi_columns
from sim.analysis.stats import summarize
from sim.experiments.runner import param_columns, run_specs, tidy
from sim.experiments.specs import (
    Agents,
    RunSpec,
    ScenarioLike,
    base_scenario,
    check_count,
    check_seed,
    replication_seeds,
)
from sim.experiments.store import open_store
from sim.scenario.errors import InputError
from sim.scenario.loading import with_overrides
from sim.scenario.paths import coerce, field_value
from sim.scenario.schema import Scenario

SWEEP_KIND = "sweep"
"""The kind of output folder (and store) this produces."""


def sweep(
    scenario: ScenarioLike,
    grid: Mapping[str, Iterable[Any]],
    replications: int = 1,
    seed: int = 0,
    *,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: bool = True,
    store: str | Path | None = None,
    fresh: bool = False,
    model_class: type | None = None,
    **agent_classes: Any,
) -> pd.DataFrame:
    """Run the full factorial of ``grid`` with ``replications`` each; one tidy row per run.

    Args:
        scenario: The base scenario (a Scenario, a YAML file, or a dict).
        grid: Dotted scenario keys (as for ``--set``) → the values to try,
            e.g. ``{"population.size": [1000, 5000], "channels.free_trial.budget": [0, 5e4]}``.
            Values are converted to the field's type (ints for integer fields).
        replications: Runs per grid point; replication k uses the same seed at every point.
        seed: Master seed (``SeedSequence(seed).spawn(replications)``).
        executor: Run on this executor (e.g. from :func:`dask_executor`); else a local pool.
        workers: Size of the local pool (default: the cores; 1 = in this process).
        progress: Progress bar (runs done / total, ETA) on stderr.
        store: An output folder: finished runs are kept in ``store/runs/`` and the ones
            already there are not run again (resume an interrupted sweep).
        fresh: Discard a store made by another model version or base scenario instead
            of refusing it.
        model_class: A custom model class (a :class:`~sim.model.model.JourneyModel`
            subclass).
        **agent_classes: ``channel_class``, ``rep_class``, ``prospect_class``, as
            ``JourneyModel`` takes them. Runs with
            custom classes are not batched; on other processes the classes must be
            importable (defined in a module, not in ``__main__``).

    Returns:
        One row per grid point × replication: ``param.<key>`` columns, ``replication``,
        ``seed`` and every KPI (NaN where undefined), in grid order.

    Raises:
        InputError: An unknown key, a bad value at any point, or a store of another
            model version (before any run starts).
    """
    base, source = base_scenario(scenario)
    check_count("replications", replications)
    check_seed(seed)
    points = grid_points(base, grid, source)
    seeds = replication_seeds(seed, replications)
    agents = Agents.of(model_class, **agent_classes)
    specs = [
        RunSpec(with_overrides(base, point, source), s, r, base.name, point, agents=agents)
        for point in points
        for r, s in enumerate(seeds)
    ]
    runs = open_store(store, base, SWEEP_KIND, fresh)
    records = run_specs(specs, executor=executor, workers=workers, progress=progress, store=runs)
    rows = [{"replication": spec.replication, "seed": spec.seed} for spec in specs]
    return tidy(specs, records, rows)


def grid_points(
    base: Scenario, grid: Mapping[str, Iterable[Any]], source: str = "grid"
) -> list[dict[str, Any]]:
    """The full factorial of ``grid``, values converted to their fields' types.

    The last key varies fastest. Raises InputError for an empty grid, an unknown
    key or an empty list of values.
    """
    if not grid:
        raise InputError(f"{source}: grid: give at least one field and its values")
    known = base.model_dump()
    axes = []
    for key, values in grid.items():
        current = field_value(known, key, f"{source}: grid {key}")
        items = list(values) if _iterable(values) else [values]
        if not items:
            raise InputError(f"{source}: grid {key}: no values")
        axes.append([coerce(v, current) for v in items])
    return [dict(zip(grid, combo, strict=True)) for combo in itertools.product(*axes)]


def sweep_summary(table: pd.DataFrame, kpis: Sequence[str] | None = None) -> pd.DataFrame:
    """Mean and 95% CI over replications of each KPI at each grid point.

    Args:
        table: A tidy table from :func:`sweep`.
        kpis: The KPIs to summarize (default: all).

    Returns:
        One row per grid point × KPI: the ``param.<key>`` columns, ``kpi``, ``mean``,
        ``ci_low``, ``ci_high`` and ``n`` (runs where the KPI is defined).
    """
    names = list(kpis) if kpis is not None else kpi_columns(table)
    return summarize(table, param_columns(table), names)


def _iterable(values: Any) -> bool:
    return isinstance(values, Iterable) and not isinstance(values, str | bytes | Mapping)
