"""Honest displays: a KPI defined in only some runs says so, and comparisons show lifetime value.

A KPI undefined in a run (never pays back, no customer-years, ...) is left out of its
mean and interval; every display of the estimate then says "k of n runs" beside the
interval, and where no run defined it, why, never a bare "0 [0, 0]" that reads as
every run giving zero.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

import sim
from sim.experiments.compare import Comparison
from sim.experiments.sweep import sweep_summary
from sim.outputs.tables import comparison_text, kpi_table, sweep_text
from sim.outputs.writers import comparison_page, report_kpis
from tests.conftest import small

RUNS = 5
NEVER = "no repeat margin: never pays back"
NO_YEARS = "no customer-years"


def _comparison() -> Comparison:
    """Two plans over five runs: payback defined in 2 runs of each (0 and 0; 0 and 30),
    both defined in 1 run only; clv defined in none."""
    replication = list(range(RUNS)) * 2
    kpis = pd.DataFrame(
        {
            "scenario": ["base"] * RUNS + ["other"] * RUNS,
            "replication": replication,
            "seed": replication,
            "customers": [10.0, 12, 11, 9, 10, 14, 15, 13, 16, 14],
            "cac_payback_months": [0, 0, np.nan, np.nan, np.nan, 0, np.nan, 30, np.nan, np.nan],
            "clv": [np.nan] * 2 * RUNS,
        }
    )
    undefined = pd.DataFrame(
        [("base", r, "cac_payback_months", NEVER) for r in (2, 3, 4)]
        + [("other", r, "cac_payback_months", NEVER) for r in (1, 3, 4)]
        + [(s, r, "clv", NO_YEARS) for s in ("base", "other") for r in range(RUNS)],
        columns=["scenario", "replication", "kpi", "reason"],
    )
    return Comparison(kpis, pd.DataFrame(), ["base", "other"], undefined=undefined)


def _bare_interval(text: str) -> list[str]:
    """Intervals of payback days not followed by the runs that defined them."""
    return re.findall(r"\[0, (?:0|30)\](?! in 2 of 5 runs)", text)


def test_the_summary_counts_the_runs_that_defined_each_kpi_and_why_the_others_did_not():
    summary = _comparison().summary().set_index(["scenario", "kpi"])
    payback = summary.loc[("base", "cac_payback_months")]
    assert (payback.n, payback.runs, payback.undefined) == (2, RUNS, NEVER)
    assert payback["mean"] == payback.ci_low == payback.ci_high == 0  # over the 2 runs
    assert summary.loc[("other", "cac_payback_months")].pairs == 1  # both defined in run 0 only
    assert (summary.loc[("base", "clv")].n, summary.loc[("base", "clv")].undefined) == (0, NO_YEARS)
    assert (summary.loc[("base", "customers")].n, summary.loc[("base", "customers")].undefined) == (
        RUNS,
        "",
    )


def test_a_kpi_defined_in_some_runs_says_k_of_n_runs_in_every_display():
    comparison = _comparison()
    summary = comparison.summary()
    kpis = ["customers", "cac_payback_months", "clv"]
    terminal = comparison_text(summary, kpis)
    page = comparison_page(summary, {}, ["a note"], kpis)
    table = comparison.kpis.rename(columns={"scenario": "param.plan"})
    swept = sweep_text(sweep_summary(table, kpis), kpis, RUNS)
    for text in (terminal, page, swept):
        assert "in 2 of 5 runs" in text  # beside the interval over the runs that defined it
        assert not _bare_interval(text), text
        assert "n/a" in text and "undefined in all 5 runs" in text  # not a number
        assert "5 of 5 runs" not in text  # a KPI every run defined needs no note
    for text in (terminal, page):  # the comparison knows why (the sweep's table does not)
        assert f"undefined in all 5 runs ({NO_YEARS})" in text
    # the paired difference is over the runs where both plans defined the KPI, and says so
    assert "in 1 of 5 runs, both defined" in terminal and "in 1 of 5 runs, both defined" in page
    assert "no run where both are defined" in terminal


def test_a_single_run_says_why_a_kpi_is_undefined():
    kpis = {"customers": 3.0, "cac_payback_months": None}
    text = kpi_table(kpis, all_kpis=True, undefined={"cac_payback_months": NEVER})
    assert re.search(rf"cac_payback_months\s+n/a  \({NEVER}\)", text)


def test_lifetime_profit_and_lifetime_roi_appear_in_every_comparison():
    assert {"lifetime_profit", "lifetime_roi"} <= set(report_kpis())
    replication = [0, 1] * 2
    kpis = pd.DataFrame(
        {
            "scenario": ["base", "base", "other", "other"],
            "replication": replication,
            "seed": replication,
            "customers": [3.0, 4, 5, 6],
            "lifetime_profit": [-100.0, 50, 900, 1200],
            "lifetime_roi": [-0.1, 0.05, 0.9, 1.2],
        }
    )
    summary = Comparison(kpis, pd.DataFrame(), ["base", "other"]).summary()
    terminal = comparison_text(summary, report_kpis())
    page = comparison_page(summary, {}, [], report_kpis())
    for text in (terminal, page):
        assert "lifetime_profit" in text and "lifetime_roi" in text
        assert "1,050" in text  # the other plan's mean lifetime profit


def test_compare_keeps_why_each_run_left_a_kpi_undefined():
    base = small("aida_funnel", size=300, days=30)
    other = base.model_copy(update={"name": "other"})
    comparison = sim.compare([base, other], replications=2, workers=1, progress=False)
    summary = comparison.summary().set_index(["scenario", "kpi"])
    runs = [sim.simulate(base, int(seed)) for seed in comparison.kpis.seed.iloc[:2]]
    undefined = {kpi for run in runs for kpi in run.undefined}
    assert undefined  # a short small run leaves some KPI undefined (e.g. churn, reviews)
    for kpi in summary.loc[base.name].index:
        row = summary.loc[(base.name, kpi)]
        assert row.runs == 2 and row.n == sum(kpi not in run.undefined for run in runs)
        reasons = {run.undefined[kpi] for run in runs if kpi in run.undefined}
        assert row.undefined in (reasons or {""})  # the runs' own reason, or none
