"""Measure what a run costs, for the estimates the commands print (``sim.model.cost``).

Each size runs in a fresh process (so its peak memory is its own): the model is
warmed on a tiny market, then one batch (replications advanced together, as the
commands run them) of a shipped scenario is run and timed, and the process's peak
resident memory is read before and after. Prints the figures of every size and the
constants fitted to them (seconds: non-negative least squares on batch-days, run-days,
prospect rows and prospect-days; memory: the most bytes per prospect row of a batch of
100,000 rows or more)::

    .venv/bin/python benchmarks/estimate_costs.py

Copy the constants into :mod:`sim.model.cost` with the command and the date.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = (
    ("touchpoint_management", 2_000, 1, 180),
    ("touchpoint_management", 10_000, 1, 365),
    ("touchpoint_management", 100_000, 1, 180),
    ("touchpoint_management", 1_000_000, 1, 10),
    ("touchpoint_management", 300_000, 1, 365),
    ("touchpoint_management", 10_000, 10, 365),
    ("touchpoint_management", 10_000, 30, 365),
    ("sales_funnel", 100_000, 1, 180),
    ("sales_funnel", 10_000, 10, 365),
    ("aida_funnel", 10_000, 10, 365),
)
"""(shipped scenario, prospects, replications in the batch, days) measured."""


def measure(name: str, prospects: int, replications: int, days: int) -> dict[str, float]:
    """One batch in this process: seconds, peak memory added (bytes), kept daily table."""
    from benchmarks.measure import peak_rss_gb
    from sim.analysis.results import simulate_batch
    from sim.scenario.loading import load_scenario

    path = ROOT / "scenarios" / f"{name}.yaml"
    tiny = load_scenario(path, {"population.size": 200, "horizon_days": 5})
    simulate_batch(tiny, [1, 2])  # loads the compiled kernels
    base = peak_rss_gb() * 1e9
    scenario = load_scenario(path, {"population.size": prospects, "horizon_days": days})
    start = time.perf_counter()
    results = simulate_batch(scenario, list(range(1, replications + 1)))
    seconds = time.perf_counter() - start
    peak = peak_rss_gb() * 1e9
    daily = results[0].daily.memory_usage(deep=True).sum()
    return {
        "scenario": name,
        "prospects": prospects,
        "replications": replications,
        "days": days,
        "seconds": seconds,
        "base_bytes": base,
        "added_bytes": peak - base,
        "daily_bytes_per_day": daily / days,
    }


def process_start(times: int = 3) -> float:
    """Seconds a spawned pool worker takes to import the runner and load the kernels."""
    code = "import sim.experiments.runner, sim.model.kernels as k; k.warm()"
    best = []
    for _ in range(times):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
        best.append(time.perf_counter() - start)
    return min(best)


def main() -> None:
    """Measure every size in its own process and print the fitted constants."""
    rows = []
    for name, prospects, replications, days in SIZES:
        code = (
            "import json, sys; sys.path.insert(0, sys.argv[1]); "
            "from benchmarks.estimate_costs import measure; "
            "print(json.dumps(measure(sys.argv[2], *map(int, sys.argv[3:]))))"
        )
        args = [str(ROOT), name, str(prospects), str(replications), str(days)]
        done = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
        )
        row = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(
            f"{name:>22} {prospects:>9,} prospects x {replications:>2} x {days:>3} days: "
            f"{row['seconds']:6.2f} s, +{row['added_bytes'] / 1e6:7.1f} MB "
            f"(process before: {row['base_bytes'] / 1e6:.0f} MB)"
        )
    import numpy as np
    from scipy.optimize import nnls

    terms = np.array(
        [
            [
                r["days"],
                r["replications"] * r["days"],
                r["prospects"] * r["replications"],
                r["prospects"] * r["replications"] * r["days"],
            ]
            for r in rows
        ],
        dtype=float,
    )
    seconds = np.array([r["seconds"] for r in rows])
    scale = terms.max(axis=0)  # the terms differ by orders of magnitude
    fitted = nnls(terms / scale, seconds)[0] / scale
    per_batch_day, per_run_day, per_row_built, per_prospect_day = fitted
    ratios = terms @ fitted / seconds
    print("fitted / measured seconds:", " ".join(f"{r:.2f}" for r in ratios))
    per_row = max(
        r["added_bytes"] / (r["prospects"] * r["replications"])
        for r in rows
        if r["prospects"] * r["replications"] >= 100_000  # smaller ones: allocator noise
    )
    print(f"SECONDS_PER_BATCH_DAY = {per_batch_day:.3g}")
    print(f"SECONDS_PER_RUN_DAY = {per_run_day:.3g}")
    print(f"SECONDS_PER_PROSPECT = {per_row_built:.3g}")
    print(f"SECONDS_PER_PROSPECT_DAY = {per_prospect_day:.3g}")
    print(f"SECONDS_PER_PROCESS = {process_start():.3g}")
    print(f"BYTES_PER_PROSPECT = {per_row:.3g}")
    print(f"BYTES_PER_PROCESS = {max(r['base_bytes'] for r in rows):.3g}")
    print(f"BYTES_PER_KEPT_DAY = {max(r['daily_bytes_per_day'] for r in rows):.3g}")


if __name__ == "__main__":
    main()
