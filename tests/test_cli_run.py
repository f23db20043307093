"""`run.py run` end to end: KPI table, output files, atomic writes, help."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.conftest import SCENARIOS, run_cli


def test_run_writes_summary_daily_and_ledger(tmp_out):
    result = run_cli(
        "run",
        str(SCENARIOS / "touchpoint_management.yaml"),
        "--seed",
        "7",
        "--set",
        "population.size=3000",
        "--set",
        "horizon_days=90",
        "--out",
        str(tmp_out),
    )
    assert result.returncode == 0, result.stderr
    assert "cost_of_sale" in result.stdout and "customers" in result.stdout
    summary = json.loads((tmp_out / "summary.json").read_text())
    assert summary["seed"] == 7 and summary["scenario"] == "touchpoint_management"
    daily = pd.read_csv(tmp_out / "daily.csv")
    ledger = pd.read_csv(tmp_out / "ledger.csv")
    assert len(daily) == 91
    assert {"stage.customer", "new_customers", "spend.reps"} <= set(daily.columns)
    assert set(ledger.columns) == {
        "day",
        "payer_type",
        "payer",
        "item",
        "amount",
        "prospect_id",
        "touches",
    }
    costs = ledger[ledger.payer_type != "customer"].amount.sum()
    assert costs == pytest.approx(
        sum(
            summary["kpis"][k]
            for k in ("marketing_spend", "sales_cost", "referral_rewards", "post_purchase_cost")
        )
    )
    assert [p.name for p in tmp_out.parent.iterdir()] == ["out"]  # no temp folder left


def test_default_output_folder(tmp_path):
    result = run_cli(
        "run",
        str(SCENARIOS / "aida_funnel.yaml"),
        "--set",
        "population.size=500",
        "--set",
        "horizon_days=10",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "results" / "aida_funnel-0" / "summary.json").exists()


def test_progress_bar_goes_to_stderr(tmp_out):
    result = run_cli(
        "run",
        str(SCENARIOS / "touchpoint_management.yaml"),
        "--set",
        "population.size=100000",
        "--set",
        "horizon_days=1500",
        "--out",
        str(tmp_out),
    )
    assert result.returncode == 0, result.stderr
    assert "day" in result.stderr and "/1500" in result.stderr  # the bar shows after a second
    assert "/1500" not in result.stdout


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["validate", "--help"]])
def test_help(args):
    result = run_cli(*args)
    assert result.returncode == 0
    assert "usage:" in result.stdout
