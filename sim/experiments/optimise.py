"""``optimise``: the best plan for a budget, searched on the simulation itself.

::

    import sim
    best = sim.optimise("scenarios/touchpoint_management.yaml",
                        ["channels.search_content.budget", "channels.webinar.budget",
                         "sales.reps=0:4", "sales.response_time_hours=1:48"],
                        budget=30000, objectives=["cost_of_sale"], trials=200)
    best.confirmed          # the best plans against the start, with 95% CIs

The search is optuna's TPE (a noise-tolerant Bayesian optimiser for mixed integer and
continuous levers, with constraints and two objectives), asked a few plans at a time
so that the engine's workers stay busy (optuna's "constant liar" keeps the plans of
one batch apart). Every plan runs on the same replication seeds (common random
numbers), so that the difference between two plans is the plan's, not luck's. The
best few are then run again on *fresh* seeds, with more replications, beside the
start and any rival strategies, so that the reported gain is not the search's luck
either (the winner's curse).
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from sim.analysis.folders import register_owned
from sim.analysis.kpis import BUDGET_USED, UNDERSPEND
from sim.experiments import confirmation
from sim.experiments import goals as aims
from sim.experiments.compare import Comparison, compare
from sim.experiments.engines import executor_for
from sim.experiments.goals import Constraint, Objective
from sim.experiments.plans import Lever, Plans, make_plans
from sim.experiments.runner import run_specs, tidy
from sim.experiments.specs import (
    RunSpec,
    ScenarioLike,
    base_scenario,
    check_count,
    check_seed,
    replication_seeds,
)
from sim.experiments.store import RunStore, open_store
from sim.scenario.schema import Scenario

OPTIMISE_KIND = "optimise"
"""The kind of output folder (and store) this produces."""

STUDY = "optuna"
STUDY_FILES = r"study\.db(-journal)?|settings\.json"
"""The folder of optuna's study database inside the output folder, and its files."""

BATCH = 4
"""Plans asked for at once (optuna's constant liar keeps them apart): enough to keep two
workers busy, and fixed, so that a seed gives the same plans whatever the engine."""

COST = "acquisition_cost"
"""What a plan actually spent on winning customers (marketing, reps, referral rewards)."""


@dataclass
class Optimisation:
    """What :func:`optimise` found.

    Attributes:
        trials: One row per plan tried: ``trial``, the levers' values (``param.<key>``;
            share levers also as the budget they gave, ``budget.<channel>``), each
            objective's mean and standard error over the replications, each constraint's
            excess (≤ 0: kept), ``feasible``, ``spend`` (what the plan actually spent on
            winning customers), ``unspent`` (budget its channels could not spend, counted
            as spent in the money KPIs: see :func:`~sim.experiments.goals.charge_unspent`)
            and ``underspent`` (those channels).
        confirmed: The start, the best plans and any rivals, run again on fresh seeds
            (a :class:`~sim.experiments.compare.Comparison`, the start its baseline).
        verdict: Per scenario of the confirmation and objective: mean, 95% CI, and the
            paired difference to the best plan with its CI and whether the best plan is
            clearly better.
        best: The best plan, a complete scenario.
        best_label: Its name in the confirmation (``plan_<trial>``).
        front: The plans on the Pareto front (two objectives), else empty.
        importance: Each lever's share of the variation of the first objective (fANOVA).
        objectives, constraints: What was aimed at.
        notes: Adjustments made to the levers, and what the reader must know.
    """

    trials: pd.DataFrame
    confirmed: Comparison
    verdict: pd.DataFrame
    best: Scenario
    best_label: str
    front: pd.DataFrame
    importance: pd.DataFrame
    objectives: list[Objective]
    constraints: list[Constraint]
    notes: list[str]

    def warnings(self) -> list[str]:
        """Notes, the start or rivals the best plan does not clearly beat, its capped channels."""
        lines = list(self.notes)
        rivals = ~self.verdict.scenario.str.startswith("plan_")  # the start and --against
        others = self.verdict[rivals & (self.verdict.scenario != self.best_label)]
        for _, row in others[~others.best_clearly_better].iterrows():
            lines.append(
                f"the best plan does not clearly beat {row.scenario} on {row.kpi}: the paired "
                "95% interval of the difference includes 0 or favours it (the two may be "
                "equally good, or more --confirm-replications would tell them apart)"
            )
        row = self.confirmed.kpis[self.confirmed.kpis.scenario == self.best_label]
        for column in row.columns:
            if column.startswith(BUDGET_USED) and row[column].mean() < UNDERSPEND:
                lines.append(
                    f"{self.best_label}: channel {column.removeprefix(BUDGET_USED)} spent only "
                    f"{row[column].mean():.0%} of its budget (reach caps it); the rest counts "
                    "as spent in its cost of sale: move it to a channel that can use it"
                )
        return lines


