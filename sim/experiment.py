"""Many runs: replications, comparisons, sweeps and sensitivity analysis, on any executor.

Runs are described as :class:`RunSpec` (a scenario, a seed, labels) and executed
on a ``concurrent.futures.Executor``: in this process, a local process pool, or a
Dask cluster's executor; the experiment code does not care which. Seeds come from
``numpy.random.SeedSequence(seed).spawn``, so the numbers are identical whatever
the engine, the number of workers or their order. Replication k of every scenario
and of every grid point gets the same seed (common random numbers), so each
strategy or parameter value meets the same prospects.

The researcher's loop::

    from sim import experiment
    table = experiment.sweep("scenarios/touchpoint_management.yaml",
                             {"channels.free_trial.budget": [0, 10_000, 20_000]},
                             replications=5, workers=2, store="results/my-sweep")
    indices = experiment.sensitivity("scenarios/touchpoint_management.yaml",
                                     {"handoff.level": (0.4, 0.9), "sales.reps": (1, 6)},
                                     method="sobol", samples=64)
    with experiment.dask_executor("tcp://scheduler:8786") as cluster:
        table = experiment.sweep(..., executor=cluster)
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from tqdm import tqdm

from sim.metrics import HEADLINE, confidence_interval, kpi_columns, paired_difference, summarize
from sim.results import simulate
from sim.scenario import Scenario, ScenarioError, load_scenario, scenario_from_dict
from sim.store import RunStore, content_hash, finite, run_key

T = TypeVar("T")

ScenarioLike = Scenario | str | Path | Mapping[str, Any]
"""A validated scenario, a scenario file, or a scenario as a dict."""


@dataclass(frozen=True)
class RunSpec:
    """One run to do: a scenario, a seed and the labels it is reported under."""

    scenario: Scenario
    seed: int
    replication: int
    label: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass
class RunOutcome:
    """What a worker sends back: one tidy KPI row and the run's daily table."""

    row: dict[str, object]
    daily: pd.DataFrame


def replication_seeds(seed: int, replications: int) -> list[int]:
    """Independent seeds for ``replications`` runs, derived from one master seed."""
    children = np.random.SeedSequence(seed).spawn(replications)
    return [int(child.generate_state(1, dtype=np.uint32)[0]) for child in children]


def run_one(spec: RunSpec) -> RunOutcome:
    """Run one spec (in whatever process the executor chose)."""
    result = simulate(spec.scenario, spec.seed)
    row: dict[str, object] = {
        "scenario": spec.label,
        "replication": spec.replication,
        "seed": spec.seed,
        **{f"param.{k}": v for k, v in spec.params.items()},
        **result.kpis,
    }
    daily = result.daily.assign(scenario=spec.label, replication=spec.replication)
    return RunOutcome(row, daily)


def run_for_kpis(spec: RunSpec) -> dict[str, Any]:
    """Run one spec and send back only its KPIs (what sweeps and sensitivity keep).

    Returns:
        ``{"kpis": ..., "undefined": ..., "seconds": ...}``: the KPIs, why some are
        undefined, and the run's duration in the worker.
    """
    start = time.perf_counter()
    result = simulate(spec.scenario, spec.seed)
    return {
        "kpis": result.kpis,
        "undefined": result.undefined,
        "seconds": time.perf_counter() - start,
    }


# --- engines -------------------------------------------------------------------------


def default_workers() -> int:
    """The machine's cores."""
    return os.cpu_count() or 1


