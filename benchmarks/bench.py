"""``python run.py bench``: how fast, against naive Mesa and at 10k to 1M prospects.

Two measurements, printed as Markdown tables (and saved as JSON with ``--json``):

* **Against naive Mesa.** The Bass scenario (``scenarios/validation/bass.yaml``) run
  by :class:`~sim.model.model.JourneyModel` and by
  :class:`~benchmarks.naive_bass.NaiveBassModel`
  (one Python agent per prospect, ``shuffle_do``) in this process, for the same
  days; and the full model on the strategy scenario. Speed is agent-steps per
  second of stepping: prospects × days / seconds.
* **Scaling.** The strategy scenario (``scenarios/touchpoint_management.yaml``) for
  a year at each size, each in a fresh process so that peak memory is its own:
  build time (population, social graph, agents), stepping time, end-to-end time
  (load the scenario, build, step, collect KPIs, daily table and ledger) and peak
  RSS; and the social graph built on its own.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from sim.scenario.errors import InputError
from sim.scenario.loading import load_scenario

ROOT = Path(__file__).resolve().parents[1]
BASS = ROOT / "scenarios" / "validation" / "bass.yaml"
STRATEGY = ROOT / "scenarios" / "touchpoint_management.yaml"
SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZES = (2_000, 20_000)


def build_parser() -> argparse.ArgumentParser:
    """The benchmark's arguments (``python run.py bench --help``)."""
    cmd = argparse.ArgumentParser(
        prog="run.py bench",
        description="Benchmark: agent-steps per second of our model and a naive Mesa model "
        "on the Bass scenario, and a scaling table (build, stepping, end-to-end time, "
        "peak memory) of the strategy scenario at each size. Prints Markdown tables.",
    )
    cmd.add_argument(
        "--sizes",
        type=_sizes,
        default=SIZES,
        metavar="N,N,...",
        help="population sizes (default 10000,100000,1000000)",
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
    """Run the benchmark with command-line arguments; print the tables."""
    args = build_parser().parse_args(argv)
    load_scenario(args.scenario)  # bad input: one line, exit 2, before any work
    if args.days < 1 or args.naive_days < 1:
        raise InputError("--days and --naive-days must be at least 1")
    sizes, days, naive_days = args.sizes, args.days, args.naive_days
    if args.quick:
        sizes, days, naive_days = QUICK_SIZES, 30, 10
    report = run_benchmark(sizes, days, naive_days, args.scenario, log=_log)
    print(format_report(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_benchmark(
    sizes: tuple[int, ...],
    days: int,
    naive_days: int,
    scenario: Path = STRATEGY,
    log: object = None,
) -> dict[str, object]:
    """Run both measurements and return the figures.

    Args:
        sizes: Population sizes.
        days: Days of the scaling runs.
        naive_days: Days of the comparison with naive Mesa (both models).
        scenario: The strategy scenario of the full-model and scaling runs.
        log: Called with a line of progress, or None.

    Returns:
        ``{"machine": ..., "comparison": [...], "scaling": [...], "graph": {...}}``.
    """
    say = log or (lambda _: None)
    report: dict[str, object] = {
        "machine": machine(),
        "scenario": str(scenario),
        "days": days,
        "naive_days": naive_days,
        "comparison": [],
        "scaling": [],
    }
    for n in sizes:
        say(f"comparison at {n:,} prospects, {naive_days} days ...")
        report["comparison"].append(compare_naive(n, naive_days, scenario))
    for n in sizes:
        say(f"scaling at {n:,} prospects, {days} days ...")
        report["scaling"].append(_in_fresh_process("scale", n=n, days=days, scenario=str(scenario)))
    biggest = max(sizes)
    say(f"social graph of {biggest:,} nodes ...")
    report["graph"] = _in_fresh_process("graph", n=biggest, scenario=str(scenario))
    return report


def compare_naive(n: int, days: int, scenario: Path = STRATEGY, seed: int = 0) -> dict[str, float]:
    """Agent-steps per second of ours and naive Mesa on the Bass scenario, and of the full model."""
    from benchmarks.naive_bass import NaiveBassModel
    from sim.model.model import JourneyModel

    bass = load_scenario(BASS, {"population.size": n, "horizon_days": days})
    p = bass.channels["mass_media"].reach_per_day
    q = bass.word_of_mouth.conversation_rate_per_day

    start = time.perf_counter()
    naive = NaiveBassModel(n, p, q, seed)
    naive_build = time.perf_counter() - start
    naive_step = _step(naive, days)
    naive_share = naive.adopters() / n
    del naive
    gc.collect()

    start = time.perf_counter()
    ours = JourneyModel(bass, seed)
    ours_build = time.perf_counter() - start
    ours_step = _step(ours, days)
    ours_share = int(ours.tally.customers[0]) / n
    del ours
    gc.collect()

    full = JourneyModel(load_scenario(scenario, {"population.size": n, "horizon_days": days}), seed)
    full_step = _step(full, days)
    del full
    gc.collect()

    steps = n * days
    return {
        "prospects": n,
        "days": days,
        "naive_build_s": naive_build,
        "naive_step_s": naive_step,
        "naive_rate": steps / naive_step,
        "naive_adopters": naive_share,
        "ours_build_s": ours_build,
        "ours_step_s": ours_step,
        "ours_rate": steps / ours_step,
        "ours_adopters": ours_share,
        "ratio": naive_step / ours_step,
        "full_step_s": full_step,
        "full_rate": steps / full_step,
        "full_ratio": naive_step / full_step,
    }


def _step(model: object, days: int) -> float:
    start = time.perf_counter()
    for _ in range(days):
        model.step()
    return time.perf_counter() - start


def scale(n: int, days: int, scenario: str) -> dict[str, float]:
    """One scaling run (meant for a fresh process: peak RSS is the process's)."""
    start = time.perf_counter()
    from sim.analysis.results import collect
    from sim.model.model import JourneyModel

    spec = load_scenario(scenario, {"population.size": n, "horizon_days": days})
    loaded = time.perf_counter()
    model = JourneyModel(spec, seed=0)
    built = time.perf_counter()
    for _ in range(days):
        model.step()
    stepped = time.perf_counter()
    result = collect(model)
    done = time.perf_counter()
    return {
        "prospects": n,
        "days": days,
        "import_load_s": loaded - start,
        "build_s": built - loaded,
        "step_s": stepped - built,
        "collect_s": done - stepped,
        "end_to_end_s": done - start,
        "peak_rss_gb": _peak_rss_gb(),
        "customers": result.kpis["customers"],
        "ledger_rows": len(result.ledger),
    }


def graph(n: int, scenario: str) -> dict[str, float]:
    """Time building the social graph of ``n`` prospects alone."""
    import numpy as np

    from sim.model.network import SocialGraph

    degree = load_scenario(scenario).word_of_mouth.mean_degree
    start = time.perf_counter()
    social = SocialGraph.random(np.random.default_rng(0), n, degree)
    seconds = time.perf_counter() - start
    return {
        "nodes": n,
        "mean_degree": degree,
        "ties": int(social.indices.size),
        "build_s": seconds,
        "peak_rss_gb": _peak_rss_gb(),
    }


def _peak_rss_gb() -> float:
    """Peak resident memory of this process.

    VmHWM: unlike ru_maxrss, not inherited from the parent's size at fork.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e9
    except OSError:
        pass
    import resource  # not Linux: the best there is

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9


def _in_fresh_process(task: str, **kwargs: object) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench", task, json.dumps(kwargs)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark {task} {kwargs} failed: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine() -> dict[str, object]:
    """What the figures were measured on."""
    import mesa
    import numpy as np

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (ValueError, OSError, AttributeError):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "mesa": mesa.__version__,
        "os": platform.platform(),
    }


def format_report(report: dict[str, object]) -> str:
    """The figures as Markdown tables."""
    m = report["machine"]
    memory = f", {m['memory_gb']:.0f} GB" if m["memory_gb"] else ""
    lines = [
        f"Machine: {m['cpu']}, {m['cores']} cores{memory}; Python {m['python']}, "
        f"numpy {m['numpy']}, Mesa {m['mesa']}",
        "",
        f"Against naive Mesa: Bass scenario, {report['naive_days']} days, agent-steps per second "
        "of stepping (prospects × days / s)",
        "",
        "| prospects | naive Mesa | ours (Bass) | ratio | ours (full model) | full vs naive Bass |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for c in report["comparison"]:
        lines.append(
            f"| {c['prospects']:,} | {_rate(c['naive_rate'])} | {_rate(c['ours_rate'])} "
            f"| {c['ratio']:,.0f}× | {_rate(c['full_rate'])} | {c['full_ratio']:,.0f}× |"
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


def _worker(task: str, kwargs: str) -> None:
    work = {"scale": scale, "graph": graph}[task]
    print(json.dumps(work(**json.loads(kwargs))))


if __name__ == "__main__":
    _worker(sys.argv[1], sys.argv[2])
