"""``optimise`` when the search has nothing to find: a flat objective, an undefined one.

Both are findings about the objective, not crashes: one line says what happened and the
trials table is written. A flat objective (no lever moves it) is a complete answer,
exit 0: every plan is as good as the start. An objective undefined in every run (e.g.
``renewal_rate`` of a scenario that is not a subscription) cannot pick a plan: exit 2,
naming the KPI and why, with the trials table kept. Messages name only the flags given.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import SCENARIOS, run_cli

pytest.importorskip("optuna")

FILE = SCENARIOS / "touchpoint_management.yaml"
TINY = ["--set", "population.size=300", "--set", "horizon_days=30"]
LEVERS = ["--lever", "channels.search_content.budget", "--lever", "channels.webinar.budget",
          "--lever", "sales.response_time_hours=1:48"]  # fmt: skip
QUICK = ["--trials", "6", "--replications", "2", "--confirm", "1",
         "--confirm-replications", "2", "--workers", "1", "--quiet"]  # fmt: skip


def _optimise(out, *extra: str):
    return run_cli("optimise", str(FILE), *TINY, *LEVERS, *QUICK, "--out", str(out), *extra)


def test_a_flat_objective_is_a_finding_with_every_table_written(tmp_path):
    """Everyone reaches 'unaware': no lever moves it, so no lever has an importance."""
    out = tmp_path / "opt"
    result = _optimise(out, "--objective", "funnel.unaware")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    said = [line for line in result.stderr.splitlines() if "did not change" in line]
    assert len(said) == 1, result.stderr
    assert "funnel.unaware" in said[0] and "6 plans" in said[0] and "importance" in said[0]
    for name in ("trials.csv", "trials.parquet", "best.yaml", "verdict.csv", "importance.csv",
                 "importance.png", "report.html"):  # fmt: skip
        assert (out / name).is_file(), name
    trials = pd.read_csv(out / "trials.csv")
    assert trials.trial.tolist() == list(range(6)) and trials["funnel.unaware"].nunique() == 1
    assert pd.read_csv(out / "importance.csv").importance.isna().all()
    assert "did not change" in (out / "report.html").read_text(encoding="utf-8")


def test_an_objective_undefined_for_every_plan_names_it_and_why(tmp_path):
    """The shipped market is not a subscription: it has no renewal rate, whatever the plan."""
    out = tmp_path / "opt"
    result = _optimise(out, "--objective", "renewal_rate")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "renewal_rate" in lines[0] and "not a subscription" in lines[0]
    assert "6 plans" in lines[0] and "at least two" not in lines[0]
    trials = pd.read_csv(out / "trials.csv")
    assert trials.trial.tolist() == list(range(6)) and trials.renewal_rate.isna().all()
    assert (out / "provenance.json").is_file() and not (out / "best.yaml").exists()


@pytest.mark.parametrize(
    "levers",
    [
        ["--lever", "sales.reps=3:5"],
        ["--lever", "sales.reps=3:5", "--lever", "channels.webinar.budget"],
    ],
)
def test_a_budget_never_given_is_not_named_as_a_flag(tmp_path, levers):
    """Three reps cost more than the scenario's own 30,000 a month."""
    out = tmp_path / "opt"
    result = run_cli("optimise", str(FILE), *levers, "--out", str(out))
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    line = result.stderr.split(": ", 1)[1]  # after "error: "
    assert "scenario's monthly budget" in line and "30,000" in line
    assert not line.startswith("--budget") and "leave --budget out" not in line
    assert not out.exists()