def _worker_init(parent: int) -> None:
    """Set up a pool worker: Ctrl-C is the parent's to handle, and die with the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # tqdm's default lock is a multiprocessing semaphore: a worker ended mid-run would
    # leak it (and the resource tracker would complain); workers draw no bars anyway.
    tqdm.set_lock(threading.RLock())
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)  # the parent was killed: nobody will collect this worker's results


def local_executor(workers: int | None = None) -> Executor | None:
    """A process pool of ``workers`` (default: the cores), or None to run in-process.

    The workers are spawned (no inherited state), ignore Ctrl-C (the parent stops
    them) and exit by themselves if the parent is killed.
    """
    workers = default_workers() if workers is None else workers
    if workers <= 1:
        return None
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("spawn"),
        initializer=_worker_init,
        initargs=(os.getpid(),),
    )


def _stop_pool(pool: Executor) -> None:
    """Stop a local pool now: drop the queued runs and end the running ones."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    if isinstance(pool, ProcessPoolExecutor):
        pool.shutdown(wait=False, cancel_futures=True)
    else:
        pool.shutdown(wait=False)
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(timeout=5)
    if manager is not None:
        manager.join(timeout=5)  # it sees the ended workers and closes the pool's queues


@contextlib.contextmanager
def engine(
    workers: int | None = None, dask: str | None = None, *, runs: int | None = None
) -> Iterator[Executor | None]:
    """The executor behind ``--workers N`` / ``--dask ADDRESS``, stopped cleanly after use.

    Args:
        workers: Local processes (default: the cores); 1 runs in this process (yields None).
        dask: A Dask scheduler address, or ``"local"`` for a LocalCluster; overrides
            ``workers``.
        runs: Runs to do, if known: no more local processes than that are started.

    On an exception (Ctrl-C included) the queued runs are dropped and running ones
    ended, so the caller regains control at once.
    """
    if dask:
        with dask_executor(dask) as executor:
            yield executor
        return
    if workers is not None and workers < 1:
        raise ScenarioError(f"workers: must be >= 1; got {workers}")
    n = default_workers() if workers is None else workers
    if runs is not None:
        n = min(n, max(runs, 1))
    pool = local_executor(n)
    if pool is None:
        yield None
        return
    try:
        yield pool
    except BaseException:
        _stop_pool(pool)
        raise
    pool.shutdown()


