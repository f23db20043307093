"""What runs of the model cost in time and memory: the figures behind a command's estimate.

Replications run in batches (advanced together, :mod:`sim.model.replicas`). A batch's
time is a cost per day (the day's Python, shared by its replications), a cost per
replication-day, a cost to build each prospect row, and a small cost per prospect-day
(most prospects are out of market, and a day's work on them is vectorised). Its memory
grows with its prospect rows. Every process that runs the model (the command's own,
each pool worker) first pays for Python, numpy, pandas and the compiled kernels.

The constants were fitted with ``.venv/bin/python benchmarks/estimate_costs.py`` (a
fresh process per size; three shipped scenarios, batches of 1 to 30 replications;
2026-12-08, quiet 2-core machine)::

      touchpoint_management.yaml     2,000 x  1 x 180 days: 0.23 s, +   4.6 MB
      touchpoint_management.yaml   300,000 x  1 x 365 days: 2.16 s, + 103.9 MB
      touchpoint_management.yaml 1,000,000 x  1 x  10 days: 1.20 s, + 343.0 MB
      touchpoint_management.yaml    10,000 x 30 x 365 days: 3.49 s, + 150.4 MB
                aida_funnel.yaml    10,000 x 10 x 365 days: 3.50 s, +  44.9 MB

The fit is within a factor of about two either way on every size measured (fitted
over measured 0.55 to 2.18): an estimate, not a promise. A busy machine runs slower.
Only arithmetic here (no model is built), so a command can estimate before it
imports the model.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass


def available_cores() -> int:
    """The cores this process may run on: the default number of local workers.

    Its CPU affinity (``taskset``, a cluster node's cpuset) where the system has one,
    else the machine's cores.
    """
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


SECONDS_PER_BATCH_DAY = 2.65e-3
"""Time of one day of a batch, whatever its size (the day's Python, shared)."""

SECONDS_PER_RUN_DAY = 1.69e-4
"""Time of one day of one replication in a batch."""

SECONDS_PER_PROSPECT = 1.07e-6
"""Time to build one prospect row and collect its results."""

SECONDS_PER_PROSPECT_DAY = 6.71e-9
"""Time to simulate one prospect row for one day."""

SECONDS_PER_PROCESS = 2.39
"""Time a pool worker takes to start: Python, the model's modules, the compiled kernels."""

BYTES_PER_PROSPECT = 550
"""Peak memory a batch adds per prospect row (its rows, draws, ledger and bookkeeping)."""

BYTES_PER_PROCESS = 281e6
"""Memory of a process that has loaded the model (Python, numpy, pandas, compiled kernels)."""

BYTES_PER_KEPT_DAY = 312
"""Memory of one day of a run's daily table, for commands that keep every run's."""

BATCH_SIZE = 32
"""Replications advanced together, at most: a 30-replication run of a scenario is one
batch, which shares a day's fixed cost ~1.3× better than two batches of 15 at 10,000
prospects (``benchmarks/``); a compare of several scenarios still gives each worker several."""

BATCH_ROWS = 500_000
"""Prospect rows of a batch, at most (replications × prospects): bounds its memory."""


@dataclass(frozen=True)
class Runs:
    """``count`` runs of one market: ``prospects`` simulated for ``days``."""

    count: int
    prospects: int
    days: int


@dataclass(frozen=True)
class Estimate:
    """How long a job should take and the most memory it should hold at once.

    Attributes:
        runs: Runs in the job.
        prospects: The largest market among them.
        days: The longest horizon among them.
        seconds: Wall time on ``workers``.
        workers: Processes running the model at once.
        peak_bytes: Memory of the command's process and its workers together.
        largest_batch_bytes: Memory one worker needs for the largest batch.
    """

    runs: int
    prospects: int
    days: int
    seconds: float
    workers: int
    peak_bytes: float
    largest_batch_bytes: float


def batch_capacity(prospects: int) -> int:
    """Replications of a market of ``prospects`` that one batch advances together."""
    return max(1, min(BATCH_SIZE, BATCH_ROWS // prospects))


def _batches(runs: Runs) -> int:
    """Batches the runs of one market take."""
    return -(-runs.count // batch_capacity(runs.prospects))


def estimate(groups: Sequence[Runs], workers: int, *, keeps_daily: bool = False) -> Estimate:
    """The time and peak memory of running ``groups`` on ``workers`` local processes.

    Args:
        groups: The job's runs, by market (a sweep over the population size has several).
        workers: Local pool size; 1 runs in the command's own process.
        keeps_daily: Whether the command keeps every run's daily table until the end.

    Returns:
        The estimate; with one batch only, the runs stay in the command's process.
    """
    groups = [g for g in groups if g.count > 0]
    batches = sum(_batches(g) for g in groups)
    compute = sum(
        _batches(g) * g.days * SECONDS_PER_BATCH_DAY
        + g.count * g.days * SECONDS_PER_RUN_DAY
        + g.count * g.prospects * (SECONDS_PER_PROSPECT + g.days * SECONDS_PER_PROSPECT_DAY)
        for g in groups
    )
    batch_bytes = max(
        (BYTES_PER_PROSPECT * g.prospects * min(g.count, batch_capacity(g.prospects)))
        for g in groups
    )
    kept_days = sum(g.count * g.days for g in groups) if keeps_daily else 0
    kept = 2 * kept_days * BYTES_PER_KEPT_DAY  # the tables, then their concatenation
    pool = min(workers, batches) if workers > 1 and batches > 1 else 1
    running = pool * (BYTES_PER_PROCESS + batch_bytes) if pool > 1 else batch_bytes
    seconds = compute
    if pool > 1:  # the workers start first; batches go out in rounds, the last maybe short
        seconds = SECONDS_PER_PROCESS + compute / batches * -(-batches // pool)
    return Estimate(
        runs=sum(g.count for g in groups),
        prospects=max(g.prospects for g in groups),
        days=max(g.days for g in groups),
        seconds=seconds,
        workers=pool,
        peak_bytes=BYTES_PER_PROCESS + kept + running,
        largest_batch_bytes=batch_bytes,
    )
