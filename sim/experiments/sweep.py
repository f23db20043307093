"""Parameter sweeps: the full factorial of a grid, with replications, resumable.

::

    import sim
    table = sim.sweep("scenarios/touchpoint_management.yaml",
                      {"channels.free_trial.budget": [0, 10_000, 20_000]},
                      replications=5, workers=2, store="results/my-sweep")

A grid key ``shift.FROM:TO`` moves that much monthly budget from channel FROM to
channel TO, the total held fixed: ``{"shift.search_content:webinar": [0, 2000, 4000]}``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.kpis import kpi_columns, underspent_groups
from sim.analysis.stats import summarize
from sim.experiments.changes import extra_customers, paired_changes
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
        RunSpec(
            with_overrides(base, overrides(base, point), source),
            s,
            r,
            base.name,
            point,
            agents=agents,
        )
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
        items = list(values) if _iterable(values) else [values]
        if not items:
            raise InputError(f"{source}: grid {key}: no values")
        if key.startswith(SHIFT):
            axes.append([_shift_amount(base, key, v, source) for v in items])
            continue
        current = field_value(known, key, f"{source}: grid {key}")
        axes.append([coerce(v, current) for v in items])
    return [dict(zip(grid, combo, strict=True)) for combo in itertools.product(*axes)]


SHIFT = "shift."
"""Grid keys ``shift.FROM:TO``: monthly budget moved from channel FROM to channel TO."""


def overrides(base: Scenario, point: Mapping[str, Any]) -> dict[str, Any]:
    """The scenario fields a grid point sets: a shift sets both channels' budgets."""
    fields: dict[str, Any] = {}
    for key, value in point.items():
        if not key.startswith(SHIFT):
            fields[key] = value
            continue
        giver, taker = _shift_channels(base, key, "grid")
        for name, delta in ((giver, -value), (taker, value)):
            path = f"channels.{name}.budget"
            fields[path] = fields.get(path, base.channels[name].budget) + delta
    return fields


def _shift_channels(base: Scenario, key: str, source: str) -> tuple[str, str]:
    giver, sep, taker = key.removeprefix(SHIFT).partition(":")
    if not sep or giver == taker:
        raise InputError(f"{source}: grid {key}: expected shift.FROM:TO with two channels")
    for name in (giver, taker):
        if name not in base.enabled_channels():
            raise InputError(f"{source}: grid {key}: no enabled channel {name!r}")
    return giver, taker


def _shift_amount(base: Scenario, key: str, value: Any, source: str) -> float:
    """A budget moved (currency per month), checked to leave no budget below zero."""
    giver, taker = _shift_channels(base, key, source)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"{source}: grid {key}: amounts must be finite numbers; got {value!r}")
    for name, left in ((giver, -value), (taker, value)):
        budget = base.channels[name].budget + left
        if budget < 0:
            raise InputError(
                f"{source}: grid {key}: moving {value:g} leaves channels.{name}.budget at "
                f"{budget:g}; amounts must lie within -{base.channels[taker].budget:g} .. "
                f"{base.channels[giver].budget:g}"
            )
    return float(value)


def sweep_summary(
    table: pd.DataFrame,
    kpis: Sequence[str] | None = None,
    baseline: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Mean and 95% CI of each KPI at each grid point, and the paired change to a baseline.

    Args:
        table: A tidy table from :func:`sweep`.
        kpis: The KPIs to summarize (default: all).
        baseline: The grid point to compare against, by key (default: the first point).

    Returns:
        One row per grid point × KPI: the ``param.<key>`` columns, ``kpi``, ``mean``,
        ``ci_low``, ``ci_high``, ``n`` (runs where the KPI is defined), then the
        change against the baseline paired by replication: ``diff``, ``diff_low``,
        ``diff_high``, ``p_value``, ``clear``, ``pairs``.
    """
    names = list(kpis) if kpis is not None else kpi_columns(table)
    params = param_columns(table)
    summary = summarize(table, params, names)
    changes = paired_changes(table, params, baseline_point(table, baseline), names)
    return summary.merge(changes, on=[*params, "kpi"], how="left")


def sweep_warnings(table: pd.DataFrame) -> list[str]:
    """A line per grid point and channel that spent under 95 % of its budget, on average.

    Moving budget into a channel its reach caps leaves the money unspent: the point's
    lower cost is then not a saving.
    """
    return underspent_groups(table, param_columns(table))


def sweep_extra(table: pd.DataFrame, baseline: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Extra customers at each grid point over the baseline, and the cost of each one."""
    params = param_columns(table)
    return extra_customers(table, params, baseline_point(table, baseline))


def baseline_point(table: pd.DataFrame, baseline: Mapping[str, Any] | None) -> tuple:
    """The baseline's values of the ``param.`` columns (default: the first point's)."""
    params = param_columns(table)
    if baseline is None:
        return tuple(table[params].iloc[0])
    missing = [k for k in (p.removeprefix("param.") for p in params) if k not in baseline]
    if missing:
        raise InputError(f"baseline: give a value for {missing[0]}")
    return tuple(baseline[p.removeprefix("param.")] for p in params)


def _iterable(values: Any) -> bool:
    return isinstance(values, Iterable) and not isinstance(values, str | bytes | Mapping)