@contextlib.contextmanager
def dask_executor(address: str) -> Iterator[Executor]:
    """An Executor on a Dask cluster, closed on exit.

    Args:
        address: A scheduler address (``tcp://scheduler:8786``), or ``"local"`` to
            start a ``LocalCluster`` of 2 single-threaded worker processes here.

    Workers import ``sim`` themselves: on a real cluster, install the project on
    every worker (``pip install .[dask]``).

    Raises:
        ScenarioError: Dask is not installed, or the scheduler cannot be reached.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ScenarioError(
            f"--dask {address}: Dask is not installed; pip install '.[dask]'"
        ) from None
    cluster = None
    if address == "local":
        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    else:
        try:
            client = Client(address, timeout="15s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise ScenarioError(f"--dask {address}: cannot reach the scheduler ({exc})") from None
    executor = client.get_executor(pure=False)
    try:
        yield executor
    except BaseException:
        executor.shutdown(wait=False)  # cancels what is queued or running
        raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _completed(
    specs: Sequence[RunSpec], executor: Executor | None, runner: Callable[[RunSpec], T]
) -> Iterator[tuple[int, T]]:
    """``(index, outcome)`` of each spec as it finishes; pending runs are cancelled on exit."""
    if executor is None:
        for i, spec in enumerate(specs):
            yield i, runner(spec)
        return
    futures: dict[Future, int] = {executor.submit(runner, s): i for i, s in enumerate(specs)}
    try:
        for future in as_completed(futures):
            yield futures[future], future.result()
    finally:
        for future in futures:
            future.cancel()


def run_many(
    specs: Sequence[RunSpec],
    executor: Executor | None = None,
    *,
    progress: bool = True,
    runner: Callable[[RunSpec], Any] = run_one,
) -> list[Any]:
    """Run every spec and return the outcomes in the order of ``specs``.

    Args:
        specs: The runs.
        executor: Where to run them; None runs them here, one after another.
        progress: Show a progress bar (runs done / total, ETA) on stderr.
        runner: The function each worker calls (must be importable by workers).
    """
    outcomes: list[Any] = [None] * len(specs)
    bar = tqdm(total=len(specs), desc="runs", unit="run", disable=not progress, leave=False)
    try:
        with contextlib.closing(_completed(specs, executor, runner)) as done:
            for i, outcome in done:
                outcomes[i] = outcome
                bar.update()
    finally:
        bar.close()
    return outcomes


# --- comparisons -----------------------------------------------------------------------


@dataclass
class Comparison:
    """Strategies run side by side on common random numbers.

    Attributes:
        kpis: One row per scenario × replication (tidy): scenario, replication, seed, KPIs.
        daily: One row per scenario × replication × day.
        scenarios: The scenario names, baseline first.
    """

    kpis: pd.DataFrame
    daily: pd.DataFrame
    scenarios: list[str]

    def summary(self) -> pd.DataFrame:
        """Mean and 95% CI of every KPI per scenario, with the paired difference to the baseline."""
        table = summarize(self.kpis)
        baseline = self.scenarios[0]
        diffs = []
        for name in self.scenarios:
            for kpi in kpi_columns(self.kpis):
                a = self._values(baseline, kpi)
                b = self._values(name, kpi)
                diffs.append({"scenario": name, "kpi": kpi, **paired_difference(a, b)})
        return table.merge(pd.DataFrame(diffs), on=["scenario", "kpi"])

    def _values(self, scenario: str, kpi: str) -> np.ndarray:
        frame = self.kpis[self.kpis.scenario == scenario].sort_values("replication")
        return pd.to_numeric(frame[kpi], errors="coerce").to_numpy(dtype=float)


def compare(
    scenarios: Iterable[Scenario],
    replications: int = 30,
    seed: int = 0,
    *,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: bool = True,
) -> Comparison:
    """Run each scenario ``replications`` times on the same seeds and compare them.

    Args:
        scenarios: The strategies; the first is the baseline.
        replications: Runs per scenario.
        seed: Master seed; replication k of every scenario uses the same derived seed.
        executor: Run on this executor (e.g. a Dask client's); else a local pool.
        workers: Size of the local pool (default: the cores; 1 = in this process).
        progress: Progress bar on stderr.
    """
    scenarios = list(scenarios)
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ValueError(f"scenario names must differ to be compared; got {names}")
    seeds = replication_seeds(seed, replications)
    specs = [
        RunSpec(scenario, s, r, scenario.name)
        for scenario in scenarios
        for r, s in enumerate(seeds)
    ]
    with _executor(executor, workers, len(specs)) as pool:
        outcomes = run_many(specs, pool, progress=progress)
    kpis = pd.DataFrame([o.row for o in outcomes])
    daily = pd.concat([o.daily for o in outcomes], ignore_index=True)
    return Comparison(kpis, daily, names)


def _executor(
    executor: Executor | None, workers: int | None, runs: int
) -> contextlib.AbstractContextManager[Executor | None]:
    """The caller's executor as is, or a local pool of our own, stopped after use."""
    if executor is not None:
        return contextlib.nullcontext(executor)
    return engine(workers, runs=runs)


# --- sweeps ------------------------------------------------------------------------------


def sweep(
    scenario: ScenarioLike,
    grid: Mapping[str, Iterable[Any]],
    replications: int = 1,
    seed: int = 0,
    *,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: bool = True,
    store: str | Path | RunStore | None = None,
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

    Returns:
        One row per grid point × replication: ``param.<key>`` columns, ``replication``,
        ``seed`` and every KPI (NaN where undefined), in grid order.

    Raises:
        ScenarioError: An unknown key or a bad value (before any run starts).
    """
    base, source = _base_scenario(scenario)
    _check_count("replications", replications)
    _check_seed(seed)
    points = grid_points(base, grid, source)
    seeds = replication_seeds(seed, replications)
    specs = [
        RunSpec(with_params(base, point, source), s, r, base.name, point)
        for point in points
        for r, s in enumerate(seeds)
    ]
    records = run_specs(specs, executor=executor, workers=workers, progress=progress, store=store)
    rows = [{"replication": spec.replication, "seed": spec.seed} for spec in specs]
    return _tidy(specs, records, rows)


def grid_points(
    base: Scenario, grid: Mapping[str, Iterable[Any]], source: str = "grid"
) -> list[dict[str, Any]]:
    """The full factorial of ``grid``, values converted to their fields' types.

    The last key varies fastest. Raises ScenarioError for an empty grid, an unknown
    key or an empty list of values.
    """
    if not grid:
        raise ScenarioError(f"{source}: grid: give at least one KEY and its values")
    known = base.model_dump()
    axes = []
    for key, values in grid.items():
        current = field_value(known, key, source, "grid")
        items = [_plain(v) for v in (values if _iterable(values) else [values])]
        if not items:
            raise ScenarioError(f"{source}: {key} (from --grid): no values")
        axes.append([_coerce(v, current) for v in items])
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
    params = param_columns(table)
    names = list(kpis) if kpis is not None else kpi_names(table)
    rows = []
    for point, frame in table.groupby(params, sort=False, dropna=False):
        point = point if isinstance(point, tuple) else (point,)
        for kpi in names:
            values = pd.to_numeric(frame[kpi], errors="coerce").to_numpy(dtype=float)
            mean, low, high = confidence_interval(values)
            n = int(np.isfinite(values).sum())
            rows.append(
                {
                    **dict(zip(params, point, strict=True)),
                    "kpi": kpi,
                    "mean": mean,
                    "ci_low": low,
                    "ci_high": high,
                    "n": n,
                }
            )
    return pd.DataFrame(rows, columns=[*params, "kpi", "mean", "ci_low", "ci_high", "n"])


# --- sensitivity --------------------------------------------------------------------------


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
    scenario: ScenarioLike,
    params: Mapping[str, tuple[float, float]],
    method: str = "sobol",
    samples: int = 64,
    seed: int = 0,
    *,
    kpis: Sequence[str] | None = None,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: bool = True,
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
        kpis: The KPIs to analyse (default: all).
        executor: Run on this executor (e.g. from :func:`dask_executor`); else a local pool.
        workers: Size of the local pool (default: the cores; 1 = in this process).
        progress: Progress bar on stderr.

    Returns:
        One row per KPI × parameter: ``kpi``, ``param`` and ``S1``, ``S1_conf``, ``ST``,
        ``ST_conf`` (Sobol) or ``mu_star``, ``mu_star_conf``, ``sigma`` (Morris); the
        ``_conf`` columns are half-widths of 95% bootstrap intervals. NaN where a KPI is
        undefined in some run or does not vary.
    """
    result = run_sensitivity(
        scenario,
        params,
        method,
        samples,
        seed,
        kpis=kpis,
        executor=executor,
        workers=workers,
        progress=progress,
    )
    return result.indices


def run_sensitivity(
    scenario: ScenarioLike,
    params: Mapping[str, tuple[float, float]],
    method: str = "sobol",
    samples: int = 64,
    seed: int = 0,
    *,
    kpis: Sequence[str] | None = None,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: bool = True,
    store: str | Path | RunStore | None = None,
) -> SensitivityResult:
    """:func:`sensitivity`, also handing back the runs, with an optional resumable store."""
    from sim import sensitivity as salib

    base, source = _base_scenario(scenario)
    if method not in salib.METHODS:
        raise ScenarioError(f"method: must be sobol or morris; got {method!r}")
    _check_count("samples", samples)
    why = salib.check_samples(method, samples)
    if why:
        raise ScenarioError(f"samples: {why}; got {samples}")
    _check_seed(seed)
    bounds = parameter_bounds(base, params, source)
    problem = salib.problem(bounds)
    x = salib.sample(problem, method, samples, seed)
    known = base.model_dump()
    currents = {key: field_value(known, key, source, "param") for key in bounds}
    run_seed = replication_seeds(seed, 1)[0]
    specs = []
    for row in x:
        point = {
            key: _coerce(_plain(v), currents[key], rounding=True)
            for key, v in zip(bounds, row, strict=True)
        }
        specs.append(
            RunSpec(with_params(base, point, source, "param"), run_seed, 0, base.name, point)
        )
    records = run_specs(specs, executor=executor, workers=workers, progress=progress, store=store)
    runs = _tidy(specs, records, [{"sample": i, "seed": run_seed} for i in range(len(specs))])
    names = kpi_names(runs) if kpis is None else list(kpis)
    missing = [k for k in names if k not in runs.columns]
    if missing:
        raise ScenarioError(f"kpis: no such KPI {missing[0]!r}")
    outputs = {k: runs[k].to_numpy(dtype=float) for k in names}
    indices = salib.analyze(problem, method, x, outputs, seed)
    return SensitivityResult(indices, runs, method)


def parameter_bounds(
    base: Scenario, params: Mapping[str, tuple[float, float]], source: str = "params"
) -> dict[str, tuple[float, float]]:
    """Check sensitivity ranges: known numeric fields, finite LOW < HIGH, valid at both ends."""
    if not params:
        raise ScenarioError(f"{source}: give at least one parameter and its range")
    known = base.model_dump()
    bounds = {}
    for key, pair in params.items():
        current = field_value(known, key, source, "param")
        if isinstance(current, bool) or not isinstance(current, int | float):
            raise ScenarioError(
                f"{source}: {key} (from --param): not a number field; it is {_short(current)}"
            )
        try:
            low, high = (float(v) for v in pair)
        except (TypeError, ValueError):
            raise ScenarioError(
                f"{source}: {key} (from --param): expected (LOW, HIGH); got {_short(pair)}"
            ) from None
        if not (math.isfinite(low) and math.isfinite(high)):
            raise ScenarioError(
                f"{source}: {key} (from --param): bounds must be finite; got {low}:{high}"
            )
        if low >= high:
            raise ScenarioError(
                f"{source}: {key} (from --param): LOW must be below HIGH; got {_num(low)}:{_num(high)}"
            )
        for end in (low, high):
            with_params(base, {key: _coerce(end, current, rounding=True)}, source, "param")
        bounds[key] = (low, high)
    return bounds


# --- running many specs against a store ----------------------------------------------------


def run_specs(
    specs: Sequence[RunSpec],
    *,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: bool = True,
    store: str | Path | RunStore | None = None,
) -> list[dict[str, Any]]:
    """Run specs for their KPIs, skipping those already in ``store``; one record per spec.

    Each finished run is added to the store as soon as it comes back, so an
    interruption loses only the runs in flight. Specs with the same scenario and
    seed are run once.
    """
    runs = store if isinstance(store, RunStore) or store is None else RunStore(store)
    keys = [run_key(spec.scenario, spec.seed) for spec in specs]
    records = runs.load() if runs is not None else {}
    todo: dict[str, RunSpec] = {}
    for key, spec in zip(keys, specs, strict=True):
        if key not in records and key not in todo:
            todo[key] = spec
    total = len(set(keys))
    done = total - len(todo)
    if runs is not None and done and progress:
        print(
            f"resuming: {done} of {total} runs already in {runs.runs}; {len(todo)} to run",
            file=sys.stderr,
        )
    if todo:
        pending = list(todo.items())
        bar = tqdm(
            total=total,
            initial=done,
            desc="runs",
            unit="run",
            disable=not progress,
            dynamic_ncols=True,
        )
        try:
            with (
                _executor(executor, workers, len(pending)) as pool,
                contextlib.closing(
                    _completed([s for _, s in pending], pool, run_for_kpis)
                ) as results,
            ):
                for i, outcome in results:
                    key, spec = pending[i]
                    record = _record(key, spec, outcome)
                    if runs is not None:
                        runs.put(record)
                    records[key] = record
                    bar.update()
        finally:
            bar.close()
    return [records[key] for key in keys]


def _record(key: str, spec: RunSpec, outcome: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": key,
        "scenario": spec.label,
        "scenario_hash": content_hash(spec.scenario),
        "params": spec.params,
        "seed": spec.seed,
        "kpis": finite(outcome["kpis"]),
        "undefined": outcome.get("undefined", {}),
        "seconds": outcome.get("seconds"),
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def _tidy(
    specs: Sequence[RunSpec], records: Sequence[dict[str, Any]], meta: Sequence[dict[str, Any]]
) -> pd.DataFrame:
    """One row per spec: ``param.<key>`` columns, the meta columns, then every KPI."""
    rows, names = [], {}
    for spec, record, extra in zip(specs, records, meta, strict=True):
        kpis = record["kpis"]
        names.update(dict.fromkeys(kpis))
        rows.append({**{f"param.{k}": v for k, v in spec.params.items()}, **extra, **kpis})
    frame = pd.DataFrame(rows)
    ordered = _order_kpis(list(names))
    for name in ordered:
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
    first = [c for c in frame.columns if c.startswith("param.")] + list(meta[0]) if rows else []
    return frame[first + ordered]


def _order_kpis(names: list[str]) -> list[str]:
    head = [k for k in HEADLINE if k in names]
    return head + [k for k in names if k not in head]


def param_columns(table: pd.DataFrame) -> list[str]:
    """The ``param.<key>`` columns of a tidy table."""
    return [c for c in table.columns if c.startswith("param.")]


def kpi_names(table: pd.DataFrame) -> list[str]:
    """The KPI columns of a sweep or sensitivity table, headline KPIs first."""
    meta = {"scenario", "replication", "seed", "run_id", "sample"}
    return _order_kpis([c for c in table.columns if c not in meta and not c.startswith("param.")])


# --- scenario plumbing ----------------------------------------------------------------------


def _base_scenario(scenario: ScenarioLike) -> tuple[Scenario, str]:
    if isinstance(scenario, Scenario):
        return scenario, scenario.name
    if isinstance(scenario, str | Path):
        return load_scenario(scenario), str(scenario)
    if isinstance(scenario, Mapping):
        return scenario_from_dict(dict(scenario)), "<dict>"
    raise TypeError(
        f"scenario: expected a Scenario, a file or a dict; got {type(scenario).__name__}"
    )


def with_params(
    base: Scenario, params: Mapping[str, Any], source: str = "<scenario>", flag: str = "grid"
) -> Scenario:
    """``base`` with dotted overrides applied and validated (as ``--set`` does)."""
    if not params:
        return base
    try:
        return scenario_from_dict(base.model_dump(), source=source, overrides=dict(params))
    except ScenarioError as exc:
        raise ScenarioError(str(exc).replace("(from --set)", f"(from --{flag})")) from None


def field_value(known: dict[str, Any], key: str, source: str, flag: str) -> Any:
    """The current value of a dotted key in a dumped scenario; ScenarioError if no such field."""
    node: Any = known
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise ScenarioError(f"{source}: {key} (from --{flag}): no such field")
        node = node[part]
    if isinstance(node, dict):
        raise ScenarioError(f"{source}: {key} (from --{flag}): is a section, not a field")
    return node


def _coerce(value: Any, current: Any, rounding: bool = False) -> Any:
    """A grid or sampled value in its field's type: ints for int fields, floats for floats."""
    if isinstance(current, bool) or isinstance(value, bool):
        return value
    if isinstance(current, int) and isinstance(value, float):
        if rounding or value.is_integer():
            return int(round(value))
        return value  # not integral: validation names the field and the value
    if isinstance(current, float) and isinstance(value, int):
        return float(value)
    return value


def _plain(value: Any) -> Any:
    """numpy scalars as Python scalars."""
    return value.item() if isinstance(value, np.generic) else value


def _iterable(values: Any) -> bool:
    return isinstance(values, Iterable) and not isinstance(values, str | bytes | Mapping)


def _check_count(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ScenarioError(f"{name}: must be a whole number >= 1; got {_short(value)}")


def _check_seed(seed: int) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ScenarioError(f"seed: must be a whole number >= 0; got {_short(seed)}")


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
