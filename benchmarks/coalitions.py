"""``python -m benchmarks.coalitions``: how a Shapley study's coalitions are best batched.

A Shapley truth over n channels runs 2ⁿ coalitions of one market, each differing from the
baseline only in which channels spend (a channel off = budget multiple 0,
:mod:`sim.model.budgets`). Three ways to run the same specs, back to back in this process
(``workers=1``), must give identical KPIs; the figures are their times and ratios, measured in
one run (these machines are shared: a ratio travels, a time does not):

* **mixed**: every coalition of a replication in one batch (the model takes a multiple per
  replication): one day's fixed cost for all of them, but a channel off in some
  replications still looks for its audience in all;
* **by coalition** (what the runner does): a batch holds one coalition's replications, and a
  channel off in all of them costs nothing;
* **as scenarios**: each coalition a scenario with its channels disabled.

::

    python -m benchmarks.coalitions            # 64 coalitions x 8 replications, 10,000 x 365
    python -m benchmarks.coalitions --quick    # a smoke run: 2,000 x 90, 2 replications
"""

from __future__ import annotations

import argparse
import itertools
import time

from benchmarks.measure import STRATEGY, log
from sim.analysis.results import simulate_batch
from sim.experiments.runner import run_specs
from sim.experiments.specs import RunSpec, replication_seeds
from sim.model.cost import batch_capacity
from sim.scenario.loading import load_scenario, with_overrides

FULL = {"size": 10_000, "days": 365, "replications": 8}
QUICK = {"size": 2_000, "days": 90, "replications": 2}


def specs(size: int, days: int, replications: int) -> tuple[list[RunSpec], list[RunSpec]]:
    """Every coalition of the market's channels, by budget multiples and as scenarios."""
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


def mixed(specs: list[RunSpec]) -> list[dict]:
    """Each replication's coalitions in batches of the model's capacity, KPIs in spec order."""
    order = sorted(range(len(specs)), key=lambda i: specs[i].replication)
    cap = batch_capacity(specs[0].scenario.population.size)
    kpis: dict[int, dict] = {}
    for start in range(0, len(order), cap):
        part = order[start : start + cap]
        results = simulate_batch(
            specs[0].scenario,
            [specs[i].seed for i in part],
            budget_scales=[dict(specs[i].budget_scale) for i in part],
        )
        kpis |= {i: {"kpis": result.kpis} for i, result in zip(part, results, strict=True)}
    return [kpis[i] for i in range(len(specs))]


def measure(size: int, days: int, replications: int) -> dict[str, object]:
    """Seconds each way, the ratios to the runner's way, and whether every KPI agrees."""
    by_budget, by_scenario = specs(size, days, replications)
    ways = {
        "mixed": lambda: mixed(by_budget),
        "by coalition": lambda: run_specs(by_budget, workers=1, progress=False),
        "as scenarios": lambda: run_specs(by_scenario, workers=1, progress=False),
    }
    seconds, records = {}, {}
    for name, run in ways.items():
        log(f"{len(by_budget)} runs {name} ...")
        start = time.perf_counter()
        records[name] = run()
        seconds[name] = time.perf_counter() - start
    reference = records["as scenarios"]
    same = all(
        other["kpis"][key] == ref["kpis"][key]
        for way in ("mixed", "by coalition")
        for other, ref in zip(records[way], reference, strict=True)
        for key in ref["kpis"]
        if ref["kpis"][key] == ref["kpis"][key]  # NaN: undefined in both
    )
    return {"runs": len(by_budget), "seconds": seconds, "identical": same}


def main() -> None:
    """Measure and print the one line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: tiny market")
    sizes = QUICK if parser.parse_args().quick else FULL
    found = measure(**sizes)
    times = found["seconds"]
    ways = ", ".join(
        f"{name} {seconds:.1f} s ({seconds / times['by coalition']:.2f}x)"
        for name, seconds in times.items()
    )
    print(
        f"{found['runs']} coalition runs of {sizes['size']:,} prospects x {sizes['days']} days, "
        f"one process: {ways}; every KPI identical: {found['identical']}"
    )


if __name__ == "__main__":
    main()
