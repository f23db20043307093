"""``python -m benchmarks.multi_year``: multi-year runs and the lifetime run-off at 10k accounts.

Two markets of 10,000 prospects: the B2B SaaS organisation (``scenarios/b2b/saas.yaml``
sampled at 10,000 of its 25,000 accounts: ``population.market_size: 25000``, so its
budgets and teams scale to the sample and every account meets the shipped market) and
the touchpoint-management strategy (``scenarios/touchpoint_management.yaml``). Each is
run for 1, 3 and 5 years as one batch of ``--replications`` replications
(:func:`sim.analysis.results.simulate_batch`), each batch in a fresh process so that
its peak memory is its own. Per replication: the seconds of the whole run, of stepping
the days and of collecting the results (``collect_all``), and of the lifetime run-off
inside the collection (:func:`sim.model.lifetime.lifetimes`: every customer won during
the run who is still a customer, lived on past the horizon by a compiled kernel); the
run-off's share of the run and its cost per customer run off.

The figure that does not depend on the machine is the ratio of a 5-year run to a 1-year
run, measured in one invocation (the goal: about 5 or less, the run's days being 5 times
as many), in wall time and in the process's CPU time: on a shared machine another
process's load lengthens the wall time of whichever batch it falls on, the CPU time much
less. The batches run for ``--rounds`` rounds, the horizons in alternating order, and each
cell keeps its fastest round.

::

    python -m benchmarks.multi_year                  # 1, 3 and 5 years, 3 replications, 3 rounds
    python -m benchmarks.multi_year --json FILE      # the same, keeping the figures as JSON
    python -m benchmarks.multi_year --quick          # a smoke run: 1,000 prospects, 30 and 90 days
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shlex
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from benchmarks.measure import ROOT, child_result, log, peak_rss_gb

MARKETS = {
    "b2b/saas": {"population.size": 10_000, "population.market_size": 25_000},
    "touchpoint_management": {"population.size": 10_000},
}
"""Scenario (under ``scenarios/``) → the overrides that make it a market of 10,000."""

_YEAR = 365
"""Days of a simulated year."""

FULL = {"horizons": (_YEAR, 3 * _YEAR, 5 * _YEAR), "replications": 3, "rounds": 3}
QUICK = {"size": 1_000, "horizons": (30, 90), "replications": 2, "rounds": 1}
"""The smoke run: every market at 1,000 prospects (a B2B sample keeps its market size)."""

_CHILD = """
import json, sys
from benchmarks.multi_year import measure
print(json.dumps(measure(**json.loads(sys.argv[1]))))
"""
"""Runs :func:`measure` in a fresh process and prints its figures as JSON."""


def measure(
    scenario: str, overrides: dict[str, object], days: int, replications: int
) -> dict[str, float]:
    """One batch of ``replications`` runs of ``days`` days in this process, timed.

    The compiled kernels (the days' and the run-off's) are loaded before the clock
    starts. The collection and the run-off are timed by wrapping, for the batch only,
    ``collect_all`` as :func:`~sim.analysis.results.simulate_batch` calls it,
    ``lifetimes`` as the run record calls it and the run-off's kernel ``_lives``.

    Returns:
        Seconds per replication (``run_s``, ``cpu_s`` the process's CPU time of the
        run, ``year_cpu_s`` the CPU time of each whole simulated year's days,
        ``step_s`` = run − collection, building the model included, ``collect_s``,
        ``run_off_s``), the run-off's share of the run, the customers
        run off per replication and the run-off's microseconds per customer, the new
        customers (KPI ``customers``, mean) and the process's peak RSS.
    """
    import sim
    from sim.analysis.results import simulate_batch
    from sim.model.lifetime import new_customers
    from sim.model.model import JourneyModel

    ticks: list[float] = []

    class Clocked(JourneyModel):
        """The model, noting the process's CPU time once built and at the end of every day."""

        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            ticks.append(time.process_time())

        def step(self) -> None:
            super().step()
            ticks.append(time.process_time())

    path = ROOT / "scenarios" / f"{scenario}.yaml"
    spec = sim.load_scenario(path, {**overrides, "horizon_days": days})
    seeds = list(range(replications))
    simulate_batch(sim.load_scenario(path, {**overrides, "horizon_days": 3}), seeds)
    new_customers(spec, np.ones(1, dtype=np.int64), 0)  # loads the run-off's kernel
    with _clocks() as clock:
        start, cpu = time.perf_counter(), time.process_time()
        results = simulate_batch(spec, seeds, model_class=Clocked)
        run, cpu = time.perf_counter() - start, time.process_time() - cpu
    customers = clock["customers"]
    return {
        "scenario": scenario,
        "prospects": spec.population.size,
        "market_size": spec.population.market_size or spec.population.size,
        "days": days,
        "replications": replications,
        "run_s": run / replications,
        "cpu_s": cpu / replications,
        "year_cpu_s": (np.diff(ticks[::_YEAR]) / replications).tolist(),
        "step_s": (run - clock["collect_all"]) / replications,
        "collect_s": clock["collect_all"] / replications,
        "run_off_s": clock["lifetimes"] / replications,
        "run_off_share": clock["lifetimes"] / run,
        "customers_run_off": customers / replications,
        "run_off_us_per_customer": 1e6 * clock["lifetimes"] / customers if customers else None,
        "kernel_us_per_customer": 1e6 * clock["_lives"] / customers if customers else None,
        "customers": float(np.mean([r.kpis["customers"] for r in results])),
        "peak_rss_gb": peak_rss_gb(),
    }


