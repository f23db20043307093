"""Measure what a run costs, for the estimates the commands print (``sim.model.cost``).

Each size runs in a fresh process (so its peak memory is its own): the model is
warmed on a tiny market, then one batch of the sales funnel is run and timed, and
the process's peak resident memory is read before and after. Prints the figures
of every size and the constants fitted to them (seconds: least squares on runs and
prospect-days; memory: the largest market's bytes per prospect)::

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
SCENARIO = ROOT / "scenarios" / "sales_funnel.yaml"
SIZES = ((2_000, 1, 180), (100_000, 1, 180), (1_000_000, 1, 10), (10_000, 8, 180))
"""(prospects, replications in the batch, days) measured."""


def measure(prospects: int, replications: int, days: int) -> dict[str, float]:
    """One batch in this process: seconds, peak memory added (bytes), kept daily table."""
    from benchmarks.measure import peak_rss_gb
    from sim.analysis.results import simulate_batch
    from sim.scenario.loading import load_scenario

    tiny = load_scenario(SCENARIO, {"population.size": 200, "horizon_days": 5})
    simulate_batch(tiny, [1, 2])  # loads the compiled kernels
    base = peak_rss_gb() * 1e9
    scenario = load_scenario(SCENARIO, {"population.size": prospects, "horizon_days": days})
    start = time.perf_counter()
    results = simulate_batch(scenario, list(range(1, replications + 1)))
    seconds = time.perf_counter() - start
    peak = peak_rss_gb() * 1e9
    daily = results[0].daily.memory_usage(deep=True).sum()
    return {
        "prospects": prospects,
        "replications": replications,
        "days": days,
        "seconds": seconds,
        "base_bytes": base,
        "added_bytes": peak - base,
        "daily_bytes_per_day": daily / days,
    }


def main() -> None:
    """Measure every size in its own process and print the fitted constants."""
    rows = []
    for prospects, replications, days in SIZES:
        code = (
            "import json, sys; sys.path.insert(0, sys.argv[1]); "
            "from benchmarks.estimate_costs import measure; "
            "print(json.dumps(measure(*map(int, sys.argv[2:]))))"
        )
        args = [str(ROOT), str(prospects), str(replications), str(days)]
        done = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
        )
        row = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(
            f"{prospects:>9,} prospects x {replications} x {days} days: "
            f"{row['seconds']:6.2f} s, +{row['added_bytes'] / 1e6:7.1f} MB "
            f"(process before: {row['base_bytes'] / 1e6:.0f} MB)"
        )
    import numpy as np

    runs = [r["replications"] for r in rows]
    prospect_days = [r["prospects"] * r["replications"] * r["days"] for r in rows]
    seconds = [r["seconds"] for r in rows]
    (per_run, per_day), *_ = np.linalg.lstsq(np.c_[runs, prospect_days], seconds, rcond=None)
    largest = max(rows, key=lambda r: r["prospects"] * r["replications"])
    per_row = largest["added_bytes"] / (largest["prospects"] * largest["replications"])
    print(f"SECONDS_PER_PROSPECT_DAY = {per_day:.3g}")
    print(f"SECONDS_PER_RUN = {per_run:.3g}")
    print(f"BYTES_PER_PROSPECT = {per_row:.3g}")
    print(f"BYTES_PER_PROCESS = {max(r['base_bytes'] for r in rows):.3g}")
    print(f"BYTES_PER_KEPT_DAY = {max(r['daily_bytes_per_day'] for r in rows):.3g}")


if __name__ == "__main__":
    main()
