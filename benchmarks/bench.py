"""``python -m benchmarks.bench`` (``make bench``): how fast, on the jobs people run.

Three measurements, printed as Markdown tables (and saved as JSON with ``--json``):

* **Many runs.** ``compare`` of the five shipped strategies, 30 replications each,
  10,000 prospects × 365 days: wall time and runs per second, serial and on two
  worker processes (what strategists, sweeps, calibration and optimisation do).
* **Against naive Mesa.** The Bass scenario (``scenarios/validation/bass.yaml``) run
  by :class:`~benchmarks.naive_bass.NaiveBassModel` (one Python agent per prospect,
  ``shuffle_do``) and by ours, a single run and a batch of replications, for the
  same days; and the full model on the strategy scenario. Speed is agent-steps
  per second of stepping: prospects × days (× replications) / seconds.
* **Scaling.** The strategy scenario for a year at 10k to 10M prospects, each in a
  fresh process so that peak memory is its own: build (population, social graph,
  agents), stepping, end to end (load, build, step, collect KPIs, daily table and
  ledger) and peak RSS; and the social graph built on its own.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from benchmarks.measure import (
    STRATEGY,
    child_result,
    compare_naive,
    log,
    machine,
    throughput,
)
from sim.scenario.errors import InputError
from sim.scenario.loading import load_scenario

SIZES = (10_000, 100_000, 1_000_000)
SCALING_SIZES = (*SIZES, 10_000_000)
QUICK = {"sizes": (2_000, 20_000), "days": 30, "naive_days": 10, "replications": 2}
MANY_RUNS = {"replications": 30, "size": 10_000, "days": 365}


def build_parser() -> argparse.ArgumentParser:
    """The benchmark's arguments (``python -m benchmarks.bench --help``)."""
    cmd = argparse.ArgumentParser(
        prog="python -m benchmarks.bench",
        description="Benchmark: runs per second of a five-strategy compare, agent-steps per "
        "second against a naive Mesa model, and a scaling table (build, stepping, end to end, "
        "peak memory) from 10k to 10M prospects. Prints Markdown tables.",
    )
    cmd.add_argument(
        "--sizes",
        type=_sizes,
        default=SIZES,
        metavar="N,N,...",
        help="sizes of the naive-Mesa comparison (default 10000,100000,1000000)",
    )
    cmd.add_argument(
        "--scaling-sizes",
        type=_sizes,
        default=SCALING_SIZES,
        metavar="N,N,...",
        help="sizes of the scaling runs (default 10000,...,10000000)",
    )
    cmd.add_argument("--days", type=int, default=365, help="days of the scaling runs (default 365)")
    cmd.add_argument(
        "--naive-days",
        type=int,
        default=30,
        help="days both models run in the comparison (default 30; naive Mesa "
        "takes about a second a day at 1M)",
    )
    cmd.add_argument(
        "--replications",
        type=int,
        default=MANY_RUNS["replications"],
        help="replications per strategy in the many-run measurement (default 30)",
    )
    cmd.add_argument(
        "--scenario",
        type=Path,
        default=STRATEGY,
        metavar="FILE",
        help="scenario of the full-model and scaling runs",
    )
    cmd.add_argument("--quick", action="store_true", help="a smoke run: small sizes, few days")
    cmd.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON")
    return cmd


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(s) for s in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected sizes like 10000,100000; got {text!r}"
        ) from None
    if not sizes or min(sizes) < 10:
        raise argparse.ArgumentTypeError(f"sizes must be at least 10; got {text!r}")
    return sizes


