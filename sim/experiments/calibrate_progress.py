"""What a calibration tells the person waiting for it: a pilot's estimate, then a live line.

Before the ABC starts, a pilot runs two rounds of one simulation per worker at prior
draws on the same engine, the first to start the workers, and times the second: its
seconds per simulation give the longest the budget can take (the run stops earlier if
it reaches temperature 1). During the run, every simulation that finishes advances one
line on stderr: simulations done of the budget, the current generation and its
temperature, the acceptance so far, time elapsed and the most left. The simulations run
in worker processes, so they are counted in this process: by the futures the sampler
submits (a pool or a Dask executor) or by wrapping its one-particle function (a single
core).
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import Any, TextIO

import numpy as np

from sim.experiments.posterior import Prior

UPDATE_SECONDS = 5.0
"""Seconds between progress lines when stderr is not a terminal (a log file, a test)."""


def duration(seconds: float) -> str:
    """Seconds in words a reader scans: ``45 s``, ``12 min 30 s``, ``1 h 5 min``."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


@dataclass(frozen=True)
class Pilot:
    """A few simulations timed before the run: the basis of its time estimate.

    Attributes:
        simulations: Simulations timed (one per worker).
        seconds: Their wall time, all workers together.
        workers: Workers they ran on.
        start_up: Wall time of the first round (starting the workers, loading the model).
    """

    simulations: int
    seconds: float
    workers: int
    start_up: float = 0.0

    @property
    def per_simulation(self) -> float:
        """Wall seconds per simulation with every worker busy."""
        return self.seconds / self.simulations

    def line(self, left: int, budget: int, minutes: float | None) -> str:
        """The estimate, in one line: seconds a simulation and the most the budget takes."""
        most = left * self.per_simulation
        which = f"the budget of {budget} simulations"
        if left < budget:
            which = f"the {left} simulations left of the budget of {budget}"
        text = (
            f"pilot: {self.simulations} simulation(s) at prior draws in {self.seconds:.1f} s "
            f"on {self.workers} worker(s) (after {self.start_up:.1f} s starting them), "
            f"~{self.per_simulation:.2f} s a simulation: "
            f"{which} would take at most ~{duration(most)}"
        )
        if minutes is not None and minutes * 60 < most:
            text += f"; --minutes {minutes:g} stops it sooner"
        return text + " (an estimate from the pilot; reaching temperature 1 ends it earlier)"


def run_pilot(
    at: Callable[[dict[str, float], int], Any],
    prior: list[Prior],
    workers: int,
    seed: int,
    mapper: Callable[..., Any] = map,
) -> Pilot:
    """Two rounds of one simulation per worker at prior draws; the second one timed.

    ``at(values, seed)`` simulates at parameter values by key; ``mapper`` maps it over
    the draws on the run's engine (an executor's ``map``).
    """
    rng = np.random.default_rng([seed, 1])
    rounds = []
    for _ in range(2):
        draws = [
            {
                p.key: float(np.exp(rng.uniform(np.log(p.low), np.log(p.high))))
                if p.log
                else float(rng.uniform(p.low, p.high))
                for p in prior
            }
            for _ in range(workers)
        ]
        start = time.monotonic()
        list(mapper(at, draws, [seed + k for k in range(workers)]))
        rounds.append(time.monotonic() - start)
    return Pilot(workers, rounds[1], workers, rounds[0])


class OutOfTimeError(Exception):
    """The wall-clock budget ran out during a generation; the finished ones are kept."""


