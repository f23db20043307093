"""Before a command runs: one line estimating its time and memory, and a refusal if it won't fit.

Every command that runs the model says, just before it starts, how long it should take
and how much memory it should hold at once (from :mod:`sim.model.cost`), unless
``--quiet``. A job whose estimated peak memory exceeds what the machine has available
is refused with one line (exit 2) before any work and before its output folder is
touched, unless ``--force``; the refusal is never hidden by ``--quiet``.

A command calls :func:`check_cost` with its other checks, which prints nothing, and
:func:`announce` once every check has passed (arguments, scenario, memory, output
folder): a refused command says only why, in one line.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from sim.model.cost import Estimate, Runs, available_cores, estimate
from sim.scenario.errors import InputError
from sim.scenario.schema import Scenario

GB = 1e9


def runs_of(scenario: Scenario, count: int) -> Runs:
    """``count`` runs of ``scenario``'s market over its horizon."""
    return Runs(count, scenario.population.size, scenario.horizon_days)


def largest_market(base: Scenario, ranges: Mapping[str, tuple], count: int) -> Runs:
    """``count`` runs of the largest market and longest horizon that ``ranges`` reach.

    Args:
        base: The scenario the ranges vary.
        ranges: ``{field: (low, high, ...)}`` of a sensitivity analysis or a calibration.
        count: Runs.
    """
    prospects = ranges.get("population.size", (0, base.population.size))[1]
    days = ranges.get("horizon_days", (0, base.horizon_days))[1]
    return Runs(count, max(base.population.size, int(prospects)), max(base.horizon_days, int(days)))


def check_cost(
    args: argparse.Namespace, groups: Sequence[Runs], *, keeps_daily: bool = False
) -> Estimate:
    """Estimate the job's time and memory, and refuse it if it won't fit; print nothing.

    Args:
        args: The command's arguments (``workers``, ``dask``, ``quiet``, ``force``).
        groups: The runs the command will do, by market.
        keeps_daily: Whether the command keeps every run's daily table until the end.

    Raises:
        InputError: The estimated peak memory exceeds the available memory, without
            ``--force``.
    """
    dask = getattr(args, "dask", None)
    workers = getattr(args, "workers", None) or available_cores()
    cost = estimate(groups, 1 if dask else workers, keeps_daily=keeps_daily)
    available = available_memory()
    need = cost.largest_batch_bytes if dask else cost.peak_bytes
    if need > available and not args.force:
        raise InputError(
            f"population.size {cost.prospects:,}: {cost.runs:,} run{'s' * (cost.runs != 1)} "
            f"x {cost.days:,} days would need about {need / GB:.1f} GB of memory at once; this "
            f"machine has {available / GB:.1f} GB available: use a smaller market, fewer "
            "runs or --workers, or --force to try anyway"
        )
    return cost


def announce(cost: Estimate, args: argparse.Namespace) -> None:
    """Print the estimate on stderr (unless ``--quiet``), once the command is going to run.

    A fresh install's compiled kernels are built here, before any progress bar
    starts (:mod:`sim.model.kernels`): the bar's rate and ETA are the model's own.

    Args:
        cost: What :func:`check_cost` returned.
        args: The command's arguments (``dask``, ``quiet``).
    """
    if not args.quiet:
        on_dask = bool(getattr(args, "dask", None))
        print(f"estimate: {describe(cost, on_dask=on_dask)}", file=sys.stderr)
    from sim.model import kernels  # noqa: PLC0415 - numba only once the command runs

    if not kernels.built():
        if not args.quiet:
            print("building the compiled kernels, once per install (10-30 s)", file=sys.stderr)
        kernels.warm()


def describe(cost: Estimate, *, on_dask: bool = False) -> str:
    """``150 runs x 10,000 prospects x 365 days ≈ 40 s on 2 workers, peak memory ≈ 0.6 GB``."""
    runs = f"{cost.runs:,} run{'s' * (cost.runs != 1)}"
    where = "of compute on the Dask cluster" if on_dask else _on(cost.workers)
    memory = f"{cost.largest_batch_bytes / GB:.1f} GB a worker" if on_dask else (
        f"{cost.peak_bytes / GB:.1f} GB"
    )  # fmt: skip
    return (
        f"{runs} x {cost.prospects:,} prospects x {cost.days:,} days ≈ "
        f"{duration(cost.seconds)} {where}, peak memory ≈ {memory}"
    )


def _on(workers: int) -> str:
    return "in this process" if workers == 1 else f"on {workers} workers"


def duration(seconds: float) -> str:
    """Seconds in words a person reads at a glance: ``40 s``, ``12 min``, ``3.5 h``."""
    if seconds < 90:
        return f"{max(1, math.ceil(seconds))} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def available_memory() -> float:
    """Bytes this process may still use: the least of the machine's, its cgroup's and its limit's.

    The machine's is ``MemAvailable`` in ``/proc/meminfo`` (else free pages from
    ``os.sysconf``); a container's cgroup limit and ``ulimit -v`` bound it further.
    """
    bounds = [_machine_available()]
    cgroup = Path("/sys/fs/cgroup")
    limit, used = _read_number(cgroup / "memory.max"), _read_number(cgroup / "memory.current")
    if limit is not None and used is not None:
        bounds.append(max(0.0, limit - used))
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        bounds.append(float(soft))
    return min(bounds)


def _machine_available() -> float:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines():
            if line.startswith("MemAvailable:"):
                return float(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return float(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError):
        return math.inf


def _read_number(path: Path) -> float | None:
    try:
        return float(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):  # absent, or "max": no limit
        return None
