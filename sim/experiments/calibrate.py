"""Calibrate: which parameter values are consistent with a user's observed funnel.

Simulation-based inference by ABC-SMC (pyabc). Each chosen parameter gets a uniform
or log-uniform prior over the range the user gives; each particle is simulated
(``replications`` runs on the batched path, their mean compared) over the period the
targets cover. Acceptance is stochastic, with an independent normal kernel whose
variances are the targets' sds², and the kernel is tempered down to temperature 1:
the final population is then a sample of the posterior under the stated observation
noise, not an approximation that depends on a tolerance (Wilkinson 2013, "Approximate
Bayesian computation gives exact results under the assumption of model error"; Schälte
& Hasenauer 2020, pyabc's stochastic acceptor). A run stopped by its simulation or wall-clock
budget before temperature 1 is reported as such: its posterior is wider than the data
warrant. Before it starts, a pilot times a few simulations for an estimate of how long
the budget takes; during it, a line on stderr follows every simulation
(:mod:`sim.experiments.calibrate_progress`).
"""

from __future__ import annotations

import contextlib
import math
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.results import simulate_batch
from sim.experiments.calibrate_progress import (
    CountingExecutor,
    OutOfTimeError,
    Pilot,
    Progress,
    counted,
    pyabc_log,
    run_pilot,
)
from sim.experiments.engines import engine
from sim.experiments.posterior import Prior, predictive_check, summarize
from sim.experiments.sensitivity import parameter_bounds
from sim.experiments.specs import check_count, check_seed, replication_seeds
from sim.experiments.targets import Targets
from sim.model.cost import available_cores
from sim.scenario.errors import InputError
from sim.scenario.loading import with_overrides
from sim.scenario.paths import coerce, field_value
from sim.scenario.schema import Scenario

GENERATIONS = 8
"""Generations over which the temperature falls to 1 (fewer if the data allow)."""


def priors(
    base: Scenario, params: Mapping[str, Sequence[Any]], source: str = "params"
) -> list[Prior]:
    """Priors from ``key -> (low, high)`` or ``(low, high, "log")``, checked like sensitivity's."""
    ranges, logs = {}, {}
    for key, spec in params.items():
        spec = tuple(spec)
        if len(spec) == 3 and spec[2] in ("log", "uniform"):
            logs[key], spec = spec[2] == "log", spec[:2]
        ranges[key] = spec
    bounds = parameter_bounds(base, ranges, source)
    out = []
    for key, (low, high) in bounds.items():
        if logs.get(key) and low <= 0:
            raise InputError(f"{source}: param {key}: a log prior needs LOW > 0; got {low:g}")
        out.append(Prior(key, low, high, logs.get(key, False)))
    return out


class Simulator:
    """One particle: the scenario at its parameter values, the targets' figures (mean of runs).

    A module-level class so that worker processes can unpickle it.
    """

    def __init__(
        self, base: Scenario, targets: Targets, prior: list[Prior], replications: int
    ) -> None:
        self.base, self.targets, self.prior = base, targets, prior
        self.replications = replications
        known = base.model_dump()
        self.currents = {p.key: field_value(known, p.key, p.key) for p in prior}

    def scenario(self, particle: Mapping[str, float]) -> Scenario:
        """The base scenario with a particle's values (rounded where a field is whole)."""
        point = {
            p.key: coerce(float(particle[_name(i)]), self.currents[p.key], rounding=True)
            for i, p in enumerate(self.prior)
        }
        return with_overrides(self.base, point, "calibrate")

    def __call__(self, particle: Mapping[str, float]) -> dict[str, float]:
        """The figures of one particle, on a fresh seed (pyabc seeds each process)."""
        seed = int(np.random.randint(0, 2**31 - 1))  # pyabc seeds each process's numpy
        return self.figures(self.scenario(particle), seed)

    def at(self, values: Mapping[str, float], seed: int) -> dict[str, float]:
        """The figures at parameter values by dotted key (a pilot's or a posterior draw)."""
        particle = {_name(i): values[p.key] for i, p in enumerate(self.prior)}
        return self.figures(self.scenario(particle), seed)

    def figures(self, scenario: Scenario, seed: int) -> dict[str, float]:
        """The compared figures, averaged over the replications; undefined ones are inf."""
        runs = simulate_batch(scenario, replication_seeds(seed, self.replications))
        rows = pd.DataFrame([self.targets.simulated(r.kpis, r.daily) for r in runs])
        mean = rows.mean(axis=0, skipna=False)
        return {k: float(v) if math.isfinite(v) else math.inf for k, v in mean.items()}


