"""Paired change against a baseline, the cost of each extra customer, budget shifts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim.experiments import compare, sweep
from sim.experiments.sweep import sweep_extra, sweep_summary
from tests.conftest import SCENARIOS, run_cli, small

TPM = str(SCENARIOS / "touchpoint_management.yaml")
SHIFT = "shift.search_content:webinar"


@pytest.fixture(scope="module")
def shifted():
    base = small(size=1500, days=90)
    return base, sweep(base, {SHIFT: [-1000, 0, 1000]}, 3, workers=1, progress=False)


def test_a_shift_moves_budget_and_holds_the_total(shifted):
    base, table = shifted
    planned = table.filter(like="spend_planned.").sum(axis=1)
    assert np.allclose(planned, planned.iloc[0])
    months = base.horizon_days / 30
    for amount, runs in table.groupby(f"param.{SHIFT}"):
        budget = runs["spend_planned.webinar"].iloc[0] / months
        assert budget == pytest.approx(base.channels["webinar"].budget + amount)


def test_changes_are_paired_against_the_baseline(shifted):
    _, table = shifted
    summary = sweep_summary(table, ["customers", "cost_of_sale"], baseline={SHIFT: 0.0})
    at_base = summary[summary[f"param.{SHIFT}"] == 0]
    assert (at_base["diff"] == 0).all() and not at_base.clear.any()
    row = summary[(summary[f"param.{SHIFT}"] == 1000) & (summary.kpi == "customers")].iloc[0]
    by_rep = table.set_index("replication")
    mine = by_rep[by_rep[f"param.{SHIFT}"] == 1000].customers
    theirs = by_rep[by_rep[f"param.{SHIFT}"] == 0].customers
    assert row["diff"] == pytest.approx((mine - theirs).mean())
    assert row.clear == (row.diff_low > 0 or row.diff_high < 0)


def test_cost_per_extra_customer_is_the_ratio_of_paired_means(shifted):
    _, table = shifted
    extra = sweep_extra(table, {SHIFT: -1000.0}).set_index(f"param.{SHIFT}")
    by_rep = table.set_index("replication")
    low, high = (by_rep[by_rep[f"param.{SHIFT}"] == v] for v in (-1000, 1000))
    d_cost = (high.acquisition_cost - low.acquisition_cost).mean()
    d_cust = (high.customers - low.customers).mean()
    row = extra.loc[1000.0]
    assert row.extra_customers == pytest.approx(d_cust)
    gained = (high.customers.to_numpy() - low.customers.to_numpy()).astype(float)
    low_end = (
        gained.mean() - stats.t.ppf(0.975, gained.size - 1) * stats.sem(gained)
        if np.ptp(gained) > 0
        else gained.mean()
    )
    if low_end > 0:  # a clear gain is priced: the ratio of the paired means
        assert row.cost_per_extra_customer == pytest.approx(d_cost / d_cust)
        assert row.cost_per_extra_low <= row.cost_per_extra_customer
    else:  # a gain that may be noise has no price
        assert np.isnan(row.cost_per_extra_customer)
    assert np.isnan(extra.loc[-1000.0].cost_per_extra_customer)  # the baseline adds nobody


def test_compare_prices_each_extra_customer():
    comparison = compare(
        [small("aida_funnel", size=1500, days=90), small(size=1500, days=90)],
        3,
        workers=1,
        progress=False,
    )
    extra = comparison.extra_customers().set_index("scenario")
    assert list(extra.index) == ["aida_funnel", "touchpoint_management"]
    assert extra.loc["aida_funnel", "extra_customers"] == 0


def test_cli_shift_baseline_and_refusal(tmp_path):
    out = tmp_path / "out"
    args = ["sweep", TPM, "--set", "population.size=800", "--set", "horizon_days=60",
            "--grid", "sales.reps=1,2,3", "--workers", "2", "--quiet",
            "--out", str(out)]  # fmt: skip
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    reps = sim.load_scenario(TPM).sales.reps
    assert f"against the baseline (sales.reps={reps})" in result.stdout
    extra = pd.read_csv(out / "extra.csv")
    assert set(extra["param.sales.reps"]) == {1, 2, 3}
    bad = run_cli("sweep", TPM, "--shift", "search_content:webinar=0,99999", "--out",
                  str(tmp_path / "bad"))  # fmt: skip
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    assert "leaves channels.search_content.budget at" in bad.stderr
    assert not (tmp_path / "bad").exists()


def test_a_sweep_warns_where_a_channel_cannot_spend_what_it_was_given():
    from sim.experiments import sweep_warnings

    table = sweep(small(size=1000, days=60), {"shift.search_content:webinar": [0, 2000]},
                  workers=1, progress=False)  # fmt: skip
    lines = sweep_warnings(table)
    assert any(line.startswith(f"{SHIFT}=2000.0: channel webinar spent") for line in lines)
