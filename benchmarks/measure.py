"""The benchmark's measurements: naive Mesa against ours, many runs, one big run.

Each function measures one thing and returns plain figures. ``scale`` and
``graph`` are meant to run in a fresh process (``python -m benchmarks.measure``),
so that peak memory is their own.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sim.scenario.loading import load_scenario

ROOT = Path(__file__).resolve().parents[1]
BASS = ROOT / "scenarios" / "validation" / "bass.yaml"
STRATEGY = ROOT / "scenarios" / "touchpoint_management.yaml"
STRATEGIES = tuple(sorted(path.stem for path in (ROOT / "scenarios").glob("*.yaml")))
"""The shipped strategies (the scenario files at the top of ``scenarios/``)."""


def compare_naive(n: int, days: int, scenario: Path = STRATEGY, seed: int = 0) -> dict[str, float]:
    """Agent-steps per second on the Bass scenario: naive Mesa, ours, ours batched.

    Also the full model on the strategy scenario. "Batched" advances as many
    replications together as the runners do (see ``sim.experiments.runner``);
    its rate counts every replication's agent-steps.
    """
    from benchmarks.naive_bass import NaiveBassModel
    from sim.model.cost import batch_capacity
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

    strategy = load_scenario(scenario, {"population.size": n, "horizon_days": days})
    for path in (BASS, scenario):  # load the compiled kernels (a batch's too) before timing
        small = load_scenario(path, {"population.size": 100})
        _step(JourneyModel(small, seed), 1)
        _step(JourneyModel(small, seeds=[seed, seed + 1]), 1)
    start = time.perf_counter()
    ours = JourneyModel(bass, seed)
    ours_build = time.perf_counter() - start
    ours_step = _step(ours, days)
    ours_share = int(ours.tally.customers[0]) / n
    del ours
    gc.collect()

    batch = batch_capacity(n)
    batched = JourneyModel(bass, seeds=list(range(seed, seed + batch)))
    batched_step = _step(batched, days)
    del batched
    gc.collect()

    full = JourneyModel(strategy, seed)
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
        "batch": batch,
        "batched_rate": batch * steps / batched_step,
        "batched_ratio": batch * naive_step / batched_step,
        "full_step_s": full_step,
        "full_rate": steps / full_step,
        "full_ratio": naive_step / full_step,
    }


def _step(model: object, days: int) -> float:
    start = time.perf_counter()
    for _ in range(days):
        model.step()
    return time.perf_counter() - start


def throughput(replications: int, workers: int, size: int, days: int) -> dict[str, float]:
    """Wall time of comparing the five strategies (``replications`` each) on ``workers``."""
    from sim.experiments.compare import compare

    overrides = {"population.size": size, "horizon_days": days}
    scenarios = [load_scenario(ROOT / "scenarios" / f"{n}.yaml", overrides) for n in STRATEGIES]
    start = time.perf_counter()
    compare(scenarios, replications, 0, workers=workers, progress=False)
    wall = time.perf_counter() - start
    runs = len(scenarios) * replications
    return {
        "workers": workers,
        "runs": runs,
        "prospects": size,
        "days": days,
        "wall_s": wall,
        "runs_per_s": runs / wall,
    }


def scale(n: int, days: int, scenario: str) -> dict[str, float]:
    """One run at ``n`` prospects, end to end (meant for a fresh process)."""
    start = time.perf_counter()
    from sim.analysis.results import collect
    from sim.model.model import JourneyModel

    spec = load_scenario(scenario, {"population.size": n, "horizon_days": days})
    JourneyModel(load_scenario(scenario, {"population.size": 100})).step()  # load the kernels
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
        "peak_rss_gb": peak_rss_gb(),
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
        "peak_rss_gb": peak_rss_gb(),
    }


def child_result(
    args: Sequence[str], what: str, *, cwd: Path = ROOT, env: Mapping[str, str] | None = None
) -> Any:
    """Run ``python ARGS`` in a fresh process; the JSON it printed last.

    Raises:
        RuntimeError: The process failed (``what`` and the end of its stderr say how).
    """
    done = subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def log(message: str) -> None:
    """A benchmark's progress line, on stderr."""
    print(message, file=sys.stderr, flush=True)


def peak_rss_gb() -> float:
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


def _main() -> None:
    """``python -m benchmarks.measure TASK JSON``: one measurement in this fresh process."""
    task, kwargs = sys.argv[1], json.loads(sys.argv[2])
    work = {"scale": scale, "graph": graph}[task]
    print(json.dumps(work(**kwargs)))


if __name__ == "__main__":
    _main()
