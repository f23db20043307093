"""``optimise``: plans at one budget, the search against brute force, outputs, bad levers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

import sim
from sim.analysis.results import simulate_batch
from sim.experiments.goals import charge_unspent
from sim.experiments.optimise import optimise
from sim.experiments.plans import make_plans
from sim.experiments.specs import replication_seeds
from sim.scenario.errors import InputError
from tests.conftest import SCENARIOS, run_cli

pytest.importorskip("optuna")

FILE = SCENARIOS / "touchpoint_management.yaml"
SMALL = {"population.size": 5000, "horizon_days": 180}
TINY = {"population.size": 1000, "horizon_days": 60}
"""For the commands' machinery (files, resuming, reproducing): a plan's worth does not matter."""
SHARES = ["channels.search_content.budget", "channels.webinar.budget"]


def _base():
    return sim.load_scenario(FILE, SMALL)


def _cost_of_sale(runs) -> np.ndarray:
    """Per run, unspent budget counted as spent, as the search counts it; a run that won
    no customer has no cost of sale: the worst (inf)."""
    kpis = pd.DataFrame([r.kpis for r in runs]).astype(float)
    return charge_unspent(kpis)["cost_of_sale"].fillna(np.inf).to_numpy()


def test_every_plan_spends_the_budget_and_the_start_is_a_plan():
    plans = make_plans(_base(), [*SHARES, "sales.reps=1:5", "sales.response_time_hours=1:48"],
                       budget=30000)  # fmt: skip
    assert any("at most 2" in note for note in plans.notes)  # 9,000 a rep: 5 do not fit
    rng = np.random.default_rng(1)
    for _ in range(20):
        point = {lever.name: rng.uniform(lever.low, lever.high) for lever in plans.levers}
        plan = plans.scenario(point, "p")
        assert plan.monthly_budget() == pytest.approx(30000, abs=0.05)
        assert isinstance(plan.sales.reps, int) and 1 <= plan.sales.reps <= 2
    start = plans.scenario(plans.start(), "start")
    assert start.model_dump(exclude={"name"}) == _base().model_dump(exclude={"name"})


@pytest.mark.parametrize(
    ("levers", "budget", "message"),
    [
        (["channels.nowhere.budget"], None, "no channel 'nowhere'"),
        (["sales.nonsense=0:1"], None, "sales.nonsense"),
        (["sales.reach_at_once=0:2"], None, "reach_at_once"),
        (["sales.reps=0.2:0.8"], None, "no whole number"),
        (["sales.reps"], None, "channels.NAME.budget"),
        (SHARES, 5000, "cannot sum to the budget"),
        (SHARES, -1, "^budget: must be a positive number"),
        (SHARES, float("nan"), "^budget: must be a positive number"),
    ],
)
def test_bad_levers_are_refused_before_any_run(levers, budget, message):
    with pytest.raises(InputError, match=message):
        make_plans(_base(), levers, budget)


def test_the_search_lands_within_the_grid_optimum_with_fewer_runs():
    """Brute force: the split of one budget between two channels, on a fine grid.

    Both winners were picked on their own noisy runs, so both are judged again on 30
    fresh seeds: the search's plan must lie within the grid optimum's 95% interval.
    A 3,000-prospect market over 90 days (half the runs' cost of ``SMALL``) keeps the
    landscape's shape: no customer at all without search, a cost of sale of about 2,990
    at a 20% share, a plateau near 2,450 from 40% on; the interval is about ±110, so a
    plan at a 20% share would fall outside it.
    """
    base = sim.load_scenario(FILE, {"population.size": 3000, "horizon_days": 90})
    reps, trials = 10, 10
    plans = make_plans(base, SHARES, budget=30000)
    grid = [{"share.search_content": s, "share.webinar": 1 - s} for s in np.linspace(0, 1, 21)]
    seeds = replication_seeds(0, reps)
    means = [_cost_of_sale(simulate_batch(plans.scenario(p, "grid"), seeds)).mean() for p in grid]
    found = optimise(base, SHARES, 30000, trials=trials, replications=reps, confirm=2,
                     confirm_replications=reps, workers=1, progress=False)  # fmt: skip
    fresh = replication_seeds(99, 30)
    grid_best = _cost_of_sale(
        simulate_batch(plans.scenario(grid[int(np.argmin(means))], "g"), fresh)
    )
    mine = _cost_of_sale(simulate_batch(found.best, fresh)).mean()
    half = 1.96 * np.std(grid_best, ddof=1) / np.sqrt(len(fresh))
    print(f"grid: {len(grid) * reps} runs, optimum {grid_best.mean():.0f} ± {half:.0f}; "
          f"optimise: {trials * reps} runs, {mine:.0f} (30 fresh seeds)")  # fmt: skip
    assert mine <= grid_best.mean() + half
    assert trials * reps <= len(grid) * reps / 2


def test_two_objectives_give_a_front_no_plan_beats():
    found = optimise(_base(), [*SHARES, "sales.response_time_hours=1:48"], 30000,
                     objectives=["cost_of_sale", "customers"], trials=10, replications=3,
                     confirm=2, confirm_replications=3, workers=1, progress=False)  # fmt: skip
    front, trials = found.front, found.trials[found.trials.feasible]
    assert len(front) >= 1
    for _, plan in front.iterrows():
        dominated = (
            (trials.cost_of_sale <= plan.cost_of_sale)
            & (trials.customers >= plan.customers)
            & ((trials.cost_of_sale < plan.cost_of_sale) | (trials.customers > plan.customers))
        )
        assert not dominated.any()


def test_a_constraint_decides_the_best_plan():
    found = optimise(_base(), [*SHARES, "sales.response_time_hours=1:48"], 30000,
                     objectives=["customers"], constraints=["cost_of_sale<=2500"], trials=8,
                     replications=3, confirm=2, confirm_replications=3, workers=1,
                     progress=False)  # fmt: skip
    table = found.trials
    assert (table.feasible == (table.cost_of_sale <= 2500)).all()
    best = found.verdict[found.verdict.scenario == found.best_label]
    assert found.best_label.startswith("plan_") or "beat the start" in " ".join(found.notes)
    assert best.kpi.tolist() == ["customers"]


def test_optimise_command_writes_a_plan_that_runs_and_resumes(tmp_path):
    out = tmp_path / "opt"
    args = ["optimise", str(FILE), *(f"--lever={lever}" for lever in SHARES),
            "--lever", "sales.response_time_hours=1:48", "--budget", "30000", "--trials", "6",
            "--replications", "2", "--confirm", "1", "--confirm-replications", "3",
            "--workers", "1", "--quiet", "--out", str(out),
            *(f"--set={k}={v}" for k, v in TINY.items())]  # fmt: skip
    first = run_cli(*args)
    assert first.returncode == 0, first.stderr
    for name in (
        "best.yaml",
        "trials.parquet",
        "trials.csv",
        "verdict.csv",
        "report.html",
        "convergence.png",
        "importance.png",
        "confirmed.png",
        "provenance.json",
    ):
        assert (out / name).is_file(), name  # fmt: skip
    best = sim.load_scenario(out / "best.yaml")
    assert best.monthly_budget() == pytest.approx(30000, abs=0.05)
    assert sim.simulate(best.model_copy(update={"horizon_days": 20}), seed=1).kpis
    trials = pd.read_parquet(out / "trials.parquet")
    assert len(trials) == 6 and trials.trial.tolist() == list(range(6))
    again = run_cli(*args)  # the study is complete: nothing new is tried
    assert again.returncode == 0, again.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(out / "trials.parquet"), trials)
    other = run_cli(*[a if a != "2" else "3" for a in args])  # other replications
    assert other.returncode == 2 and "--fresh" in other.stderr


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--lever", "sales.reach_at_once=0:2"], "reach_at_once"),
        (["--objective", "happiness"], "no such KPI 'happiness'"),
        (["--constraint", "cost_of_sale<400"], "KPI<=VALUE"),
        (["--budget", "-5"], "--budget"),
        (["--budget", "1000"], "cannot sum to the budget"),
    ],
)
def test_bad_input_is_one_line_and_nothing_is_written(tmp_path, extra, message):
    out = tmp_path / "opt"
    result = run_cli("optimise", str(FILE), "--lever", SHARES[0], "--lever", SHARES[1],
                     *extra, "--out", str(out))  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_best_yaml_is_a_complete_scenario(tmp_path):
    found = optimise(_base(), SHARES, 30000, trials=4, replications=2, confirm=1,
                     confirm_replications=2, workers=1, progress=False)  # fmt: skip
    text = yaml.safe_dump(found.best.model_dump(mode="json"))
    again = sim.scenario_from_dict(yaml.safe_load(text))
    assert again.channels["webinar"].budget == found.best.channels["webinar"].budget


def test_a_seed_gives_the_same_plans_whatever_the_workers(tmp_path):
    """``rerun`` on one worker reproduces a search made on two, against a rival."""
    out = tmp_path / "opt"
    made = run_cli("optimise", str(FILE), *(f"--lever={lever}" for lever in SHARES),
                   "--lever=sales.response_time_hours=1:48", "--trials", "6",
                   "--replications", "2", "--confirm", "1", "--confirm-replications", "2",
                   "--against", str(SCENARIOS / "aida_funnel.yaml"), "--workers", "2",
                   "--quiet", "--out", str(out),
                   *(f"--set={k}={v}" for k, v in TINY.items()))  # fmt: skip
    assert made.returncode == 0, made.stderr
    again = run_cli("rerun", str(out), "--workers", "1", "--quiet")
    assert again.returncode == 0, again.stderr
    assert "reproduced: identical trials.csv" in again.stdout


def test_a_sales_organisation_s_payroll_is_not_given_to_the_channels():
    """The roles' pay is part of the monthly budget and not the share levers' to spend."""
    base = sim.load_scenario(SCENARIOS / "b2b" / "saas.yaml")
    levers = ["channels.linkedin_ads.budget", "channels.paid_search.budget"]
    plans = make_plans(base, levers)
    start = plans.scenario(plans.start(), "start")
    assert start.model_dump(exclude={"name"}) == base.model_dump(exclude={"name"})
    assert plans.budget == pytest.approx(base.monthly_budget())
