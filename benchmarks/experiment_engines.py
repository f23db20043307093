"""Speed of the experiment engines: serial, a local process pool, a Dask LocalCluster.

    python benchmarks/experiment_engines.py            # the figures in docs/experiments.md
    python benchmarks/experiment_engines.py --quick    # a smaller check (~1 minute)

1. A 40-run sweep (10 budget levels x 4 replications) serial, on 2 local processes
   and on a Dask LocalCluster of 2 processes, wall time including starting the pool
   or cluster; the three tables must be equal.
2. The overhead per run of each engine: many one-day runs of 100 prospects on an
   engine already started (and warmed up), minus the same runs done serially.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

import pandas as pd

from sim import experiments as experiment
from sim.experiments.runner import run_specs
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
FILE = ROOT / "scenarios" / "touchpoint_management.yaml"


def _timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def sweep_speedup(size: int, days: int, levels: int, replications: int) -> None:
    """Wall time of one sweep on each engine, and whether the tables agree."""
    base = load_scenario(FILE, {"population.size": size, "horizon_days": days})
    grid = {"channels.free_trial.budget": [i * 40000 / (levels - 1) for i in range(levels)]}
    runs = levels * replications
    print(
        f"sweep: {runs} runs of {size} prospects x {days} days; "
        f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    cpu0 = time.process_time()
    serial, t_serial = _timed(
        lambda: experiment.sweep(base, grid, replications, seed=1, workers=1, progress=False)
    )
    cpu_serial = time.process_time() - cpu0
    kids0 = _children_cpu()
    pooled, t_pool = _timed(
        lambda: experiment.sweep(base, grid, replications, seed=1, workers=2, progress=False)
    )
    cpu_workers = _children_cpu() - kids0

    def on_dask() -> pd.DataFrame:
        with experiment.dask_executor("local") as cluster:
            return experiment.sweep(
                base, grid, replications, seed=1, executor=cluster, progress=False
            )

    dasked, t_dask = _timed(on_dask)
    pd.testing.assert_frame_equal(serial, pooled)
    pd.testing.assert_frame_equal(serial, dasked)
    print(f"  serial          {t_serial:7.1f} s  ({t_serial / runs:.2f} s/run)")
    print(f"  2 processes     {t_pool:7.1f} s  speed-up {t_serial / t_pool:.2f}x")
    print(f"  Dask local (2)  {t_dask:7.1f} s  speed-up {t_serial / t_dask:.2f}x")
    print(
        f"  Dask - pool     {(t_dask - t_pool) / runs * 1000:+7.0f} ms per run (startup included)"
    )
    print("  tables equal: serial == 2 processes == Dask")
    print(
        f"  CPU time: serial {cpu_serial:.1f} s; the 2 pool workers {cpu_workers:.1f} s in all "
        f"(startup included) -> on an otherwise idle 2-core machine about "
        f"{cpu_serial / (cpu_workers / 2):.2f}x"
    )
    print(f"  load average after: {os.getloadavg()[0]:.1f}")


def overhead_per_run(runs: int) -> None:
    """Per-run cost of each engine on tiny runs, engines started and warmed up beforehand."""
    base = load_scenario(FILE, {"population.size": 100, "horizon_days": 1})
    specs = [
        experiment.RunSpec(base, s, r, base.name)
        for r, s in enumerate(experiment.replication_seeds(0, runs))
    ]
    run_specs(specs[:4], workers=1, progress=False)
    _, t_serial = _timed(lambda: run_specs(specs, workers=1, progress=False))
    with experiment.engine(workers=2) as pool:
        run_specs(specs[:8], executor=pool, progress=False)
        _, t_pool = _timed(lambda: run_specs(specs, executor=pool, progress=False))
    with experiment.dask_executor("local") as cluster:
        run_specs(specs[:8], executor=cluster, progress=False)
        _, t_dask = _timed(lambda: run_specs(specs, executor=cluster, progress=False))
    ms = 1000 / runs
    print(
        f"overhead: {runs} tiny runs (100 prospects, 1 day), engines warm; "
        f"load average after: {os.getloadavg()[0]:.1f}"
    )
    print(f"  serial          {t_serial * ms:6.1f} ms/run")
    print(f"  2 processes     {t_pool * ms:6.1f} ms/run (wall / runs)")
    print(f"  Dask local (2)  {t_dask * ms:6.1f} ms/run (wall / runs)")
    print(f"  Dask - pool     {(t_dask - t_pool) * ms:+6.1f} ms per run")


def main() -> None:
    """Run both measurements."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs")
    args = parser.parse_args()
    if args.quick:
        sweep_speedup(size=3000, days=120, levels=10, replications=4)
        overhead_per_run(100)
    else:
        sweep_speedup(size=10000, days=365, levels=10, replications=4)
        overhead_per_run(400)


if __name__ == "__main__":
    main()
