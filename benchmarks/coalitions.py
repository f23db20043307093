"""``python -m benchmarks.coalitions``: what batching a Shapley study's coalitions saves.

A Shapley truth over n channels runs 2ⁿ coalitions of the same market. Each coalition
differs from the baseline only in which channels spend, so the runner batches them by
budget multiples (a channel off = multiple 0, :mod:`sim.model.budgets`): one model advances
every coalition of a replication together and pays a simulated day's fixed cost once. The
same runs made the way every other variant is made, as scenarios with the channels
disabled, batch only their own replications.

Both ways run the same specs through the same runner in this process (``workers=1``),
back to back, and must give identical KPIs; the figure is the ratio of their times,
measured in one run (these machines are shared: a ratio travels, a time does not)::

    python -m benchmarks.coalitions            # 64 coalitions x 8 replications, 10,000 x 365
    python -m benchmarks.coalitions --quick    # a smoke run: 2,000 x 90, 2 replications
"""

from __future__ import annotations

import argparse
import itertools
import time

from benchmarks.measure import STRATEGY, log
from sim.experiments.runner import run_specs
from sim.experiments.specs import RunSpec, replication_seeds
from sim.scenario.loading import load_scenario, with_overrides

FULL = {"size": 10_000, "days": 365, "replications": 8}
QUICK = {"size": 2_000, "days": 90, "replications": 2}


def specs(size: int, days: int, replications: int) -> tuple[list[RunSpec], list[RunSpec]]:
    """Every coalition of the market's channels, by budget multiples and by scenarios."""
    market = load_scenario(STRATEGY, {"population.size": size, "horizon_days": days})
    channels = list(market.enabled_channels())
    seeds = replication_seeds(0, replications)
    by_budget, by_scenario = [], []
    for k in range(len(channels) + 1):
        for off in itertools.combinations(channels, k):
            label = "without " + ",".join(off) if off else "all"
            disabled = {f"channels.{c}.enabled": False for c in off}
            alone = with_overrides(market, disabled, market.name) if off else market
            scale = tuple((c, 0.0) for c in off)
            for r, seed in enumerate(seeds):
                by_budget.append(RunSpec(market, seed, r, label, budget_scale=scale))
                by_scenario.append(RunSpec(alone, seed, r, label))
    return by_budget, by_scenario


def measure(size: int, days: int, replications: int) -> dict[str, float]:
    """Seconds each way, their ratio, and whether every shared KPI agrees."""
    by_budget, by_scenario = specs(size, days, replications)
    seconds = {}
    records = {}
    for name, group in (("by budget multiples", by_budget), ("by scenarios", by_scenario)):
        log(f"{len(group)} runs {name} ...")
        start = time.perf_counter()
        records[name] = run_specs(group, workers=1, progress=False)
        seconds[name] = time.perf_counter() - start
    same = all(
        a["kpis"][key] == b["kpis"][key]
        for a, b in zip(records["by budget multiples"], records["by scenarios"], strict=True)
        for key in b["kpis"]
        if key in a["kpis"] and a["kpis"][key] == a["kpis"][key]  # NaN: undefined in both
    )
    return {
        "runs": len(by_budget),
        "batched_seconds": seconds["by budget multiples"],
        "separate_seconds": seconds["by scenarios"],
        "speed_up": seconds["by scenarios"] / seconds["by budget multiples"],
        "identical": same,
    }


def main() -> None:
    """Measure and print the one line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: tiny market")
    sizes = QUICK if parser.parse_args().quick else FULL
    found = measure(**sizes)
    print(
        f"{found['runs']} coalition runs of {sizes['size']:,} prospects x {sizes['days']} days, "
        f"one process: batched by budget multiples {found['batched_seconds']:.1f} s, as "
        f"separate scenarios {found['separate_seconds']:.1f} s: {found['speed_up']:.1f}x; "
        f"every shared KPI identical: {found['identical']}"
    )


if __name__ == "__main__":
    main()
