"""``python -m benchmarks.random_streams``: issue 26's table, today's code against this checkout.

Every figure of the issue's "Measured, in the benchmark" table, on both sides, back to
back on the same machine: *today* is the code before random streams v2 (git ref
``e361414``, checked out with ``git worktree`` into a temporary folder and measured in a
fresh process there, with its own ``sim``, ``benchmarks.measure`` and scenarios), *now*
is this checkout. Each row gives the goal and whether *now* meets it; the command is
printed under the table.

* **Paired ratios** of +1 % levers and **removal half-widths** (95 % CI, 30
  replications): :func:`benchmarks.crn.measure`.
* **Many runs**: ``compare`` of the five shipped strategies × 30 replications at
  10,000 prospects × 365 days on 2 workers, wall seconds
  (:func:`benchmarks.measure.throughput`), after a small compare that builds the
  compiled kernels (a fresh worktree has none cached; an install has them).
* **Against naive Mesa**: agent-steps per second of ours over ``benchmarks/naive_bass.py``
  on the Bass scenario for 30 days, batched and one run
  (:func:`benchmarks.measure.compare_naive`).

The machine may be shared: wall times move with its load (printed), ratios much less.

::

    python -m benchmarks.random_streams                  # the whole table (10 min on 2 cores)
    python -m benchmarks.random_streams --sizes 10000    # without the 1M row
    python -m benchmarks.random_streams --skip-baseline  # this checkout only
    python -m benchmarks.random_streams --quick          # a smoke run: tiny sizes
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import sim
from benchmarks import crn
from benchmarks.bench import MANY_RUNS
from benchmarks.measure import ROOT, compare_naive, log, machine, throughput

FULL = {
    "crn": crn.FULL,
    "compare": {**MANY_RUNS, "workers": 2},
    "naive_days": 30,
    "sizes": (10_000, 1_000_000),
}
"""The issue's sizes: the CRN figures at 10,000 × 365; compare of 30 replications on 2
workers; naive Mesa for 30 days (as ``make bench``) at 10,000 and 1,000,000 prospects."""

QUICK = {
    "crn": {"size": 300, "days": 20, "seeds": 2, "replications": 2},
    "compare": {"replications": 2, "size": 300, "days": 10, "workers": 1},
    "naive_days": 3,
    "sizes": (500,),
}
"""The smoke run's sizes (one worker: a pool's start would cost more than the runs)."""

COMPARE_GOAL_S = 8.0
"""Issue 26: the five strategies × 30 replications at 10k × 365 on 2 workers, at most this."""

NAIVE_GOALS = {("batched", 10_000): 150.0, ("one run", 10_000): 30.0, ("one run", 1_000_000): 300.0}
"""Issue 26: ours over naive Mesa in agent-steps per second, at least this (way, prospects)."""


def measure(settings: dict, log: Callable[[str], None] | None = None) -> dict[str, object]:
    """Every figure of the table on the code this process imports.

    Args:
        settings: ``crn`` (sizes of :func:`benchmarks.crn.measure`), ``compare``
            (``replications``, ``size``, ``days``, ``workers``), ``naive_days`` and
            ``sizes`` (prospects of the naive-Mesa rows).
        log: Called with a line of progress, or None.

    Returns:
        ``code``, ``machine``, ``load`` (1-minute load average before and after),
        ``crn``, ``compare`` (:func:`~benchmarks.measure.throughput`), ``naive`` (one
        :func:`~benchmarks.measure.compare_naive` per size) and ``seconds``.

    Raises:
        RuntimeError: ``sim`` is imported from outside this module's repository (the
            two columns would measure the same code).
    """
    say = log or (lambda _: None)
    if not Path(sim.__file__).resolve().is_relative_to(ROOT):
        raise RuntimeError(f"sim is imported from {sim.__file__}, not from {ROOT}")
    start, load = time.perf_counter(), [os.getloadavg()[0]]
    many = settings["compare"]
    say("building the compiled kernels: a small compare ...")
    throughput(2, 1, 100, 2)
    report: dict[str, object] = {"code": crn.code_version(), "machine": machine()}
    report["crn"] = crn.measure(settings["crn"], log=say)
    say(f"compare: 5 strategies x {many['replications']} on {many['workers']} workers ...")
    wall = throughput(many["replications"], many["workers"], many["size"], many["days"])
    report["compare"] = {**wall, "replications": many["replications"]}
    say(f"  {report['compare']['wall_s']:.1f} s")
    report["naive"] = []
    for n in settings["sizes"]:
        say(f"against naive Mesa: {n:,} prospects, {settings['naive_days']} days ...")
        report["naive"].append(compare_naive(n, settings["naive_days"]))
    report["load"] = [*load, os.getloadavg()[0]]
    report["seconds"] = time.perf_counter() - start
    return report


def measure_ref(ref: str, options: list[str]) -> dict[str, object]:
    """The figures of git ref ``ref``: this module run on its code, in a fresh process.

    The ref may predate this module and :mod:`benchmarks.crn`: copies run in its
    worktree, so both sides are measured alike; ``sim``, ``benchmarks.measure`` and the
    scenarios are the ref's own. Its progress goes to stderr.

    Raises:
        RuntimeError: git cannot check out ``ref``, or the measurement fails.
    """
    with crn.worktree(ref) as tree:
        for module in (crn.__file__, __file__):
            shutil.copy(module, tree / "benchmarks" / Path(module).name)
        saved = tree.parent / "baseline.json"  # in the worktree's temporary folder
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.random_streams", "--skip-baseline"]
            + ["--json", str(saved), *options],
            cwd=tree,
            env={**os.environ, "PYTHONPATH": str(tree)},
            stdout=subprocess.DEVNULL,
        )
        if done.returncode != 0:
            raise RuntimeError(f"the measurement of {ref} failed (exit {done.returncode})")
        report = json.loads(saved.read_text())["now"]
    short = report["code"].split()[0]  # the copies of the benchmark are no change of the ref
    report["code"] = short if ref.startswith(short) else f"{ref} ({short})"
    return report


def format_table(today: dict | None, now: dict, command: str) -> str:
    """The issue's table: today (or "—" when not measured), now, goal, met; the command under it."""
    m = now["machine"]
    paired = now["crn"]["paired"]
    first = next(iter(paired.values()))
    market = f"{now['crn']['scenario']}, {first['prospects']:,} x {first['days']}"
    today_code = today["code"] if today else "not measured"
    sides = "today's code (before the change, in a git worktree) and this checkout back to back"
    lines = [
        f"Random streams v2 (issue 26): {sides if today else 'this checkout only'}, "
        f"on {m['cpu']}, {m['cores']} cores. {_load(today, now)}",
        "The machine may be shared and noisy: wall times move with its load, ratios much "
        "less; prefer the ratios.",
        "",
        f"| figure | today ({today_code}) | now ({now['code']}) | goal | met |",
        "|---|---:|---:|---|---|",
    ]
    for label, row in paired.items():
        before = today and today["crn"]["paired"].get(label, {}).get("ratio")
        ratio = row["ratio"]
        lines.append(
            f"| SD of the paired difference in customers / SD across seeds, +1 % {label} "
            f"({market}, {row['seeds']} seeds) | {_cell(before, '{:.2f}')} | {ratio:.2f} "
            f"| ≤ {crn.PAIRED_GOAL} | {_met(ratio <= crn.PAIRED_GOAL)} |"
        )
    lines += _removal_rows(today, now, market)
    many = now["compare"]
    wall, workers = many["wall_s"], f"{many['workers']} worker{'s' * (many['workers'] > 1)}"
    lines.append(
        f"| `compare` of the {many['runs'] // many['replications']} strategies x "
        f"{many['replications']} replications, {many['prospects']:,} x {many['days']}, "
        f"{workers}: wall "
        f"| {_cell(today and today['compare']['wall_s'], '{:.1f} s')} | {wall:.1f} s "
        f"| ≤ {COMPARE_GOAL_S:g} s | {_met(wall <= COMPARE_GOAL_S)} |"
    )
    lines += _naive_rows(today, now)
    sides = [(side, report) for side, report in (("today", today), ("now", now)) if report]
    lines += [
        "",
        "Wall time of the measurement: "
        + ", ".join(f"{side} {report['seconds']:.0f} s" for side, report in sides),
        "",
        f"`{command}`",
    ]
    return "\n".join(lines)