class Progress(logging.Handler):
    """The run's clock and count, fed by each finished simulation and by pyabc's log.

    It shows the live line (with ``show``) and keeps the wall-clock budget: once that has
    run out and a generation has finished, the next simulation is refused
    (:class:`OutOfTimeError`), so a run ends within a simulation of its budget instead of at
    the end of the generation then running.

    Args:
        budget: The simulation budget (counting earlier runs of a resumed database).
        done: Simulations already done before this run (a resumed database).
        minutes: The wall-clock budget, if any, from now.
        stream: Where the line goes (stderr).
        show: Whether to show anything (False: count and keep time only).
    """

    def __init__(
        self,
        budget: int,
        done: int,
        minutes: float | None,
        stream: TextIO | None = None,
        show: bool = True,
    ) -> None:
        super().__init__()
        self.budget, self.done, self.minutes, self.show = budget, done, minutes, show
        self.stream = stream or sys.stderr
        self.terminal = show and self.stream.isatty()
        self.start, self.first, self.shown = time.monotonic(), done, -UPDATE_SECONDS
        self.generation, self.temperature = "prior sample", "inf"
        self.tried = self.accepted = self.finished = 0
        self.guard = threading.RLock()  # not Handler.lock: emit runs under that one

    def out_of_time(self) -> bool:
        """Whether the wall-clock budget has run out."""
        return self.minutes is not None and time.monotonic() - self.start >= self.minutes * 60

    def check_time(self) -> None:
        """Refuse another simulation once time is out and a generation is finished.

        Raises:
            OutOfTimeError: The budget has run out and a generation has finished.
        """
        if self.finished and self.out_of_time():
            raise OutOfTimeError

    def report(self, line: str) -> None:
        """A line of its own (the pilot's estimate)."""
        if self.show:
            with self.guard:
                print(line, file=self.stream, flush=True)

    def tick(self, simulations: int, accepted: int) -> None:
        """``simulations`` finished, ``accepted`` of them accepted: advance the line."""
        with self.guard:
            self.done += simulations
            self.tried += simulations
            self.accepted += accepted
            now = time.monotonic()
            if self.show and (self.terminal or now - self.shown >= UPDATE_SECONDS):
                self.shown = now
                end = "\r" if self.terminal else "\n"
                print(self._text(now).ljust(100 if self.terminal else 0), end=end,
                      file=self.stream, flush=True)  # fmt: skip

    def _text(self, now: float) -> str:
        elapsed = now - self.start
        rate = elapsed / max(1, self.done - self.first)
        left = max(0, self.budget - self.done) * rate
        if self.minutes is not None:
            left = min(left, max(0.0, self.minutes * 60 - elapsed))
        return (
            f"{self.done} of {self.budget} simulations | generation {self.generation}, "
            f"temperature {self.temperature} | accepted {self.accepted} of {self.tried} | "
            f"{duration(elapsed)} elapsed, at most {duration(left)} left"
        )

    def emit(self, record: logging.LogRecord) -> None:
        """Read pyabc's log: a generation starts (its temperature), ends (its count), is done."""
        text = record.getMessage()
        with self.guard:
            if text.startswith("t: ") and "eps: " in text:
                self.generation = text.split(",")[0].removeprefix("t: ")
                self.temperature = f"{float(text.split('eps: ')[1].rstrip('.')):.3g}"
                self.tried = self.accepted = 0
            elif text.startswith("Total samples up to t"):  # pyabc's count, the budget's
                self.done = int(text.rsplit(": ", 1)[1].rstrip("."))
            elif text.startswith("Accepted: "):
                self.finished += 1
                if not self.show:
                    return
                accepted, tried = text.split(": ", 1)[1].split(" = ")[0].split(" / ")
                lead = "\n" if self.terminal else ""
                print(
                    f"{lead}generation {self.generation} done: temperature {self.temperature}, "
                    f"accepted {accepted} of {tried}; {self.done} simulations of up to "
                    f"{self.budget}",
                    file=self.stream,
                )


@contextlib.contextmanager
def pyabc_log(progress: Progress) -> Iterator[None]:
    """Route pyabc's log to ``progress`` only (its own handlers and messages silenced)."""
    logger = logging.getLogger("ABC")
    theirs, level = list(logger.handlers), logger.level
    for handler in theirs:
        logger.removeHandler(handler)
    logger.setLevel(logging.DEBUG)  # "Total samples up to t" is a debug message
    logger.addHandler(progress)
    try:
        yield
    finally:
        logger.removeHandler(progress)
        if progress.terminal:
            print(file=progress.stream)
        for handler in theirs:
            logger.addHandler(handler)
        logger.setLevel(level)


class CountingExecutor:
    """An executor's ``submit`` that tells ``progress`` when each particle batch finishes.

    pyabc's futures sampler submits one job per particle batch and only calls
    ``submit``; each job returns ``[(particle, accepted, job id), ...]``.
    """

    def __init__(self, executor: Executor, progress: Progress) -> None:
        self.executor, self.progress = executor, progress

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Submit as the executor does; count the job's simulations when it finishes.

        Raises:
            OutOfTimeError: The wall-clock budget has run out (see :meth:`Progress.check_time`).
        """
        self.progress.check_time()
        job = self.executor.submit(fn, *args, **kwargs)
        job.add_done_callback(self._finished)
        return job

    def _finished(self, job: Future) -> None:
        if job.cancelled() or job.exception() is not None:
            return
        batch = job.result()
        self.progress.tick(len(batch), sum(1 for row in batch if row[1]))


def counted(simulate_one: Callable[[], Any], progress: Progress) -> Callable[[], Any]:
    """Wrap pyabc's one-particle function to tell ``progress`` as each returns (one core)."""

    def one() -> Any:
        progress.check_time()
        particle = simulate_one()
        progress.tick(1, int(bool(particle.accepted)))
        return particle

    return one