@contextlib.contextmanager
def _clocks() -> Iterator[dict[str, float]]:
    """Seconds spent in the collection, the run-off and its kernel, and customers run off."""
    import sim.analysis.kpis.record as record
    import sim.analysis.results as results
    import sim.model.lifetime as lifetime

    clock = {"collect_all": 0.0, "lifetimes": 0.0, "_lives": 0.0, "customers": 0}
    places = ((results, "collect_all"), (record, "lifetimes"), (lifetime, "_lives"))
    originals = [getattr(module, name) for module, name in places]

    def timed(name: str, work: Callable) -> Callable:
        def call(*args: object) -> object:
            start = time.perf_counter()
            try:
                return work(*args)
            finally:
                clock[name] += time.perf_counter() - start
                if name == "_lives":
                    clock["customers"] += len(args[0])

        return call

    for (module, name), work in zip(places, originals, strict=True):
        setattr(module, name, timed(name, work))
    try:
        yield clock
    finally:
        for (module, name), work in zip(places, originals, strict=True):
            setattr(module, name, work)


def in_fresh_process(scenario: str, overrides: dict, days: int, replications: int) -> dict:
    """:func:`measure` in a fresh process (its own peak memory)."""
    kwargs = {"scenario": scenario, "overrides": overrides, "days": days}
    child = json.dumps({**kwargs, "replications": replications})
    return child_result(["-c", _CHILD, child], f"benchmark {kwargs}")


def run_benchmark(
    markets: dict[str, dict[str, object]],
    horizons: tuple[int, ...],
    replications: int,
    rounds: int,
    log: Callable[[str], None] | None = None,
) -> list[dict[str, float]]:
    """Every market at every horizon, ``rounds`` times; each cell's fastest round."""
    say = log or (lambda _: None)
    best: dict[tuple[str, int], dict[str, float]] = {}
    for r in range(rounds):
        order = horizons if r % 2 == 0 else horizons[::-1]
        for scenario, overrides in markets.items():
            for days in order:
                say(f"round {r + 1}: {scenario}, {days} days x {replications} replications ...")
                row = in_fresh_process(scenario, overrides, days, replications)
                kept = best.get((scenario, days))
                if kept is None or row["run_s"] < kept["run_s"]:
                    best[(scenario, days)] = row
    return [best[(scenario, days)] for scenario in markets for days in horizons]