def _removal_rows(today: dict | None, now: dict, market: str) -> list[str]:
    removal = now["crn"]["removal"]
    rows = []
    for source, figures in removal["sources"].items():
        width = figures["halfwidth"]
        before = today and today["crn"]["removal"]["sources"].get(source, {}).get("halfwidth")
        goal = f"≥ {crn.NARROWER_GOAL:g}× narrower"
        if figures["every_customer"]:
            met = "n/a: every customer is lost without it, the CI is the total's"
        elif before is None:
            met = "— (needs today's)"
        elif width == 0:
            met = f"yes ({before:.1f} → 0)" if before else "n/a: no interval on either side"
        else:
            met = f"{_met(before / width >= crn.NARROWER_GOAL)} ({before / width:.2f}× narrower"
            share = figures["customers"] / removal["customers"] if removal["customers"] else 0
            met += f"; {share:.2%} of the customers lost without it)" if share >= 0.99 else ")"
        rows.append(
            f"| 95 % CI half-width of the customers lost without {source} ({market}, "
            f"{removal['replications']} replications) | {_cell(before, '±{:.1f}')} "
            f"| ±{width:.1f} | {goal} | {met} |"
        )
    return rows


def _naive_rows(today: dict | None, now: dict) -> list[str]:
    old = {row["prospects"]: row for row in today["naive"]} if today else {}
    rows = []
    for row in now["naive"]:
        n = row["prospects"]
        ways = [("batched", "batched_ratio"), ("one run", "ratio")]
        for way, key in ways if row["batch"] > 1 else ways[1:]:
            goal = NAIVE_GOALS.get((way, n))
            ratio = row[key]
            batch = f" ({row['batch']} replications)" if way == "batched" else ""
            rows.append(
                f"| agent-steps/s, ours over naive Mesa, Bass {n:,} x {row['days']} days, "
                f"{way}{batch} | {_cell(old.get(n, {}).get(key), '{:,.0f}×')} | {ratio:,.0f}× "
                f"| {'—' if goal is None else f'≥ {goal:g}×'} "
                f"| {'—' if goal is None else _met(ratio >= goal)} |"
            )
    return rows