def main(argv: list[str]) -> int:
    """Run the benchmark with command-line arguments; print the tables.

    Bad input is one line on stderr and exit status 2, before any work.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        load_scenario(args.scenario)
    except InputError as exc:
        parser.error(str(exc))
    if min(args.days, args.naive_days, args.replications) < 1:
        parser.error("--days, --naive-days and --replications must be at least 1")
    many = {**MANY_RUNS, "replications": args.replications}
    sizes, scaling, days, naive_days = args.sizes, args.scaling_sizes, args.days, args.naive_days
    if args.quick:
        sizes = scaling = QUICK["sizes"]
        days, naive_days = QUICK["days"], QUICK["naive_days"]
        many = {"replications": QUICK["replications"], "size": 2_000, "days": 30}
    report = run_benchmark(sizes, scaling, days, naive_days, many, args.scenario, log=log)
    print(format_report(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


def run_benchmark(
    sizes: tuple[int, ...],
    scaling_sizes: tuple[int, ...],
    days: int,
    naive_days: int,
    many: dict[str, int] = MANY_RUNS,
    scenario: Path = STRATEGY,
    log: object = None,
) -> dict[str, object]:
    """Run the three measurements and return the figures.

    Args:
        sizes: Population sizes of the naive-Mesa comparison.
        scaling_sizes: Population sizes of the scaling runs.
        days: Days of the scaling runs.
        naive_days: Days of the comparison with naive Mesa (both models).
        many: ``replications``, ``size`` and ``days`` of the many-run measurement.
        scenario: The strategy scenario of the full-model and scaling runs.
        log: Called with a line of progress, or None.

    Returns:
        ``{"machine", "many_runs": [...], "comparison": [...], "scaling": [...], "graph"}``.
    """
    say = log or (lambda _: None)
    report: dict[str, object] = {
        "machine": machine(),
        "scenario": str(scenario),
        "days": days,
        "naive_days": naive_days,
        "many_runs": [],
        "comparison": [],
        "scaling": [],
    }
    for workers in (1, 2):
        say(f"compare of 5 strategies x {many['replications']} on {workers} worker(s) ...")
        report["many_runs"].append(throughput(many["replications"], workers, many["size"],
                                              many["days"]))  # fmt: skip
    for n in sizes:
        say(f"comparison at {n:,} prospects, {naive_days} days ...")
        report["comparison"].append(compare_naive(n, naive_days, scenario))
    for n in scaling_sizes:
        say(f"scaling at {n:,} prospects, {days} days ...")
        report["scaling"].append(_in_fresh_process("scale", n=n, days=days, scenario=str(scenario)))
    biggest = max(scaling_sizes)
    say(f"social graph of {biggest:,} nodes ...")
    report["graph"] = _in_fresh_process("graph", n=biggest, scenario=str(scenario))
    return report


def _in_fresh_process(task: str, **kwargs: object) -> dict[str, float]:
    args = ["-m", "benchmarks.measure", task, json.dumps(kwargs)]
    return child_result(args, f"benchmark {task} {kwargs}")


def format_report(report: dict[str, object]) -> str:
    """The figures as Markdown tables."""
    m = report["machine"]
    memory = f", {m['memory_gb']:.0f} GB" if m["memory_gb"] else ""
    first = report["many_runs"][0]
    lines = [
        f"Machine: {m['cpu']}, {m['cores']} cores{memory}; Python {m['python']}, "
        f"numpy {m['numpy']}, Mesa {m['mesa']}",
        "",
        f"Many runs: compare of the five strategies, {first['runs']} runs of "
        f"{first['prospects']:,} prospects x {first['days']} days",
        "",
        "| workers | wall | runs/s |",
        "|---:|---:|---:|",
    ]
    for row in report["many_runs"]:
        lines.append(f"| {row['workers']} | {row['wall_s']:.1f} s | {row['runs_per_s']:.1f} |")
    lines += [
        "",
        f"Against naive Mesa: Bass scenario, {report['naive_days']} days, agent-steps per second "
        "of stepping (prospects x days / s; batched: x replications)",
        "",
        "| prospects | naive Mesa | ours, one run | ratio | ours, batched (R) | ratio "
        "| ours, full model | ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in report["comparison"]:
        lines.append(
            f"| {c['prospects']:,} | {_rate(c['naive_rate'])} | {_rate(c['ours_rate'])} "
            f"| {c['ratio']:,.0f}x | {_rate(c['batched_rate'])} ({c['batch']}) "
            f"| {c['batched_ratio']:,.0f}x | {_rate(c['full_rate'])} | {c['full_ratio']:,.0f}x |"
        )
    lines += [
        "",
        f"Scaling: {Path(report['scenario']).name}, {report['days']} days, one fresh process "
        "per size",
        "",
        "| prospects | build (incl. graph) | stepping | end to end | peak RSS |",
        "|---:|---:|---:|---:|---:|",
    ]
    for s in report["scaling"]:
        lines.append(
            f"| {s['prospects']:,} | {s['build_s']:.2f} s | {s['step_s']:.2f} s "
            f"| {s['end_to_end_s']:.2f} s | {s['peak_rss_gb']:.2f} GB |"
        )
    g = report["graph"]
    lines += [
        "",
        f"Social graph alone: {g['nodes']:,} nodes, mean degree {g['mean_degree']:g} "
        f"({g['ties']:,} directed ties): {g['build_s']:.2f} s",
    ]
    return "\n".join(lines)


def _rate(per_second: float) -> str:
    return f"{per_second / 1e6:,.1f} M/s"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
