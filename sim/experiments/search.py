"""The search of ``optimise``: optuna's study, asked a batch of plans at a time, resumable.

optuna's TPE is asked :data:`BATCH` plans at once (its "constant liar" keeps the plans
of one batch apart), every plan is run, and optuna is told their means. The study is a
database (``STORE/optuna/study.db``), so a search stopped by Ctrl-C or kill -9 continues
with the same command, and continues *as if it had never stopped*:

- optuna keeps the trials but not its sampler's random state, so each plan is drawn by
  a sampler seeded from the search's seed and the trial's number: a plan depends only on
  the seed and the trials before it, not on when the process started;
- the plans of an interrupted batch are in the study as running trials: they are run
  again under their own numbers, and the rest of the batch is asked, before any is told.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from sim.analysis.folders import register_owned
from sim.experiments.goals import Constraint, Objective
from sim.experiments.plans import Lever, Plans

STUDY = "optuna"
STUDY_FILES = r"study\.db(-journal)?|settings\.json"
"""The folder of optuna's study database inside the output folder, and its files."""

STUDY_NAME = "optimise"
"""The study's name in its database."""

BATCH = 4
"""Plans asked for at once (optuna's constant liar keeps them apart): enough to keep two
workers busy, and fixed, so that a seed gives the same plans whatever the engine."""

Evaluate = Callable[[list[dict[str, float]], list[int]], list[dict]]
"""Runs plans (points of the levers, with their trial numbers): one summary row each."""


