"""``python -m benchmarks.crn``: how much randomness paired runs share (common random numbers).

Every comparison Touchpoint makes is a paired difference on the same prospects, and
its precision depends on how much of the randomness the two runs share. Two figures
say how much, on the touchpoint-management strategy:

* **Paired ratio.** Run the scenario and the scenario with one lever moved by +1 %
  on the same seeds; the SD over seeds of the paired difference in customers won,
  over the SD of the customers across seeds. Near 0: the pair shares its noise and a
  small change is measured precisely; near 1 (or √2 ≈ 1.41, independent runs): the
  change drowns in the noise of a new seed.
* **Removal half-widths.** The 95 % CI half-width of each source's removal effect on
  customers (``sim.attribution``: the players' ``removal_customers_low``/``_high`` in
  ``truth``, the other sources' ``customers_low``/``_high`` in ``others``).

``--baseline REF`` measures the same figures on git ref ``REF`` too (its own code and
scenarios, checked out with ``git worktree`` into a temporary folder and removed after),
back to back with this checkout, and prints one table with both columns::

    python -m benchmarks.crn                       # this checkout
    python -m benchmarks.crn --baseline            # against the last commit on the old streams
    python -m benchmarks.crn --baseline main~3     # against any ref
    python -m benchmarks.crn --quick               # a smoke run: tiny market, few seeds
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

import sim
from benchmarks.measure import ROOT, STRATEGY, log

OUTCOME = "customers"
"""The KPI the pairs are compared on: new customers won over the horizon."""

LEVERS = (
    ("webinar budget", "channels.webinar.budget"),
    ("free-trial budget", "channels.free_trial.budget"),
    ("search budget", "channels.search_content.budget"),
    ("conversation rate", "word_of_mouth.conversation_rate_per_day"),
    ("lead response target", "sales.response_time_hours"),
)
"""The levers moved by +1 %: three channels whose budget binds at 10,000 prospects (they
spend ≥ 97 % of it, so a bigger budget buys more touches), word of mouth and the reps."""

FULL = {"size": 10_000, "days": 365, "seeds": 48, "replications": 30}
"""The full measurement: 48 seeds per paired ratio (≈ 10 s each on the old code); the
attribution's 30 replications, as in the shipped ``truth.csv``."""

QUICK = {"size": 1_000, "days": 60, "seeds": 4, "replications": 3}
"""The smoke run's sizes."""

PAIRED_GOAL = 0.25
"""Issue 26: a paired ratio at most this."""

NARROWER_GOAL = 2.0
"""Issue 26: removal half-widths at least this many times narrower than the baseline's."""

BASELINE_REF = "e361414e0c363758b4471ac16956d47a9f8a9710"
"""The last commit on the old random streams (one generator per replication)."""


