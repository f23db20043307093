"""Uncertain inputs: distributions in a scenario, paired draws, a posterior, robust scores."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import sim
from sim.analysis.folders import replace_folder
from sim.experiments.goals import Objective
from sim.experiments.unknowns import read_posterior, with_posterior
from sim.scenario.draws import draw, resolve
from sim.scenario.errors import InputError, ScenarioError
from tests.conftest import SCENARIOS, run_cli, small

QUALITY = "channels.webinar.quality.mean"
AIDA, TPM = (str(SCENARIOS / f"{name}.yaml") for name in ("aida_funnel", "touchpoint_management"))
BUDGET = "channels.webinar.budget"


def test_an_inline_distribution_is_lifted_and_validated_at_its_median():
    scenario = small(**{QUALITY: {"uniform": [0.4, 1.2]}})
    assert scenario.channels["webinar"].quality.mean == pytest.approx(0.8)
    assert list(scenario.uncertainty.inputs) == [QUALITY]
    assert scenario.uncertainty.inputs[QUALITY].text() == "uniform [0.4, 1.2]"


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ({"uniform": [1.2, 0.4]}, "needs low < high"),
        ({"normal": [0.5, 0.3]}, "normal [0.5, 0.3] can draw -0.427"),
        ({"triangular": [0, 1]}, "expected [low, mode, high]"),
    ],
)
def test_a_distribution_that_cannot_be_drawn_is_one_line_naming_the_field(value, words):
    with pytest.raises(ScenarioError) as caught:
        small(**{QUALITY: value})
    message = str(caught.value)
    assert "\n" not in message and words in message and QUALITY.rsplit(".", 1)[0] in message


def test_a_distribution_may_be_written_in_a_file_and_given_by_set(scenario_copy):
    path = scenario_copy / "unsure.yaml"
    path.write_text(
        "extends: touchpoint_management.yaml\nname: unsure\n"
        "channels:\n  webinar:\n    quality: {mean: {triangular: [0.2, 0.6, 1.4]}}\n"
    )
    from_file = sim.load_scenario(path)
    by_set = sim.load_scenario(
        scenario_copy / "touchpoint_management.yaml", [f"{QUALITY}={{triangular: [0.2, 0.6, 1.4]}}"]
    )
    assert from_file.uncertainty == by_set.uncertainty
    fixed = sim.load_scenario(path, {QUALITY: 0.9})  # a value given later makes it known
    assert not fixed.uncertainty and fixed.channels["webinar"].quality.mean == 0.9


def test_draws_depend_on_the_seed_and_the_field_only():
    one = small(**{QUALITY: {"uniform": [0.4, 1.2]}})
    two = small(**{QUALITY: {"uniform": [0.4, 1.2]}, BUDGET: {"uniform": [500, 1500]}})
    seeds = range(200)
    assert [draw(one, s)[QUALITY] for s in seeds] == [draw(two, s)[QUALITY] for s in seeds]
    quality = np.array([draw(two, s)[QUALITY] for s in seeds])
    budget = np.array([draw(two, s)[BUDGET] for s in seeds])
    assert 0.4 <= quality.min() and quality.max() <= 1.2
    assert abs(np.corrcoef(quality, budget)[0, 1]) < 0.2  # independent streams per field
    assert abs(quality.mean() - 0.8) < 0.05
    headcount = small(**{"sales.reps": {"uniform": [1, 4]}})
    assert {draw(headcount, s)["sales.reps"] for s in seeds} == {1, 2, 3, 4}  # whole numbers


def test_every_plan_meets_the_same_draws_and_runs_show_them():
    unsure = {QUALITY: {"uniform": [0.2, 1.6]}}
    start = small(size=800, days=30, **unsure)
    more = small(size=800, days=30, **unsure, **{BUDGET: 4000})
    comparison = sim.compare([start, more.model_copy(update={"name": "more"})], 3, progress=False)
    table = comparison.kpis.pivot(
        index="replication", columns="scenario", values=f"input.{QUALITY}"
    )
    assert (table.nunique(axis=1) == 1).all() and table.iloc[:, 0].nunique() == 3
    assert f"input.{QUALITY}" not in comparison.summary().kpi.values
    one = sim.simulate(start, seed=comparison.kpis.seed.iloc[0])
    assert one.inputs[QUALITY] == table.iloc[0, 0]
    fixed, _ = resolve(start, int(comparison.kpis.seed.iloc[0]))
    assert sim.simulate(fixed, seed=int(comparison.kpis.seed.iloc[0])).kpis == one.kpis


def test_run_records_its_draws_and_rerun_repeats_them(tmp_path):
    out = tmp_path / "run"
    result = run_cli(
        "run", str(SCENARIOS / "touchpoint_management.yaml"), "--set", "population.size=600",
        "--set", "horizon_days=20", "--set", f"{QUALITY}={{uniform: [0.4, 1.2]}}",
        "--seed", "3", "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary["inputs"]) == {QUALITY}
    again = run_cli("rerun", str(out), "--out", str(tmp_path / "again"))
    assert again.returncode == 0, again.stderr
    assert json.loads((tmp_path / "again" / "summary.json").read_text()) == summary


def _calibrate_folder(folder, table: pd.DataFrame) -> None:
    with replace_folder(folder, "calibrate") as tmp:
        table.to_csv(tmp / "posterior.csv", index=False)


def test_a_posterior_is_drawn_by_weight_and_checked(tmp_path):
    folder = tmp_path / "fit"
    _calibrate_folder(
        folder,
        pd.DataFrame({QUALITY: [0.3, 0.9, 1.5], BUDGET: [100, 200, 300], "weight": [0, 1, 3]}),
    )
    posterior = read_posterior(folder)
    scenario = with_posterior(small(), posterior, "test")
    drawn = pd.DataFrame([draw(scenario, s) for s in range(400)])
    assert set(drawn[QUALITY]) == {0.9, 1.5}  # a particle of weight 0 is never drawn
    assert (drawn[BUDGET] == drawn[QUALITY].map({0.9: 200, 1.5: 300})).all()  # jointly
    assert 0.68 < (drawn[QUALITY] == 1.5).mean() < 0.82  # 3 of 4
    with pytest.raises(InputError, match="not a calibrate output folder"):
        read_posterior(tmp_path)
    _calibrate_folder(folder, pd.DataFrame({"channels.nope.budget": [1.0], "weight": [1.0]}))
    with pytest.raises(ScenarioError, match="channels.nope.budget: not a numeric field"):
        with_posterior(small(), read_posterior(folder), "test")


def test_compare_with_a_posterior_folder_on_the_command_line(tmp_path):
    folder = tmp_path / "fit"
    _calibrate_folder(folder, pd.DataFrame({QUALITY: [0.3, 1.5], "weight": [1, 1]}))
    out = tmp_path / "compare"
    result = run_cli(
        "compare", AIDA, TPM,
        "--set", "population.size=600", "--set", "horizon_days=20", "--replications", "4",
        "--workers", "1", "--posterior", str(folder), "--out", str(out), "--quiet",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    kpis = pd.read_csv(out / "kpis.csv")
    assert set(kpis[f"input.{QUALITY}"]) <= {0.3, 1.5}
    assert "the posterior in" in (out / "report.html").read_text()
    summary = pd.read_csv(out / "summary.csv").set_index(["scenario", "kpi"])
    decision = pd.read_csv(out / "decision.csv").set_index(["scenario", "kpi"])
    plan = ("touchpoint_management", "customers")
    assert summary.loc[plan, "p_better"] == decision.loc[plan, "p_better"]
    assert summary.loc[plan, "range_low"] == decision.loc[plan, "low"]
    bad = run_cli(
        "compare", AIDA, TPM,
        "--posterior", str(tmp_path), "--out", str(tmp_path / "no"),
    )  # fmt: skip
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    assert "not a calibrate output folder" in bad.stderr and not (tmp_path / "no").exists()


def test_a_robust_objective_judges_by_the_worst_case():
    values = np.arange(1.0, 11.0)
    assert Objective("customers", minimize=False).score(values) == 5.5
    assert Objective("customers", minimize=False, quantile=0.1).score(values) == pytest.approx(1.9)
    assert Objective("cost_of_sale", minimize=True, quantile=0.1).score(values) == pytest.approx(
        9.1
    )
    assert np.isnan(Objective("customers", minimize=False).score(np.array([np.nan])))


def test_optimise_under_uncertainty_judges_every_plan_by_its_worst_case_on_the_same_draws():
    pytest.importorskip("optuna")
    from sim.experiments.optimise import optimise

    unsure = small(size=800, days=40, **{QUALITY: {"uniform": [0.2, 1.6]}})
    result = optimise(
        unsure, ["channels.webinar.budget", "channels.search_content.budget"],
        objectives=["customers"], trials=3, replications=6, confirm=1,
        confirm_replications=6, workers=1, progress=False, quantile=0.25,
    )  # fmt: skip
    trials = result.trials
    assert {"customers", "customers.mean"} <= set(trials.columns)
    assert (trials["customers"] <= trials["customers.mean"]).all()  # the worst quarter
    assert set(result.verdict.judged_by) == {"25th percentile"}
    draws = result.confirmed.kpis.pivot(
        index="replication", columns="scenario", values=f"input.{QUALITY}"
    )
    assert (draws.nunique(axis=1) == 1).all()  # every plan on the same draws
    with pytest.raises(InputError, match="--quantile: must be between 0 and 0.5"):
        optimise(unsure, ["channels.webinar.budget"], quantile=0.7, progress=False)
