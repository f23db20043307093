"""The best plans of a search, run again on fresh seeds beside the start and any rivals.

The search's own means are optimistic: the plan that looks best among 200 was often
lucky on the search's seeds (the winner's curse). So the best few are run again on
other seeds, with more replications, and judged by paired 95% intervals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.experiments import goals as aims
from sim.experiments.changes import paired_changes
from sim.experiments.compare import Comparison
from sim.experiments.goals import Constraint, Objective


def candidates(
    table: pd.DataFrame, front: pd.DataFrame, goals: list[Objective], confirm: int
) -> pd.DataFrame:
    """The plans to confirm: the best feasible ones, or plans spread along the front."""
    front = front[front.trial.isin(table.trial)]
    if len(goals) > 1 and len(front):
        picks = np.unique(np.linspace(0, len(front) - 1, min(confirm, len(front))).round())
        return front.iloc[picks.astype(int)]
    pool = table[table.feasible & np.isfinite(table[goals[0].kpi])]
    if pool.empty:
        pool = table[np.isfinite(table[goals[0].kpi])]
    return pool.sort_values(goals[0].kpi, ascending=goals[0].minimize).head(confirm)


def verdict(
    confirmed: Comparison, goals: list[Objective], bounds: list[Constraint], names: list[str]
) -> tuple[pd.DataFrame, str]:
    """The confirmed best plan (first objective, constraints kept), and everyone against it."""
    kpis = list(dict.fromkeys([g.kpi for g in goals] + [b.kpi for b in bounds]))
    confirmed = Comparison(aims.charge_unspent(confirmed.kpis), confirmed.daily,
                           confirmed.scenarios, confirmed.colors)  # fmt: skip
    means = confirmed.kpis.groupby("scenario")[kpis].mean()
    kept = [n for n in names if all(b.excess(means.at[n, b.kpi]) <= 0 for b in bounds)]
    goal = goals[0]
    scores = confirmed.kpis.groupby("scenario")[goal.kpi].agg(lambda v: goal.score(v.to_numpy()))
    # stable: on a tie the start (named first) stays best, as a plan must beat it
    ranked = scores.loc[kept or names].sort_values(ascending=goal.minimize, kind="stable")
    best = str(ranked.index[0])
    summary = confirmed.summary().set_index(["scenario", "kpi"])
    diffs = paired_changes(confirmed.kpis, ["scenario"], (best,), kpis).set_index(
        ["scenario", "kpi"]
    )
    rows = []
    for scenario in confirmed.scenarios:
        for g in goals:
            s, d = summary.loc[(scenario, g.kpi)], diffs.loc[(scenario, g.kpi)]
            worse = d.diff_low > 0 if g.minimize else d.diff_high < 0
            score = g.score(confirmed.kpis.loc[confirmed.kpis.scenario == scenario, g.kpi])
            rows.append({
                "scenario": scenario, "kpi": g.kpi, "judged_by": g.measure, "score": score,
                "mean": s["mean"], "ci_low": s.ci_low,
                "ci_high": s.ci_high, "vs_best": d["diff"], "vs_best_low": d.diff_low,
                "vs_best_high": d.diff_high, "best_clearly_better": bool(worse),
            })  # fmt: skip
    return pd.DataFrame(rows), best
