"""Where runs are done: in this process, a local process pool, or a Dask cluster.

Every engine is a ``concurrent.futures.Executor`` (or None for in-process), and
:func:`completed` is the one loop that hands back outcomes as they finish; the
experiment code does not care which engine it runs on. Local workers are
spawned (no inherited state), ignore Ctrl-C (the parent stops them) and exit by
themselves if the parent is killed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from multiprocessing import get_context

from tqdm import tqdm

from sim.model.cost import available_cores
from sim.scenario.errors import InputError


def _worker_init(parent: int) -> None:
    """Set up a pool worker: Ctrl-C is the parent's to handle, and die with the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # tqdm's default lock is a multiprocessing semaphore: a worker ended mid-run would
    # leak it (and the resource tracker would complain); workers draw no bars anyway.
    tqdm.set_lock(threading.RLock())
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)  # the parent was killed: nobody will collect this worker's results


def local_executor(workers: int | None = None) -> Executor | None:
    """A process pool of ``workers`` (default: the cores), or None to run in-process.

    The workers are spawned (no inherited state), ignore Ctrl-C (the parent stops
    them) and exit by themselves if the parent is killed.
    """
    workers = available_cores() if workers is None else workers
    if workers <= 1:
        return None
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("spawn"),
        initializer=_worker_init,
        initargs=(os.getpid(),),
    )


def _stop_pool(pool: Executor) -> None:
    """Stop a local pool now: drop the queued runs and end the running ones."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    if isinstance(pool, ProcessPoolExecutor):
        pool.shutdown(wait=False, cancel_futures=True)
    else:
        pool.shutdown(wait=False)
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(timeout=5)
    if manager is not None:
        manager.join(timeout=5)  # it sees the ended workers and closes the pool's queues


@contextlib.contextmanager
def engine(
    workers: int | None = None, dask: str | None = None, *, runs: int | None = None
) -> Iterator[Executor | None]:
    """A local pool of ``workers`` or a Dask cluster's executor, stopped cleanly after use.

    Args:
        workers: Local processes (default: the cores); 1 runs in this process (yields None).
        dask: A Dask scheduler address, or ``"local"`` for a LocalCluster; overrides
            ``workers``.
        runs: Runs to do, if known: no more local processes than that are started.

    On an exception (Ctrl-C included) the queued runs are dropped and running ones
    ended, so the caller regains control at once.
    """
    if dask:
        with dask_executor(dask) as executor:
            yield executor
        return
    if workers is not None and workers < 1:
        raise InputError(f"workers: must be >= 1; got {workers}")
    n = available_cores() if workers is None else workers
    if runs is not None:
        n = min(n, max(runs, 1))
    pool = local_executor(n)
    if pool is None:
        yield None
        return
    try:
        yield pool
    except BaseException:
        _stop_pool(pool)
        raise
    pool.shutdown()


@contextlib.contextmanager
def dask_executor(address: str) -> Iterator[Executor]:
    """An Executor on a Dask cluster, closed on exit.

    Args:
        address: A scheduler address (``tcp://scheduler:8786``), or ``"local"`` to
            start a ``LocalCluster`` of 2 single-threaded worker processes here.

    Workers import ``sim`` themselves: on a real cluster, install the project on
    every worker (``pip install .[dask]``).

    Raises:
        InputError: Dask is not installed, or the scheduler cannot be reached.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError(f"dask {address}: Dask is not installed (pip install '.[dask]')") from None
    cluster = None
    if address == "local":
        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    else:
        try:
            client = Client(address, timeout="15s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(f"dask {address}: cannot reach the scheduler ({exc})") from None
    executor = client.get_executor(pure=False)
    try:
        yield executor
    except BaseException:
        executor.shutdown(wait=False)  # cancels what is queued or running
        raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def completed[S, T](
    specs: Sequence[S], executor: Executor | None, runner: Callable[[S], T]
) -> Iterator[tuple[int, T]]:
    """``(index, outcome)`` of each spec as it finishes; pending runs are cancelled on exit."""
    if executor is None:
        for i, spec in enumerate(specs):
            yield i, runner(spec)
        return
    futures: dict[Future, int] = {executor.submit(runner, s): i for i, s in enumerate(specs)}
    try:
        for future in as_completed(futures):
            yield futures[future], future.result()
    finally:
        for future in futures:
            future.cancel()


def executor_for(
    executor: Executor | None, workers: int | None, runs: int
) -> contextlib.AbstractContextManager[Executor | None]:
    """The caller's executor as is, or a local pool of our own, stopped after use."""
    if executor is not None:
        return contextlib.nullcontext(executor)
    return engine(workers, runs=runs)