def optimise(
    scenario: ScenarioLike,
    levers: Sequence[str],
    budget: float | None = None,
    objectives: Sequence[str] = ("cost_of_sale",),
    constraints: Sequence[str] = (),
    trials: int = 200,
    replications: int = 10,
    seed: int = 0,
    *,
    confirm: int = 3,
    confirm_replications: int = 30,
    against: Sequence[Scenario] = (),
    executor: Executor | None = None,
    workers: int | None = None,
    progress: bool = True,
    store: str | Path | None = None,
    fresh: bool = False,
) -> Optimisation:
    """Search the levers for the best plan at one monthly budget, then confirm it.

    Args:
        scenario: The starting scenario (a Scenario or a YAML file).
        levers: ``channels.NAME.budget`` (a share of the budget) or ``KEY=LOW:HIGH[:log]``.
        budget: Monthly budget, channels + rep payroll (default: the scenario's own).
        objectives: One KPI, or two for a Pareto front; each in its natural direction.
        constraints: ``KPI<=VALUE`` or ``KPI>=VALUE`` on a plan's mean.
        trials: Plans to try.
        replications: Runs per plan, on the same seeds for every plan.
        seed: Master seed of the replications and of the search.
        confirm: Best plans run again.
        confirm_replications: Their runs, on fresh seeds (``seed + 1``).
        against: Rival scenarios for the confirmation (e.g. the shipped strategies).
        executor: Run on this executor (e.g. a Dask client's); else a local pool.
        workers: Size of the local pool (default: the cores; 1 = in this process).
        progress: A progress bar on stderr.
        store: An output folder: optuna's study (``STORE/optuna/``) and every finished
            run (``STORE/runs/``) are kept there, and an interrupted search continues.
        fresh: Discard a store made by another model or scenario instead of refusing it.
    """
    base, _ = base_scenario(scenario)
    for name, count in (
        ("trials", trials),
        ("replications", replications),
        ("confirm", confirm),
        ("confirm_replications", confirm_replications),
    ):
        check_count(name, count)  # fmt: skip
    check_seed(seed)
    plans = make_plans(base, levers, budget)
    goals = aims.objectives(base, objectives)
    bounds = aims.constraints(base, constraints)
    runs = open_store(store, base, OPTIMISE_KIND, fresh)
    seeds = replication_seeds(seed, replications)
    with executor_for(executor, workers, runs=trials) as pool:
        study = _study(goals, seed, store, trials)
        rows = _search(study, plans, goals, bounds, trials, seeds, pool, workers, runs, progress)
        trials_table = pd.DataFrame(rows).sort_values("trial", ignore_index=True)
        front = _front(study, trials_table, goals)
        chosen = confirmation.candidates(
            trials_table[trials_table.trial != 0], front, goals, confirm
        )
        start = base.model_copy(update={"name": f"{base.name}_start"})
        candidates = [start] + [plans.scenario(_point(plans, row), f"plan_{int(row.trial)}")
                                for _, row in chosen.iterrows()]  # fmt: skip
        confirmed = compare([*candidates, *against], confirm_replications, seed + 1,
                            executor=pool, workers=workers, progress=progress)  # fmt: skip
    verdict, best_name = confirmation.verdict(
        confirmed, goals, bounds, [c.name for c in candidates]
    )
    best = next(c for c in candidates if c.name == best_name)
    notes = [*plans.notes, *_spend_notes(trials_table)]
    if not math.isclose(base.monthly_budget(), plans.budget, rel_tol=1e-6):
        notes.append(
            f"the start spends {base.monthly_budget():,.0f} a month, the plans "
            f"{plans.budget:,.0f}: trial 0 is the start's split at the plans' budget"
        )
    if best_name == start.name:
        notes.append(
            f"no plan the search found beat the start on {goals[0].kpi} on fresh seeds: "
            "best.yaml is the start"
        )
    return Optimisation(
        trials_table, confirmed, verdict, best.model_copy(update={"name": f"{base.name}_best"}),
        best_name, front, _importance(study, plans, seed), goals, bounds, notes,
    )  # fmt: skip


