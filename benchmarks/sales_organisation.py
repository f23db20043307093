"""``python -m benchmarks.sales_organisation``: the speed cost of the sales queue on a calendar.

The five shipped strategies, one batch of ``--replications`` each at 10,000 prospects ×
365 days, in one process per side and round: *before* is the code of the random streams
v2 (git ref ``7064f94``, checked out with ``git worktree`` into a temporary folder, with
its own ``sim`` and scenarios), *now* is this checkout. The sides alternate for
``--rounds`` rounds, so a shared machine's load falls on both; the ratio of their total
wall times is the figure (the goal: at most 1.5). Also one year of the B2B SaaS scenario
(25,000 accounts, SDRs, AEs, a business calendar; this checkout only).

::

    python -m benchmarks.sales_organisation               # 3 rounds of 5 strategies × 10
    python -m benchmarks.sales_organisation --quick       # a smoke run: tiny sizes
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks.crn import worktree
from benchmarks.measure import ROOT, STRATEGIES, child_result

BASELINE = "7064f94"
"""The random streams v2: the code the issue's 1.5× bound is measured against."""


_TIMER = """
import json, sys, time
import sim
from sim.analysis.results import simulate_batch
size, days, replications = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
over = {"population.size": size, "horizon_days": days}
names = sys.argv[4:]
specs = [sim.load_scenario(f"scenarios/{n}.yaml", over) for n in names]
for n in names:  # builds or loads every compiled kernel before the clock starts
    simulate_batch(sim.load_scenario(f"scenarios/{n}.yaml", {**over, "horizon_days": 3}), [0])
start = time.perf_counter()
for spec in specs:
    simulate_batch(spec, list(range(replications)))
print(json.dumps(time.perf_counter() - start))
"""
"""Times batched runs in a fresh process of either side (after building the kernels)."""


def time_side(tree: Path, size: int, days: int, replications: int, names: list[str]) -> float:
    """Seconds for one batch per scenario of ``names`` in the code of ``tree``."""
    args = ["-c", _TIMER, str(size), str(days), str(replications), *names]
    env = {"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"}
    return float(child_result(args, f"timing in {tree}", cwd=tree, env=env))


def main(argv: list[str]) -> int:
    """Print both sides' wall times per round, their ratio, and the B2B scenario's year."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sales_organisation")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    args = parser.parse_args(argv)
    size, days = (300, 10) if args.quick else (10_000, 365)
    rounds = 1 if args.quick else args.rounds
    replications = 2 if args.quick else args.replications
    names = list(STRATEGIES)
    totals = {"before": 0.0, "now": 0.0}
    with worktree(BASELINE) as before:
        for r in range(rounds):
            for side, tree in (("before", before), ("now", ROOT)):
                seconds = time_side(tree, size, days, replications, names)
                totals[side] += seconds
                print(f"round {r + 1}: {side:6s} {seconds:7.1f} s", flush=True)
    ratio = totals["now"] / totals["before"]
    print(
        f"five strategies × {replications} replications, {size:,} prospects × {days} days, "
        f"batched, {rounds} rounds: before ({BASELINE}) {totals['before'] / rounds:.1f} s, "
        f"now {totals['now'] / rounds:.1f} s a round; now / before = {ratio:.2f} (goal ≤ 1.5)"
    )
    b2b_days = 10 if args.quick else 365
    b2b = time_side(ROOT, 2_000 if args.quick else 25_000, b2b_days, 1, ["b2b/saas"])
    print(f"B2B SaaS (scenarios/b2b/saas.yaml), one run of {b2b_days} days: {b2b:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
