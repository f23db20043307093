"""The one way many runs are done: specs in, one record per spec out, optionally stored.

:func:`run_specs` groups the replications of one scenario into batches (one
model advances them together, see :mod:`sim.model.replicas`), sends each batch
to the engine, gathers the outcomes as they finish, and (with a store) keeps each
finished run as soon as it is back, so an interruption loses only the runs in
flight; specs already in the store, or repeated, are run once. Replication ``r``
of a batch gives exactly the numbers of its run alone, so how runs are grouped
never changes a result. Compare, sweeps and sensitivity analysis all go through it.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from sim.analysis.kpis import INPUT_PREFIX as INPUT
from sim.analysis.kpis import kpi_columns
from sim.analysis.results import simulate_batch
from sim.experiments.engines import completed, executor_for
from sim.experiments.specs import RunSpec
from sim.experiments.store import RunStore, content_hash, finite, run_key
from sim.model.cost import batch_capacity

RETURNED = ("daily", "result", "measured")
"""What a run may send back besides its KPIs: handed to the caller, never stored."""


def run_batch(specs: Sequence[RunSpec]) -> list[dict[str, Any]]:
    """Run specs of one scenario as one batch, in whatever process the engine chose.

    Returns:
        Per spec: ``{"kpis", "undefined", "inputs", "seconds"}`` and, if it asks, ``"daily"``,
        (with a touch log) ``"result"`` and (with a measure) ``"measured"``; ``seconds`` is
        the batch's time shared equally.
    """
    start = time.perf_counter()
    first = specs[0]
    seeds = [s.seed for s in specs]
    scales = [dict(s.budget_scale) for s in specs] if any(s.budget_scale for s in specs) else None
    results = simulate_batch(
        first.scenario,
        seeds,
        touch_log=first.touch_log,
        budget_scales=scales,
        **first.agents.keywords(),
    )
    seconds = (time.perf_counter() - start) / len(specs)
    outcomes = []
    for spec, result in zip(specs, results, strict=True):
        outcome: dict[str, Any] = {
            "kpis": result.kpis,
            "undefined": result.undefined,
            "inputs": result.inputs,
            "seconds": seconds,
        }
        if spec.keep_daily:
            columns = list(spec.daily_columns) or list(result.daily.columns)
            outcome["daily"] = result.daily[columns]
        if spec.touch_log:
            outcome["result"] = result
        if spec.measure is not None:
            outcome["measured"] = spec.measure(result)
        outcomes.append(outcome)
    return outcomes


def batches(specs: Sequence[RunSpec], hashes: Sequence[str] | None = None) -> list[list[int]]:
    """Indices of ``specs`` grouped into batches: same scenario, classes, touch log and budgets.

    Runs that differ only in their channels' budget multiples could share a batch (the model
    takes a multiple per replication), but at the sizes that matter they are slower together:
    a channel off in some replications still looks for its audience in all of them, and one
    off in every replication of a batch costs nothing (``python -m benchmarks.coalitions``).

    At most :data:`~sim.model.cost.BATCH_SIZE` replications and
    :data:`~sim.model.cost.BATCH_ROWS` prospect rows each; ``hashes`` are the specs'
    scenario hashes if known (:func:`scenario_hashes`).

    Runs with custom agent classes run one at a time: their code may draw from
    ``model.rng``, which in a batch belongs to the first replication only. So do runs
    of a scenario with uncertain inputs: each seed draws its own values.
    """
    hashes = scenario_hashes(specs) if hashes is None else hashes
    groups: dict[tuple, list[int]] = {}
    for i, spec in enumerate(specs):
        key = (hashes[i], spec.agents.names(), spec.touch_log, spec.budget_scale)
        groups.setdefault(key, []).append(i)
    out = []
    for members in groups.values():
        first = specs[members[0]]
        size = first.scenario.population.size
        alone = first.agents.custom or bool(first.scenario.uncertainty)
        cap = 1 if alone else batch_capacity(size)
        parts = -(-len(members) // cap)
        out += [list(part) for part in np.array_split(members, parts)]
    return out


def scenario_hashes(specs: Sequence[RunSpec]) -> list[str]:
    """Each spec's scenario content hash, computed once per scenario object.

    A compare of 100,000 replications shares a few scenario objects among 200,000
    specs: hashing each spec's (~0.4 ms) kept the progress bar away for minutes.
    """
    known: dict[int, str] = {}
    for spec in specs:
        if id(spec.scenario) not in known:
            known[id(spec.scenario)] = content_hash(spec.scenario)
    return [known[id(spec.scenario)] for spec in specs]


def run_specs(
    specs: Sequence[RunSpec],
    *,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: bool = True,
    store: str | Path | RunStore | None = None,
) -> list[dict[str, Any]]:
    """Run specs, skipping those already in ``store``; one record per spec, in order.

    Args:
        specs: The runs.
        executor: Where to run them (e.g. a Dask client's executor); else a local pool.
        workers: Size of the local pool (default: the cores; 1 = in this process).
        progress: A progress bar (runs done / total, ETA) on stderr.
        store: A folder or :class:`RunStore` that keeps finished runs (bound already).

    Returns:
        Per spec: ``key``, ``scenario``, ``params``, ``seed``, ``kpis``, ``undefined``,
        ``seconds`` (and ``daily`` where the spec keeps it).
    """
    runs = store if isinstance(store, RunStore) or store is None else RunStore(store)
    hashes = scenario_hashes(specs)
    keys = [
        run_key(
            spec.scenario,
            spec.seed,
            spec.agents.names(),
            scenario_hash=digest,
            budget_scale=spec.budget_scale,
        )
        for spec, digest in zip(specs, hashes, strict=True)
    ]
    for agents in {spec.agents.names(): spec.agents for spec in specs}.values():
        agents.check_portable(workers, executor)
    records = runs.load() if runs is not None else {}
    todo: dict[str, tuple[RunSpec, str]] = {}
    for key, spec, digest in zip(keys, specs, hashes, strict=True):
        if key not in records and key not in todo:
            todo[key] = (spec, digest)
    total = len(set(keys))
    done = total - len(todo)
    if runs is not None and done and progress:
        print(
            f"resuming: {done} of {total} runs already in {runs.runs}; {len(todo)} to run",
            file=sys.stderr,
        )
    if todo:
        pending = list(todo.items())
        groups = batches([spec for _, (spec, _) in pending], [d for _, (_, d) in pending])
        work = [[pending[i][1][0] for i in group] for group in groups]
        bar = tqdm(total=total, initial=done, desc="runs", unit="run", disable=not progress)
        try:
            with (
                executor_for(executor, workers, len(work)) as pool,
                contextlib.closing(completed(work, pool, run_batch)) as results,
            ):
                for b, outcomes in results:
                    for i, outcome in zip(groups[b], outcomes, strict=True):
                        key, (spec, digest) = pending[i]
                        record = _record(key, spec, digest, outcome)
                        if runs is not None:
                            runs.put({k: v for k, v in record.items() if k not in RETURNED})
                        records[key] = record
                    bar.update(len(outcomes))
        finally:
            bar.close()
    return [records[key] for key in keys]


def _record(key: str, spec: RunSpec, digest: str, outcome: dict[str, Any]) -> dict[str, Any]:
    record = {
        "key": key,
        "scenario": spec.label,
        "scenario_hash": digest,
        "params": spec.params,
        "seed": spec.seed,
        "kpis": finite(outcome["kpis"]),
        "undefined": outcome.get("undefined", {}),
        "inputs": outcome.get("inputs", {}),
        "seconds": outcome.get("seconds"),
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    record |= {k: outcome[k] for k in RETURNED if k in outcome}
    return record


def tidy(
    specs: Sequence[RunSpec], records: Sequence[dict[str, Any]], meta: Sequence[dict[str, Any]]
) -> pd.DataFrame:
    """One row per spec: ``param.*``, the meta columns, ``input.*``, then every KPI (floats).

    ``input.<key>`` holds the value a run drew for an uncertain input.
    """
    rows = [
        {
            **{f"param.{k}": v for k, v in spec.params.items()},
            **extra,
            **{f"{INPUT}{k}": v for k, v in record.get("inputs", {}).items()},
            **record["kpis"],
        }
        for spec, record, extra in zip(specs, records, meta, strict=True)
    ]
    frame = pd.DataFrame(rows)
    inputs = [c for c in frame.columns if c.startswith(INPUT)]
    names = kpi_columns(frame.drop(columns=[*meta[0], *inputs] if rows else []))
    for name in names:
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
    first = [c for c in frame.columns if c.startswith("param.")] + list(meta[0]) if rows else []
    return frame[first + inputs + names]


def param_columns(table: pd.DataFrame) -> list[str]:
    """The ``param.<key>`` columns of a tidy table."""
    return [c for c in table.columns if c.startswith("param.")]


def input_columns(table: pd.DataFrame) -> list[str]:
    """The ``input.<key>`` columns of a tidy table: the uncertain inputs' draws."""
    return [c for c in table.columns if c.startswith(INPUT)]
