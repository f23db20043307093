"""Many runs: replications and side-by-side comparisons, on any executor.

Runs are described as :class:`RunSpec` (a scenario, a seed, labels) and executed
by :func:`run_many` on a ``concurrent.futures.Executor``: in this process, a
local process pool, or a Dask cluster's executor; the experiment code does not
care which. Seeds come from ``numpy.random.SeedSequence(seed).spawn``, so the
numbers are identical whatever the engine, the number of workers or their order.
Replication k of every scenario gets the same seed (common random numbers), so
each strategy meets the same prospects.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context

import numpy as np
import pandas as pd
from tqdm import tqdm

from sim.metrics import kpi_columns, paired_difference, summarize
from sim.results import simulate
from sim.scenario import Scenario


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


def default_workers() -> int:
    """The machine's cores."""
    return os.cpu_count() or 1


def local_executor(workers: int | None = None) -> Executor | None:
    """A process pool of ``workers`` (default: the cores), or None to run in-process."""
    workers = default_workers() if workers is None else workers
    if workers <= 1:
        return None
    return ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"))


def run_many(
    specs: Sequence[RunSpec],
    executor: Executor | None = None,
    *,
    progress: bool = True,
    runner: Callable[[RunSpec], RunOutcome] = run_one,
) -> list[RunOutcome]:
    """Run every spec and return the outcomes in the order of ``specs``.

    Args:
        specs: The runs.
        executor: Where to run them; None runs them here, one after another.
        progress: Show a progress bar (runs done / total, ETA) on stderr.
        runner: The function each worker calls (must be importable by workers).
    """
    bar = tqdm(total=len(specs), desc="runs", unit="run", disable=not progress, leave=False)
    outcomes: list[RunOutcome | None] = [None] * len(specs)
    try:
        if executor is None:
            for i, spec in enumerate(specs):
                outcomes[i] = runner(spec)
                bar.update()
        else:
            futures: dict[Future, int] = {executor.submit(runner, s): i for i, s in enumerate(specs)}
            for future in as_completed(futures):
                outcomes[futures[future]] = future.result()
                bar.update()
    finally:
        bar.close()
    return [o for o in outcomes if o is not None]


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
    own = executor is None
    pool = local_executor(workers) if own else executor
    try:
        outcomes = run_many(specs, pool, progress=progress)
    finally:
        if own and pool is not None:
            pool.shutdown()
    kpis = pd.DataFrame([o.row for o in outcomes])
    daily = pd.concat([o.daily for o in outcomes], ignore_index=True)
    return Comparison(kpis, daily, names)