@dataclass
class Calibration:
    """What :func:`calibrate` found.

    Attributes:
        posterior: The final population: one row per particle, a column per parameter,
            and ``weight`` (importance weights, summing to 1).
        summary: Per parameter: prior, posterior median and 90% credible interval, and
            whether the targets informed it (``informed``; ``shrinkage`` is the posterior
            interval's width over the prior's, on the prior's scale).
        check: Per target: observed value and sd, the posterior predictive median and
            90% interval (simulated figure plus the observation noise), whether the
            observed value falls inside, and the start scenario's figure and z-score.
        generations: Per generation (``t`` = −1: the prior sample that sets the first
            temperature): its end time, wall time, simulations (``samples``), temperature
            and particles.
        scenario: The input scenario with the posterior medians filled in.
        exact: Whether the last generation reached temperature 1 (an exact posterior
            under the stated noise).
        stopped: Why a run that is not exact stopped: ``"simulations"`` (the budget),
            ``"minutes"`` (the wall-clock budget) or ``""``.
        minutes: The wall-clock budget it was given, if any.
        pilot: The pilot's timing, when one ran (with ``progress``).
    """

    posterior: pd.DataFrame
    summary: pd.DataFrame
    check: pd.DataFrame
    generations: pd.DataFrame
    scenario: Scenario
    exact: bool
    stopped: str = ""
    minutes: float | None = None
    pilot: Pilot | None = None

    def warnings(self) -> list[str]:
        """What a reader must know before trusting the posterior."""
        out = []
        if not self.exact:
            budget = {
                "minutes": f"the wall-clock budget (--minutes {self.minutes or 0:g})",
                "simulations": "the simulation budget",
            }.get(self.stopped, "the run")
            last = float(self.generations.temperature.iloc[-1]) if len(self.generations) else 0
            out.append(
                f"{budget} ran out before temperature 1 (reached {last:.3g}): the posterior "
                "is wider than the targets warrant; run the same command again to continue "
                "(it resumes), with more --minutes or --simulations"
            )
        for _, row in self.summary[~self.summary.informed].iterrows():
            out.append(
                f"{row.param}: not informed by the targets (posterior interval "
                f"{row.shrinkage:.0%} of the prior's): its value is the prior's, not the data's"
            )
        for _, row in self.check[~self.check.inside].iterrows():
            out.append(
                f"{row.target}: observed {row.observed:g} lies outside the posterior predictive "
                f"90% interval [{row.predicted_low:g}, {row.predicted_high:g}]: the model "
                "cannot reproduce it with these parameters"
            )
        return out


def calibrate(
    scenario: Scenario,
    targets: Targets,
    params: Mapping[str, Sequence[Any]],
    simulations: int = 4000,
    population: int = 100,
    replications: int = 1,
    seed: int = 0,
    *,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: bool = True,
    store: str | Path | None = None,
    minutes: float | None = None,
) -> Calibration:
    """Fit ``params`` of ``scenario`` to ``targets`` by ABC-SMC (see the module docstring).

    Args:
        scenario: The base scenario; it is simulated over ``targets.period_days``.
        targets: From :func:`~sim.experiments.targets.load_targets`.
        params: Dotted keys → ``(low, high)`` (uniform prior) or ``(low, high, "log")``.
        simulations: The budget of simulated particles (each ``replications`` runs).
        population: Particles per generation.
        replications: Runs per particle, averaged (fewer noisy acceptances; slower).
        seed: Seeds the sampler in this process; with one worker the result repeats
            exactly, with more the order in which particles return varies.
        executor: Run particles on this executor (e.g. a Dask client's).
        workers: Local processes when no executor is given (1 = in this process).
        progress: On stderr: the pilot's time estimate, then a line that follows every
            simulation and one per generation.
        store: A folder for pyabc's database (``abc.db``); a run with the same database
            continues where it stopped. None: a temporary database.
        minutes: A wall-clock budget (the pilot included): once it has run out and a
            generation has finished, the run ends; the generation then running is
            dropped (the same store continues it).
    """
    import pyabc

    check_seed(seed)
    for name, value in (("simulations", simulations), ("population", population)):
        check_count(name, value)
    check_count("replications", replications)
    if minutes is not None and not (math.isfinite(minutes) and minutes > 0):
        raise InputError(f"minutes: must be a number > 0; got {minutes}")
    base = scenario.model_copy(update={"horizon_days": targets.period_days})
    prior = priors(base, params, base.name)
    simulator = Simulator(base, targets, prior, replications)
    names = targets.statistics()
    kernel = pyabc.IndependentNormalKernel(var=(targets.sds**2).tolist(), keys=names)
    distribution = pyabc.Distribution(
        **{
            _name(i): pyabc.RV("loguniform", p.low, p.high)
            if p.log
            else pyabc.RV("uniform", p.low, p.high - p.low)
            for i, p in enumerate(prior)
        }
    )
    live = Progress(simulations, 0, minutes, show=progress)
    pilot = None
    with _pool(executor, workers) as pool, _database(store) as db:
        if progress:
            n = 1 if pool is None else workers or available_cores()
            pilot = run_pilot(simulator.at, prior, n, seed, map if pool is None else pool.map)
        np.random.seed(seed)
        abc = pyabc.ABCSMC(
            simulator,
            distribution,
            kernel,
            population_size=population,
            sampler=_sampler(pool, workers, live),
            eps=pyabc.Temperature(),
            acceptor=pyabc.StochasticAcceptor(),
        )
        with pyabc_log(live):
            history = _open(abc, db, targets.observed())
            left = simulations - history.total_nr_simulations
            live.done = live.first = history.total_nr_simulations
            live.finished = history.max_t + 1
            if pilot is not None:
                live.report(pilot.line(max(left, 0), simulations, minutes))
            if _temperature(history) > 1.0 and left > 0:
                spent = time.monotonic() - live.start
                with contextlib.suppress(OutOfTimeError):  # finished generations are kept
                    history = abc.run(
                        minimum_epsilon=1.0,
                        max_nr_populations=GENERATIONS,
                        max_total_nr_simulations=left,
                        max_walltime=None
                        if minutes is None
                        else timedelta(seconds=max(0.0, minutes * 60 - spent)),
                    )
                history = abc.history
        frame, weights = history.get_distribution(t=history.max_t)
        generations = history.get_all_populations()
        exact = _temperature(history) <= 1.0
        stopped = _stopped(exact, history.total_nr_simulations, simulations, live)
        posterior = frame.rename(columns={_name(i): p.key for i, p in enumerate(prior)})
        posterior = posterior[[p.key for p in prior]].reset_index(drop=True)
        posterior["weight"] = np.asarray(weights) / np.sum(weights)
        summary = summarize(prior, posterior)
        check = predictive_check(
            simulator.at,
            posterior,
            targets,
            simulator.figures(base, seed),
            seed,
            mapper=map if pool is None else pool.map,
        )
    table = generations.rename(columns={"epsilon": "temperature"})
    calibrated = with_medians(scenario, summary)
    return Calibration(posterior, summary, check, table, calibrated, exact, stopped, minutes, pilot)


