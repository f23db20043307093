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

import math
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.kpis import BUDGET_USED, UNDERSPEND
from sim.experiments import confirmation
from sim.experiments import goals as aims
from sim.experiments.compare import Comparison, compare
from sim.experiments.engines import executor_for
from sim.experiments.goals import Constraint, Objective
from sim.experiments.plans import Plans, make_plans
from sim.experiments.runner import run_specs, tidy
from sim.experiments.search import front, importance, open_study, search
from sim.experiments.specs import (
    RunSpec,
    ScenarioLike,
    base_scenario,
    check_count,
    check_seed,
    replication_seeds,
)
from sim.experiments.store import RunStore, open_store
from sim.scenario.errors import InputError
from sim.scenario.schema import Scenario

OPTIMISE_KIND = "optimise"
"""The kind of output folder (and store) this produces."""

COST = "acquisition_cost"
"""What a plan actually spent on winning customers (marketing, reps, referral rewards)."""

UNDEFINED = "undefined."
"""Prefix of a trials column: why an objective was undefined in some run of the plan."""


class UndefinedObjectiveError(InputError):
    """An objective undefined in every run of every plan tried: no plan can be chosen.

    Attributes:
        trials: The trials table (every plan tried), to be kept all the same.
    """

    def __init__(self, message: str, trials: pd.DataFrame) -> None:
        super().__init__(message)
        self.trials = trials


@dataclass
class Optimisation:
    """What :func:`optimise` found.

    Attributes:
        trials: One row per plan tried: ``trial``, the levers' values (``param.<key>``;
            share levers also as the budget they gave, ``budget.<channel>``), each
            objective's mean and standard error over the replications that have a value
            and why some had none (``undefined.<kpi>``), each constraint's excess (≤ 0:
            kept), ``feasible``, ``spend`` (what the plan actually spent on winning
            customers), ``unspent`` (budget its channels could not spend, counted
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
        importance: Each lever's share of the variation of the first objective (fANOVA;
            NaN if it did not vary).
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
    quantile: float | None = None,
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
        quantile: Judge plans by a plausible worst case instead of the mean: the
            objective's value that a share 1 − ``quantile`` of the runs do better than
            (0.1: the worst decile). Meant for a scenario with uncertain inputs, where
            each replication draws a market: every plan meets the same draws (robust
            optimisation); needs enough replications for the quantile.

    Raises:
        InputError: Bad levers, objectives, constraints or counts, before any run.
        UndefinedObjectiveError: An objective no run of any plan gave a value (its
            ``trials`` hold the plans tried).
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
    goals = aims.objectives(base, objectives, quantile)
    bounds = aims.constraints(base, constraints)
    runs = open_store(store, base, OPTIMISE_KIND, fresh)
    seeds = replication_seeds(seed, replications)
    with executor_for(executor, workers, runs=trials) as pool:
        study = open_study(goals, store)
        evaluate = partial(_evaluate, plans, goals, bounds, seeds, pool, workers, runs)
        rows = search(study, plans, goals, bounds, trials, seed, evaluate, progress)
        trials_table = pd.DataFrame(rows).sort_values("trial", ignore_index=True)
        for goal in goals:
            _check_defined(trials_table, goal)
        plans_front = front(study, trials_table, goals)
        chosen = confirmation.candidates(
            trials_table[trials_table.trial != 0], plans_front, goals, confirm
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
    notes = [*plans.notes, *_flat_notes(trials_table, goals[0]), *_spend_notes(trials_table)]
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
        best_name, plans_front, importance(study, plans, seed), goals, bounds, notes,
    )  # fmt: skip


def _evaluate(plans: Plans, goals, bounds, seeds, pool, workers, runs: RunStore | None,
              points: list[dict[str, float]], numbers: list[int]) -> list[dict]:  # fmt: skip
    """Every run of a batch of plans, on the same seeds: each plan's row (:func:`_summarise`)."""
    specs = [
        RunSpec(plans.scenario(point, f"plan_{n}"), s, r, f"plan_{n}", {"trial": n})
        for point, n in zip(points, numbers, strict=True)
        for r, s in enumerate(seeds)
    ]
    records = run_specs(specs, executor=pool, workers=workers, progress=False, store=runs)
    why = [{f"{UNDEFINED}{g.kpi}": record["undefined"].get(g.kpi, "") for g in goals}
           for record in records]  # fmt: skip
    table = tidy(specs, records, [{"replication": s.replication, **w}
                                  for s, w in zip(specs, why, strict=True)])  # fmt: skip
    return [_summarise(n, point, plans, table, goals, bounds)
            for point, n in zip(points, numbers, strict=True)]  # fmt: skip


def _summarise(number, point, plans, table, goals, bounds) -> dict:
    """A plan's row: levers, budgets, means, standard errors, why undefined, spend."""
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
    for goal in goals:
        if goal.quantile is not None:  # judged by its worst case; the mean is kept beside
            row[f"{goal.kpi}.mean"] = row[goal.kpi]
            row[goal.kpi] = goal.score(runs[goal.kpi].to_numpy(dtype=float))
    for goal in goals:
        reasons = Counter(runs.loc[~np.isfinite(runs[goal.kpi]), f"{UNDEFINED}{goal.kpi}"])
        row[f"{UNDEFINED}{goal.kpi}"] = reasons.most_common(1)[0][0] if reasons else ""
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


def _check_defined(table: pd.DataFrame, goal: Objective) -> None:
    """Refuse an objective no plan gave a value, naming why its runs left it undefined."""
    if np.isfinite(table[goal.kpi]).any():
        return
    reasons = Counter(r for r in table[f"{UNDEFINED}{goal.kpi}"] if r)
    why = reasons.most_common(1)[0][0] if reasons else "no run gave a value"
    raise UndefinedObjectiveError(
        f"the objective {goal.kpi} is undefined in every run of the {len(table)} plans tried "
        f"({why}): there is nothing to choose a plan by; choose another objective",
        table,
    )


def _flat_notes(table: pd.DataFrame, goal: Objective) -> list[str]:
    """Say so when no lever moved the objective: every plan is as good as the start."""
    values = table[goal.kpi][np.isfinite(table[goal.kpi])]
    if values.nunique() != 1:
        return []
    return [
        f"the objective {goal.kpi} did not change across the {len(table)} plans tried "
        f"({values.iloc[0]:,.4g} in each): no lever importance to report"
    ]