def _cell(value: float | None, form: str) -> str:
    return "—" if value is None else form.format(value)


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def _load(today: dict | None, now: dict) -> str:
    sides = (("today", today), ("now", now))
    loads = ", ".join(f"{s} {r['load'][0]:.1f} → {r['load'][1]:.1f}" for s, r in sides if r)
    return f"Load average (1 min) before → after: {loads}."


def build_parser() -> argparse.ArgumentParser:
    """The benchmark's arguments (``python -m benchmarks.random_streams --help``)."""
    cmd = argparse.ArgumentParser(
        prog="python -m benchmarks.random_streams",
        description="Issue 26's table (random streams v2): paired ratios of +1 % levers, "
        "removal effects' CI half-widths, a five-strategy compare's wall time and agent-steps "
        "per second against naive Mesa, measured on a git ref (today) and on this checkout "
        "(now) back to back, with the goals. Prints a Markdown table.",
    )
    baseline = cmd.add_mutually_exclusive_group()
    baseline.add_argument(
        "--baseline",
        default=crn.BASELINE_REF,
        metavar="REF",
        help=f"git ref of today's code (default {crn.BASELINE_REF[:7]}, the old streams)",
    )
    baseline.add_argument("--skip-baseline", action="store_true", help="measure this checkout only")
    cmd.add_argument(
        "--sizes",
        type=_sizes,
        metavar="N,N,...",
        help="prospects of the naive-Mesa rows (default 10000,1000000; 10000 skips the 1M row)",
    )
    cmd.add_argument("--quick", action="store_true", help="a smoke run: tiny sizes, few seeds")
    cmd.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON")
    return cmd


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(s) for s in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected sizes like 10000,1000000; got {text!r}"
        ) from None
    if min(sizes) < 100:
        raise argparse.ArgumentTypeError(f"sizes must be at least 100; got {text!r}")
    return sizes


def main(argv: list[str]) -> int:
    """Run the benchmark with command-line arguments; print the table.

    Bad input (an unknown ref, bad sizes) is one line on stderr and exit status 2,
    before any work.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = dict(QUICK if args.quick else FULL)
    options = ["--quick"] if args.quick else []
    if args.sizes:
        settings["sizes"] = args.sizes
        options += ["--sizes", ",".join(map(str, args.sizes))]
    today = None
    if not args.skip_baseline:
        known = subprocess.run(
            [
                "git",
                "-C",
                str(ROOT),
                "rev-parse",
                "--verify",
                "--quiet",
                f"{args.baseline}^{{commit}}",
            ],
            capture_output=True,
        )
        if known.returncode != 0:
            parser.error(f"--baseline: no commit {args.baseline!r} in {ROOT}")
        log(f"today: {args.baseline} in a git worktree ...")
        today = measure_ref(args.baseline, options)
    log(f"measuring the code in {ROOT} ...")
    now = measure(settings, log=log)
    command = shlex.join(["python", "-m", "benchmarks.random_streams", *argv])
    print(format_table(today, now, command))
    if args.json:
        figures = {"command": command, "today": today, "now": now}
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