def ratios(rows: list[dict[str, float]], figure: str = "run_s") -> dict[str, float]:
    """Scenario → ``figure`` (seconds per replication) of its longest horizon over its shortest."""
    by: dict[str, list[float]] = {}
    for row in sorted(rows, key=lambda r: r["days"]):
        by.setdefault(row["scenario"], []).append(row[figure])
    return {name: seconds[-1] / seconds[0] for name, seconds in by.items()}


def format_table(rows: list[dict[str, float]], command: str) -> str:
    """The figures as a Markdown table, the longest / shortest ratios and the command."""
    first = rows[0]
    lines = [
        f"Multi-year runs: a batch of {first['replications']} replications per row, "
        "seconds per replication (each batch in a fresh process)",
        "",
        "| scenario | accounts | horizon | run | CPU | stepping | collect | run-off "
        "| run-off share | run-off per customer | customers run off | peak RSS |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        accounts = f"{row['prospects']:,}"
        if row["market_size"] != row["prospects"]:
            accounts += f" of {row['market_size']:,}"
        per = row["run_off_us_per_customer"]
        lines.append(
            f"| {row['scenario']} | {accounts} | {_horizon(row['days'])} | {row['run_s']:.2f} s "
            f"| {row['cpu_s']:.2f} s "
            f"| {row['step_s']:.2f} s | {row['collect_s'] * 1e3:.0f} ms "
            f"| {row['run_off_s'] * 1e3:.1f} ms | {row['run_off_share']:.2%} "
            f"| {'—' if per is None else f'{per:,.0f} µs'} | {row['customers_run_off']:,.0f} "
            f"| {row['peak_rss_gb']:.2f} GB |"
        )
    longest, shortest = max(r["days"] for r in rows), min(r["days"] for r in rows)
    wall, cpu = ratios(rows), ratios(rows, "cpu_s")
    times = ", ".join(f"{name} {wall[name]:.2f}× ({cpu[name]:.2f}×)" for name in wall)
    lines += [
        "",
        f"{_horizon(longest)} / {_horizon(shortest)}, seconds per replication (CPU): {times} "
        f"(the days: {longest / shortest:g}×)",
    ]
    for row in rows:
        if row["days"] == longest and row["year_cpu_s"]:
            years = ", ".join(f"{s:.2f}" for s in row["year_cpu_s"])
            lines.append(
                f"{row['scenario']}, CPU seconds per replication of each simulated year of "
                f"the {_horizon(longest)} run: {years}"
            )
    lines += [
        "",
        f"`{command}`",
    ]
    return "\n".join(lines)


def _horizon(days: int) -> str:
    years = days / 365
    return f"{years:g} y" if years == int(years) else f"{days} d"


def main(argv: list[str]) -> int:
    """Run the benchmark with command-line arguments; print the table.

    Bad input is one line on stderr and exit status 2, before any work.
    """
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.multi_year",
        description="Seconds per replication of 1-, 3- and 5-year runs at 10,000 accounts, "
        "the lifetime run-off's share and cost per customer, and peak memory.",
    )
    parser.add_argument("--replications", type=int, default=FULL["replications"])
    parser.add_argument("--rounds", type=int, default=FULL["rounds"])
    parser.add_argument("--quick", action="store_true", help="a smoke run: tiny market, short")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures")
    args = parser.parse_args(argv)
    if min(args.replications, args.rounds) < 1:
        parser.error("--replications and --rounds must be at least 1")
    markets, horizons = MARKETS, FULL["horizons"]
    replications, rounds = args.replications, args.rounds
    if args.quick:
        markets = {n: {**o, "population.size": QUICK["size"]} for n, o in MARKETS.items()}
        horizons, replications, rounds = QUICK["horizons"], QUICK["replications"], QUICK["rounds"]
    rows = run_benchmark(markets, horizons, replications, rounds, log=log)
    command = shlex.join(["python", "-m", "benchmarks.multi_year", *argv])
    print(format_table(rows, command))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