def open_study(goals: list[Objective], store: str | Path | None):
    """The optuna study: in ``STORE/optuna/study.db`` if there is a store (it resumes)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = None
    if store is not None:
        register_owned(Path(store), STUDY, STUDY_FILES)
        folder = Path(store) / STUDY
        folder.mkdir(exist_ok=True)
        storage = f"sqlite:///{folder / 'study.db'}"
    return optuna.create_study(
        storage=storage,
        sampler=optuna.samplers.RandomSampler(seed=0),  # replaced for every trial: _sampler
        study_name=STUDY_NAME,
        directions=[g.direction for g in goals],
        load_if_exists=True,
    )


def search(
    study,
    plans: Plans,
    goals: list[Objective],
    bounds: list[Constraint],
    trials: int,
    seed: int,
    evaluate: Evaluate,
    progress: bool,
) -> list[dict]:
    """Ask plans a batch at a time, run them, tell optuna their means; the rows, by trial.

    Args:
        study: From :func:`open_study`, new or holding an earlier part of this search.
        plans: The levers.
        goals: The objectives, told to optuna.
        bounds: The constraints, set on the trials.
        trials: Plans to try in all, those of the study included.
        seed: The search's seed.
        evaluate: Runs a batch of plans; its rows hold each objective's and bound's KPI.
        progress: A progress bar on stderr.
    """
    import optuna

    state = optuna.trial.TrialState
    if not study.trials:
        study.enqueue_trial(plans.start())  # the start is a plan too: the first one tried
    told = study.get_trials(deepcopy=False, states=[state.COMPLETE, state.FAIL])
    # (a study of an earlier version failed its interrupted trials, without a row)
    rows = [dict(t.user_attrs["row"]) for t in told if "row" in t.user_attrs]
    asked = [_resumed(study, plans, seed, trials, t)  # an interrupted batch's plans
             for t in study.get_trials(deepcopy=False, states=[state.RUNNING])]  # fmt: skip
    bar = tqdm(total=trials, initial=len(rows), desc="plans", unit="plan", disable=not progress)
    with contextlib.closing(bar):
        while len(rows) < trials:
            while len(asked) < min(BATCH, trials - len(rows)):
                study.sampler = _sampler(seed, len(study.get_trials(deepcopy=False)), trials)
                with _quiet_optuna():
                    trial = study.ask()
                    asked.append((trial, _suggest_all(trial, plans)))  # the next one sees it
            batch = evaluate([point for _, point in asked], [t.number for t, _ in asked])
            for (trial, _), row in zip(asked, batch, strict=True):
                trial.set_user_attr("row", row)
                for bound in bounds:  # TPE prefers plans that keep them (≤ 0)
                    if str(bound) not in trial.constraints:  # set before an interruption
                        trial.set_constraint(str(bound), row[f"excess.{bound}"])
                values = _penalised([row[g.kpi] for g in goals], rows, goals)
                if values is None:  # nothing to compare it with yet
                    study.tell(trial, state=state.FAIL)
                else:
                    study.tell(trial, values)
                rows.append(row)
            bar.update(len(asked))
            asked = []
            best = _best_so_far(rows, goals[0])
            if best is not None:
                bar.set_postfix_str(f"best {goals[0].kpi} {best:,.4g}")
    return rows


def _sampler(seed: int, number: int, trials: int):
    """TPE for trial ``number``, seeded from (seed, number): the same plan after a resume."""
    import optuna

    (trial_seed,) = np.random.SeedSequence([seed, number]).generate_state(1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return optuna.samplers.TPESampler(
            seed=int(trial_seed),
            multivariate=True,
            constant_liar=True,
            n_startup_trials=min(10, max(4, trials // 10)),  # random plans before TPE
        )


def _resumed(study, plans: Plans, seed: int, trials: int, frozen):
    """A trial an interrupted search left running, and its plan: to be run and told now.

    Its plan is read back from the study; a lever it had not drawn yet is drawn by the
    sampler it would have had (the trials it saw then are the ones before it).
    """
    import optuna

    study.sampler = _sampler(seed, frozen.number, trials)
    trial = optuna.trial.Trial(study, frozen._trial_id)  # optuna keeps the id private
    with _quiet_optuna():
        return trial, _suggest_all(trial, plans)


@contextlib.contextmanager
def _quiet_optuna() -> Iterator[None]:
    import optuna

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        yield


def _suggest_all(trial, plans: Plans) -> dict[str, float]:
    """The trial's plan: each lever's value (drawn once, then read back)."""
    return {lever.name: _suggest(trial, lever) for lever in plans.levers}


def _suggest(trial, lever: Lever) -> float:
    if lever.integer:
        return trial.suggest_int(lever.name, math.ceil(lever.low), math.floor(lever.high),
                                 log=lever.log)  # fmt: skip
    return trial.suggest_float(lever.name, lever.low, lever.high, log=lever.log)


def _penalised(values: list[float], rows: list[dict], goals: list[Objective]):
    """A plan's objective values, an undefined one told as the worst value seen so far.

    A plan whose runs won no customer has no cost of sale; told as failed, TPE would
    ignore it and keep sampling there. None if there is no value to borrow yet.
    """
    out = []
    for value, goal in zip(values, goals, strict=True):
        if not math.isfinite(value):
            seen = [r[goal.kpi] for r in rows if math.isfinite(r[goal.kpi])]
            if not seen:
                return None
            value = max(seen) if goal.minimize else min(seen)
        out.append(value)
    return out


def _best_so_far(rows: list[dict], goal: Objective) -> float | None:
    values = [r[goal.kpi] for r in rows if r["feasible"] and math.isfinite(r[goal.kpi])]
    if not values:
        return None
    return min(values) if goal.minimize else max(values)


def front(study, table: pd.DataFrame, goals: list[Objective]) -> pd.DataFrame:
    """The Pareto-optimal feasible plans (two objectives), else an empty table."""
    if len(goals) < 2:
        return table.iloc[0:0]
    numbers = {t.number for t in study.best_trials}
    chosen = table[table.trial.isin(numbers) & table.feasible]
    return chosen.sort_values(goals[0].kpi, ascending=goals[0].minimize, ignore_index=True)


def importance(study, plans: Plans, seed: int) -> pd.DataFrame:
    """Each lever's importance for the first objective (optuna's fANOVA evaluator).

    NaN for every lever when fewer than two plans were told or the objective did not
    change between them (nothing to apportion).
    """
    import optuna

    done = study.get_trials(deepcopy=False, states=[optuna.trial.TrialState.COMPLETE])
    names = [lever.name for lever in plans.levers]
    if len({t.values[0] for t in done}) < 2:
        return pd.DataFrame({"lever": names, "importance": math.nan})
    if len(names) == 1:
        return pd.DataFrame({"lever": names, "importance": 1.0})
    with _quiet_optuna():
        scores = optuna.importance.get_param_importances(
            study,
            evaluator=optuna.importance.FanovaImportanceEvaluator(seed=seed),
            target=lambda t: t.values[0],
        )
    return pd.DataFrame({"lever": list(scores), "importance": list(scores.values())})