def _study(goals: list[Objective], seed: int, store: str | Path | None, trials: int):
    """The optuna study: in ``STORE/optuna/study.db`` if there is a store (it resumes)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = None
    if store is not None:
        register_owned(Path(store), STUDY, STUDY_FILES)
        folder = Path(store) / STUDY
        folder.mkdir(exist_ok=True)
        storage = f"sqlite:///{folder / 'study.db'}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        sampler = optuna.samplers.TPESampler(
            seed=seed,
            multivariate=True,
            constant_liar=True,
            n_startup_trials=min(10, max(4, trials // 10)),  # random plans before TPE
        )
    return optuna.create_study(
        storage=storage,
        sampler=sampler,
        study_name=OPTIMISE_KIND,
        directions=[g.direction for g in goals],
        load_if_exists=True,
    )


def _search(study, plans, goals, bounds, trials, seeds, pool, workers, runs, progress) -> list:
    """Ask plans a batch at a time, run them on the same seeds, tell optuna their means."""
    import optuna

    if not study.trials:
        study.enqueue_trial(plans.start())  # the start is a plan too: the first one tried
    stale = study.get_trials(deepcopy=False, states=[optuna.trial.TrialState.RUNNING])
    for trial in stale:  # interrupted: failed, and tried again
        study.tell(trial.number, state=optuna.trial.TrialState.FAIL)
        study.enqueue_trial(trial.params)
    redo = {trial.number for trial in stale}
    rows = [dict(t.user_attrs["row"]) for t in study.trials
            if "row" in t.user_attrs and t.number not in redo]  # fmt: skip
    bar = tqdm(total=trials, initial=len(rows), desc="plans", unit="plan", disable=not progress)
    with contextlib.closing(bar):
        while len(rows) < trials:
            with _quiet_optuna():
                asked = [study.ask() for _ in range(min(BATCH, trials - len(rows)))]
            points = [{lever.name: _suggest(t, lever) for lever in plans.levers} for t in asked]
            table = _evaluate(plans, points, [t.number for t in asked], seeds, pool, workers, runs)
            for trial, point in zip(asked, points, strict=True):
                row = _summarise(trial.number, point, plans, table, goals, bounds)
                trial.set_user_attr("row", row)
                for bound in bounds:  # TPE prefers plans that keep them (≤ 0)
                    trial.set_constraint(str(bound), row[f"excess.{bound}"])
                values = _penalised([row[g.kpi] for g in goals], rows, goals)
                if values is None:  # nothing to compare it with yet
                    study.tell(trial, state=optuna.trial.TrialState.FAIL)
                else:
                    study.tell(trial, values)
                rows.append(row)
            bar.update(len(asked))
            best = _best_so_far(rows, goals[0])
            if best is not None:
                bar.set_postfix_str(f"best {goals[0].kpi} {best:,.4g}")
    return rows


@contextlib.contextmanager
def _quiet_optuna() -> Iterator[None]:
    import optuna

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        yield


def _suggest(trial, lever: Lever) -> float:
    if lever.integer:
        return trial.suggest_int(lever.name, math.ceil(lever.low), math.floor(lever.high),
                                 log=lever.log)  # fmt: skip
    return trial.suggest_float(lever.name, lever.low, lever.high, log=lever.log)


def _evaluate(plans: Plans, points, numbers, seeds, pool, workers, runs: RunStore | None):
    """Every run of a batch of plans, on the same seeds: one tidy row per run."""
    specs = [
        RunSpec(plans.scenario(point, f"plan_{n}"), s, r, f"plan_{n}", {"trial": n})
        for point, n in zip(points, numbers, strict=True)
        for r, s in enumerate(seeds)
    ]
    records = run_specs(specs, executor=pool, workers=workers, progress=False, store=runs)
    return tidy(specs, records, [{"replication": s.replication} for s in specs])


def _summarise(number, point, plans, table, goals, bounds) -> dict:
    """A plan's row: its levers, budgets, means and standard errors, constraints, spend."""
    runs = aims.charge_unspent(table[table["param.trial"] == number])
    scenario = plans.scenario(point, "plan")
    row: dict = {"trial": number}
    for lever in plans.levers:
        row[f"param.{lever.name}"] = point[lever.name]
    for lever in plans.shares:
        row[f"budget.{lever.channel}"] = scenario.channels[lever.channel].budget
    for kpi in dict.fromkeys([g.kpi for g in goals] + [b.kpi for b in bounds]):
        values = runs[kpi].to_numpy(dtype=float)
        defined = values[np.isfinite(values)]
        row[kpi] = float(defined.mean()) if defined.size else math.nan
        row[f"{kpi}.se"] = float(defined.std(ddof=1) / math.sqrt(defined.size)) if (
            defined.size > 1) else math.nan  # fmt: skip
    for bound in bounds:
        row[f"excess.{bound}"] = bound.excess(row[bound.kpi])
    row["feasible"] = all(row[f"excess.{b}"] <= 0 for b in bounds)
    row["monthly_budget"] = scenario.monthly_budget()
    row["spend"] = float((runs[COST] - runs[aims.UNSPENT]).mean())
    row["unspent"] = float(runs[aims.UNSPENT].mean())
    used = [c for c in runs.columns if c.startswith(BUDGET_USED)]
    row["underspent"] = " ".join(
        c.removeprefix(BUDGET_USED) for c in used if runs[c].mean() < UNDERSPEND
    )
    return row


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