def with_medians(scenario: Scenario, summary: pd.DataFrame) -> Scenario:
    """``scenario`` with a calibration's posterior medians (rounded where a field is whole).

    Renamed ``<name>_calibrated``; its own horizon and every other field kept. Used on
    the scenario file itself when the fit ran on a ``--set`` sample of it.
    """
    known = scenario.model_dump()
    point = {
        key: coerce(float(median), field_value(known, key, key), rounding=True)
        for key, median in zip(summary.param, summary["median"], strict=True)
    }
    calibrated = with_overrides(scenario, point, "calibrate")
    return calibrated.model_copy(update={"name": f"{scenario.name}_calibrated"})


def _stopped(exact: bool, done: int, budget: int, live: Progress) -> str:
    """Why a run ended before temperature 1: its simulation or its wall-clock budget."""
    if exact:
        return ""
    if done >= budget:
        return "simulations"
    return "minutes" if live.out_of_time() else ""


def _name(i: int) -> str:
    """The pyabc name of parameter ``i`` (dotted keys are not safe names in its database)."""
    return f"p{i}"


@contextlib.contextmanager
def _pool(executor: Executor | None, workers: int | None) -> Iterator[Executor | None]:
    """The run's engine: the executor given, a local pool, or None (this process)."""
    if executor is not None:
        yield executor
        return
    with engine(workers) as pool:
        yield pool


def _sampler(pool: Executor | None, workers: int | None, live: Progress) -> Any:
    """The pyabc sampler on the engine, each finished simulation counted for ``live``."""
    from pyabc.sampler import ConcurrentFutureSampler, SingleCoreSampler

    if pool is None:
        sampler = SingleCoreSampler()
        sample = sampler.sample_until_n_accepted

        def counting(n: int, simulate_one: Any, t: int, **options: Any) -> Any:
            return sample(n, counted(simulate_one, live), t, **options)

        sampler.sample_until_n_accepted = counting
        return sampler
    jobs = 2 * (workers or available_cores())
    return ConcurrentFutureSampler(CountingExecutor(pool, live), client_max_jobs=jobs)


@contextlib.contextmanager
def _database(store: str | Path | None) -> Iterator[str]:
    """The pyabc SQLite database: in ``store``, or a temporary one."""
    if store is not None:
        Path(store).mkdir(parents=True, exist_ok=True)
        yield f"sqlite:///{Path(store).resolve() / 'abc.db'}"
        return
    with tempfile.TemporaryDirectory(prefix="touchpoint-abc-") as folder:
        yield f"sqlite:///{Path(folder) / 'abc.db'}"


def _open(abc: Any, db: str, observed: dict[str, float]) -> Any:
    """Continue the database's run if it has one, else start a new one."""
    path = Path(db.removeprefix("sqlite:///"))
    if path.exists():
        history = abc.load(db, 1, observed)
        if history.max_t >= 0:
            return history
    return abc.new(db, observed)


def _temperature(history: Any) -> float:
    """The last generation's temperature (inf before the first)."""
    if history.max_t < 0:
        return math.inf
    return float(history.get_all_populations().epsilon.iloc[-1])
