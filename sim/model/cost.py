"""What runs of the model cost in time and memory: the figures behind a command's estimate.

A run's time grows with its prospect-days (prospects × days simulated) plus a fixed
cost to build the model and collect its results; its memory with its prospects,
and a batch (replications advanced together, :mod:`sim.model.replicas`) holds the
rows of all its replications. Every process that runs the model (the command's own,
each pool worker) first pays for Python, numpy, pandas and the compiled kernels.

The constants were measured with ``.venv/bin/python benchmarks/estimate_costs.py``
(a fresh process per size, the sales funnel; 2026-12-07, 2 shared cores under load)::

        2,000 prospects x 1 x 180 days:   0.41 s, +    1.2 MB (process before: 481 MB)
      100,000 prospects x 1 x 180 days:   2.58 s, +   34.4 MB (process before: 371 MB)
    1,000,000 prospects x 1 x  10 days:   5.73 s, +  334.9 MB (process before: 370 MB)
       10,000 prospects x 8 x 180 days:   3.01 s, +   28.3 MB (process before: 371 MB)

They are estimates for a busy two-core machine: a quiet or faster one runs sooner.
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


SECONDS_PER_PROSPECT_DAY = 1.3e-7
"""Time to simulate one prospect for one day."""

SECONDS_PER_RUN = 0.35
"""Time to build a run's model and collect its results, whatever its size."""

BYTES_PER_PROSPECT = 350
"""Peak memory a run adds per prospect (its rows, draws and touch bookkeeping)."""

BYTES_PER_PROCESS = 480e6
"""Memory of a process that has loaded the model (Python, numpy, pandas, compiled kernels)."""

BYTES_PER_KEPT_DAY = 200
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
    batches = sum(-(-g.count // batch_capacity(g.prospects)) for g in groups)
    compute = sum(
        g.count * (SECONDS_PER_RUN + SECONDS_PER_PROSPECT_DAY * g.prospects * g.days)
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
    return Estimate(
        runs=sum(g.count for g in groups),
        prospects=max(g.prospects for g in groups),
        days=max(g.days for g in groups),
        seconds=compute / pool,
        workers=pool,
        peak_bytes=BYTES_PER_PROCESS + kept + running,
        largest_batch_bytes=batch_bytes,
    )