def _front(study, table: pd.DataFrame, goals: list[Objective]) -> pd.DataFrame:
    """The Pareto-optimal feasible plans (two objectives), else an empty table."""
    if len(goals) < 2:
        return table.iloc[0:0]
    numbers = {t.number for t in study.best_trials}
    front = table[table.trial.isin(numbers) & table.feasible]
    return front.sort_values(goals[0].kpi, ascending=goals[0].minimize, ignore_index=True)


def _point(plans: Plans, row: pd.Series) -> dict[str, float]:
    return {lever.name: row[f"param.{lever.name}"] for lever in plans.levers}


def _spend_notes(table: pd.DataFrame) -> list[str]:
    capped = table[table.underspent != ""]
    if capped.empty:
        return []
    channels = sorted({c for cell in capped.underspent for c in cell.split()})
    return [
        f"{len(capped)} of {len(table)} plans could not spend their whole budget "
        f"(reach caps {', '.join(channels)}): unspent money counts as spent in cost of "
        "sale and profit, so the search does not take it for a saving"
    ]


def _importance(study, plans: Plans, seed: int) -> pd.DataFrame:
    """Each lever's importance for the first objective (optuna's fANOVA evaluator)."""
    import optuna

    done = study.get_trials(deepcopy=False, states=[optuna.trial.TrialState.COMPLETE])
    names = [lever.name for lever in plans.levers]
    if len(names) == 1 or len(done) < 2:
        return pd.DataFrame({"lever": names, "importance": 1.0 if len(names) == 1 else math.nan})
    with _quiet_optuna():
        scores = optuna.importance.get_param_importances(
            study,
            evaluator=optuna.importance.FanovaImportanceEvaluator(seed=seed),
            target=lambda t: t.values[0],
        )
    return pd.DataFrame({"lever": list(scores), "importance": list(scores.values())})