def paired_ratio(
    scenario_path: str | Path,
    field: str,
    relative_change: float = 0.01,
    seeds: int = 12,
    size: int = FULL["size"],
    days: int = FULL["days"],
    workers: int = 1,
) -> dict[str, object]:
    """SD of the paired difference in customers over the SD of customers across seeds.

    The scenario and the scenario with ``field`` times ``1 + relative_change`` run with
    ``sim.compare`` (replication k of both on the same seed, so the same prospects).
    Only the public API (``import sim``) is used, so old and new code are measured alike.

    Args:
        scenario_path: The scenario file.
        field: A numeric scenario field, dotted (``channels.webinar.budget``).
        relative_change: How much ``field`` moves (0.01: +1 %).
        seeds: Replications of each side (at least 2).
        size: Prospects in the market.
        days: Days run.
        workers: Local processes (1: in this one, the quickest for two batches).

    Returns:
        ``field``, ``value`` (before the change), ``ratio``, ``sd_difference``,
        ``sd_customers``, ``mean_difference``, ``mean_customers``, ``budget_used`` (for a
        channel's budget: the share of it the base spends; else None), ``prospects``,
        ``days``, ``seeds``, ``seconds``.

    Raises:
        sim.InputError: ``field`` is not a number of the scenario.
    """
    start = time.perf_counter()
    base = sim.load_scenario(scenario_path, {"population.size": size, "horizon_days": days})
    value = field_value(base, field)
    moved = sim.load_scenario(
        scenario_path,
        {
            "population.size": size,
            "horizon_days": days,
            "name": f"{base.name} +{relative_change:.0%} {field}",
            field: value * (1 + relative_change),
        },
    )
    comparison = sim.compare([base, moved], replications=seeds, workers=workers, progress=False)
    runs = comparison.kpis.set_index(["scenario", "replication"])
    before = runs.loc[base.name, OUTCOME].sort_index().to_numpy(float)
    after = runs.loc[moved.name, OUTCOME].sort_index().to_numpy(float)
    difference = after - before
    sd_difference, sd_customers = float(np.std(difference, ddof=1)), float(np.std(before, ddof=1))
    parts = field.split(".")
    used = f"budget_used.{parts[1]}" if parts[0] == "channels" and parts[-1] == "budget" else None
    return {
        "field": field,
        "value": value,
        "ratio": sd_difference / sd_customers if sd_customers > 0 else float("nan"),
        "sd_difference": sd_difference,
        "sd_customers": sd_customers,
        "mean_difference": float(difference.mean()),
        "mean_customers": float(before.mean()),
        "budget_used": float(runs.loc[base.name, used].mean()) if used else None,
        "prospects": size,
        "days": days,
        "seeds": seeds,
        "seconds": time.perf_counter() - start,
    }


def field_value(scenario: sim.Scenario, field: str) -> float:
    """The number at dotted ``field`` of ``scenario``.

    Raises:
        sim.InputError: No such field, or not a number.
    """
    value: object = scenario.model_dump()
    for part in field.split("."):
        if not isinstance(value, dict) or part not in value:
            raise sim.InputError(f"{scenario.name}: {field}: no such field")
        value = value[part]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise sim.InputError(f"{scenario.name}: {field}: expected a number; got {value!r}")
    return float(value)


def removal_halfwidths(
    scenario_path: str | Path,
    replications: int = FULL["replications"],
    size: int = FULL["size"],
    days: int = FULL["days"],
    workers: int | None = None,
) -> dict[str, object]:
    """The 95 % CI half-width of each source's removal effect on customers.

    Args:
        scenario_path: The scenario file.
        replications: Runs per variant of ``sim.attribution``.
        size: Prospects in the market.
        days: Days run.
        workers: Local processes (default: the cores).

    Returns:
        ``sources``: per source (in the truth table's order) ``customers`` (lost without
        it), ``halfwidth`` and ``every_customer`` (whether it loses all: then its interval
        is that of the total, which no pairing narrows); ``customers`` (the baseline's
        mean), ``prospects``, ``days``, ``replications``, ``seconds``.
    """
    start = time.perf_counter()
    scenario = sim.load_scenario(scenario_path, {"population.size": size, "horizon_days": days})
    result = sim.attribution(
        scenario, replications, workers=workers, progress=False, curves=False, holdout_share=0.0
    )
    won = result.interaction["customers"]
    removals = pd.concat(
        [
            result.truth.rename(
                columns={
                    "player": "source",
                    "removal_customers": "lost",
                    "removal_customers_low": "low",
                    "removal_customers_high": "high",
                }
            ),
            result.others.rename(
                columns={"customers": "lost", "customers_low": "low", "customers_high": "high"}
            ),
        ]
    )
    sources = {
        row.source: {
            "customers": float(row.lost),
            "halfwidth": float(row.high - row.low) / 2,
            "every_customer": bool(np.isclose(row.lost, won)),
        }
        for row in removals.itertuples()
    }
    return {
        "sources": sources,
        "customers": won,
        "prospects": size,
        "days": days,
        "replications": replications,
        "seconds": time.perf_counter() - start,
    }


def measure(
    sizes: dict[str, int], scenario: Path = STRATEGY, log: Callable[[str], None] | None = None
) -> dict[str, object]:
    """Every figure on the code this process imports.

    Args:
        sizes: ``size``, ``days``, ``seeds`` (per paired ratio), ``replications`` (removal).
        scenario: The scenario file.
        log: Called with a line of progress, or None.

    Returns:
        ``code`` (the commit measured), ``scenario``, ``paired`` (label → :func:`paired_ratio`)
        and ``removal`` (:func:`removal_halfwidths`).
    """
    say = log or (lambda _: None)
    size, days = sizes["size"], sizes["days"]
    report: dict[str, object] = {"code": code_version(), "scenario": scenario.name, "paired": {}}
    for label, field in LEVERS:
        say(f"paired ratio, +1 % {label}: {sizes['seeds']} seeds of {size:,} x {days} days ...")
        row = paired_ratio(scenario, field, seeds=sizes["seeds"], size=size, days=days)
        report["paired"][label] = row
        say(f"  {row['ratio']:.2f} in {row['seconds']:.1f} s")
    say(f"removal effects: attribution, {sizes['replications']} replications ...")
    report["removal"] = removal_halfwidths(scenario, sizes["replications"], size, days)
    say(f"  in {report['removal']['seconds']:.1f} s")
    return report


def code_version(root: Path = ROOT) -> str:
    """The commit checked out at ``root``, with ``+ changes`` when files differ from it."""
    described = subprocess.run(
        ["git", "-C", str(root), "describe", "--always", "--exclude=*", "--dirty= + changes"],
        capture_output=True,
        text=True,
    )
    return described.stdout.strip() if described.returncode == 0 else "unknown (not in git)"


@contextlib.contextmanager
def worktree(ref: str, root: Path = ROOT) -> Iterator[Path]:
    """``ref`` checked out (detached) into a temporary folder; removed on exit, even on error.

    Raises:
        RuntimeError: git cannot check out ``ref``.
    """
    folder = Path(tempfile.mkdtemp(prefix="crn-baseline-"))
    tree = folder / "tree"
    git = ["git", "-C", str(root)]
    try:
        added = subprocess.run(
            [*git, "worktree", "add", "--detach", str(tree), ref], capture_output=True, text=True
        )
        if added.returncode != 0:
            raise RuntimeError(f"git worktree add {ref}: {added.stderr.strip()}")
        yield tree
    finally:
        subprocess.run([*git, "worktree", "remove", "--force", str(tree)], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run([*git, "worktree", "prune"], capture_output=True)


def measure_ref(ref: str, options: list[str]) -> dict[str, object]:
    """The figures of git ref ``ref``: this module run on its code, in a fresh process.

    The ref may predate this module: a copy runs in its worktree, so both sides are
    measured alike; ``sim``, ``benchmarks.measure`` and the scenarios are the ref's own.
    """
    with worktree(ref) as tree:
        shutil.copy(Path(__file__), tree / "benchmarks" / "crn.py")
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.crn", "--json", *options],
            cwd=tree,
            env={**os.environ, "PYTHONPATH": str(tree)},
            stdout=subprocess.PIPE,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"the measurement of {ref} failed (exit {done.returncode})")
        report = json.loads(done.stdout)
        short = report["code"].split()[0]  # the copy of this module is no change of the ref
        report["code"] = short if ref.startswith(short) else f"{ref} ({short})"
        return report


def format_table(reports: list[dict[str, object]], command: str) -> str:
    """One Markdown table, a column per report (baseline first), and the command under it."""
    first = reports[0]
    columns = [f"this checkout ({reports[-1]['code']})"]
    if len(reports) > 1:
        columns.insert(0, f"baseline ({first['code']})")
    row = next(iter(first["paired"].values()))
    market = f"{row['prospects']:,} x {row['days']}"
    sources = dict.fromkeys(s for r in reports for s in r["removal"]["sources"])
    lines = [
        f"Common random numbers on {first['scenario']}: paired ratio = SD over seeds of the "
        "paired difference in customers / SD of customers across seeds",
        "",
        "| figure | " + " | ".join(columns) + " | goal |",
        "|---|" + "---:|" * len(reports) + "---|",
    ]
    for label in first["paired"]:
        ratios = [r["paired"][label]["ratio"] for r in reports]
        cells = " | ".join(f"{x:.2f}" for x in ratios)
        met = "met" if ratios[-1] <= PAIRED_GOAL else "missed"
        lines.append(
            f"| paired ratio, +1 % {label} ({market}, {row['seeds']} seeds) | {cells} "
            f"| ≤ {PAIRED_GOAL} ({met}) |"
        )
    for source in sources:
        widths = [r["removal"]["sources"].get(source, {}).get("halfwidth") for r in reports]
        cells = " | ".join("—" if w is None else f"±{w:.1f}" for w in widths)
        goal = f"≥ {NARROWER_GOAL:g}× narrower"
        if len(reports) > 1 and widths[0] is not None and widths[-1]:
            narrower = widths[0] / widths[-1]
            met = "met" if narrower >= NARROWER_GOAL else "missed"
            if reports[-1]["removal"]["sources"][source]["every_customer"]:
                met = "n/a: every customer is lost without it, the CI is the total's"
            goal += f": {narrower:.2f}× ({met})"
        lines.append(
            f"| 95 % CI half-width, customers lost without {source} ({market}, "
            f"{first['removal']['replications']} replications) "
            f"| {cells} | {goal} |"
        )
    seconds = [
        sum(r["seconds"] for r in report["paired"].values()) + report["removal"]["seconds"]
        for report in reports
    ]
    lines += [
        "",
        "Wall time: " + ", ".join(f"{c} {s:.0f} s" for c, s in zip(columns, seconds, strict=True)),
        "",
        f"`{command}`",
    ]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    """The benchmark's arguments (``python -m benchmarks.crn --help``)."""
    cmd = argparse.ArgumentParser(
        prog="python -m benchmarks.crn",
        description="Common random numbers: paired ratios for +1 % levers and the removal "
        "effects' CI half-widths on the touchpoint-management strategy, optionally against "
        "a git ref measured back to back. Prints a Markdown table.",
    )
    output = cmd.add_mutually_exclusive_group()
    output.add_argument(
        "--baseline",
        nargs="?",
        const=BASELINE_REF,
        metavar="REF",
        help=f"also measure git ref REF (default {BASELINE_REF[:7]}, the old streams)",
    )
    cmd.add_argument("--size", type=int, help=f"prospects (default {FULL['size']:,})")
    cmd.add_argument("--days", type=int, help=f"days (default {FULL['days']})")
    cmd.add_argument("--seeds", type=int, help=f"seeds per paired ratio (default {FULL['seeds']})")
    cmd.add_argument(
        "--replications", type=int, help=f"removal runs (default {FULL['replications']})"
    )
    cmd.add_argument("--quick", action="store_true", help="a smoke run: tiny market, few seeds")
    output.add_argument("--json", action="store_true", help="print this checkout's figures as JSON")
    return cmd


def main(argv: list[str]) -> int:
    """Run the benchmark with command-line arguments; print the table (or JSON).

    Bad input is one line on stderr and exit status 2, before any work.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    sizes = dict(QUICK if args.quick else FULL)
    options = ["--quick"] if args.quick else []
    for name in sizes:
        given, least = getattr(args, name), 2 if name in ("seeds", "replications") else 1
        if given is not None:
            if given < least:
                parser.error(f"--{name} must be at least {least}; got {given}")
            sizes[name] = given
            options += [f"--{name}", str(given)]
    reports = []
    if args.baseline:
        log(f"baseline: {args.baseline} in a git worktree ...")
        reports.append(measure_ref(args.baseline, options))
    reports.append(measure(sizes, log=log))
    if args.json:
        print(json.dumps(reports[-1], indent=2))
    else:
        print(format_table(reports, shlex.join(["python", "-m", "benchmarks.crn", *argv])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
