"""The answer a decision needs, on synthetic tidy tables: no simulation runs here."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from sim.analysis.answer import figure, input_label, kpi_label, percent, plain_answer
from sim.analysis.decision import TABLE, decision_sensitivity, decision_table
from sim.analysis.discovery import FlipRegion, NoRegion, flip_region
from sim.experiments.changes import paired_changes

QUALITY = "channels.linkedin.quality.mean"


def table(
    differences: dict[str, np.ndarray],
    inputs: dict[str, np.ndarray] | None = None,
    baseline: np.ndarray | None = None,
) -> pd.DataFrame:
    """A tidy table: baseline ``A`` and plan ``B``, one KPI per key of ``differences``."""
    n = len(next(iter(differences.values())))
    base = np.full(n, 100.0) if baseline is None else baseline
    drawn = {f"input.{k}": v for k, v in (inputs or {}).items()}
    frames = [
        pd.DataFrame(
            {
                "scenario": name,
                "replication": np.arange(n),
                "seed": np.arange(n) + 7,
                **drawn,
                **{kpi: base + (d if name == "B" else 0.0) for kpi, d in differences.items()},
            }
        )
        for name in ("A", "B")
    ]
    return pd.concat(frames, ignore_index=True)


def linear(n: int = 400, seed: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    """D = 5·(x1 − 0.3) + N(0, 0.5²), x1, x2, x3 ~ U(0, 1): only x1 matters."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, (n, 3))
    d = 5 * (x[:, 0] - 0.3) + rng.normal(0, 0.5, n)
    inputs = {"x1": x[:, 0], "x2": x[:, 1], "x3": x[:, 2]}
    return table({"customers": d}, inputs, rng.normal(1000, 30, n)), x


def flipping(n: int = 200, seed: int = 2) -> tuple[pd.DataFrame, np.ndarray]:
    """Plan B wins 1 to 2 customers, except where x1 > 0.7: there it loses as many."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, (n, 3))
    d = np.where(x[:, 0] > 0.7, -1.0, 1.0) * rng.uniform(1, 2, n)
    return table({"customers": d}, {"x1": x[:, 0], "x2": x[:, 1], "x3": x[:, 2]}), x


def test_without_uncertain_inputs_the_expected_gain_is_todays_paired_change():
    rng = np.random.default_rng(3)
    base = rng.normal(500, 20, 12)
    runs = table(
        {"customers": rng.normal(5, 3, 12), "cost_of_sale": rng.normal(-10, 8, 12)}, None, base
    )
    runs.loc[(runs.scenario == "B") & (runs.replication == 4), "customers"] = np.nan
    runs.loc[(runs.scenario == "A") & (runs.replication == 9), "cost_of_sale"] = np.nan
    runs.loc[(runs.scenario == "B") & (runs.replication == 2), "cost_of_sale"] = base[2]  # a tie
    third = runs[runs.scenario == "B"].assign(scenario="C", customers=lambda f: f.customers * 1.1)
    runs = pd.concat([runs, third], ignore_index=True)
    kpis = ["customers", "cost_of_sale"]

    ours = decision_table(runs, "A", kpis)
    today = paired_changes(runs, ["scenario"], ("A",), kpis)
    today = today[today.scenario != "A"].reset_index(drop=True)  # it also pairs A with itself

    assert list(ours.columns) == list(TABLE)
    assert ours[["scenario", "kpi"]].equals(today[["scenario", "kpi"]])
    assert ours.pairs.tolist() == today.pairs.tolist() == [11, 11, 11, 11]
    for mine, theirs in [("expected", "diff"), ("expected_low", "diff_low")]:
        assert np.array_equal(ours[mine], today[theirs], equal_nan=True)
    assert np.array_equal(ours.expected_high, today.diff_high, equal_nan=True)
    assert (ours.input_share == 0).all()
    assert ours.seed_low.equals(ours.low) and ours.seed_high.equals(ours.high)
    fixed = runs.assign(**{f"input.{QUALITY}": 0.8})  # an input every run drew the same
    assert decision_table(fixed, "A", kpis).equals(ours)
    assert decision_sensitivity(runs, "A", "customers").empty


def test_the_input_that_decides_ranks_first_with_its_true_variance_share():
    runs, _ = linear()
    # Var(5·x1) = 25/12 and the noise's 0.25: x1 explains (25/12) / (25/12 + 0.25) = 0.893.
    truth = (25 / 12) / (25 / 12 + 0.25)

    ranked = decision_sensitivity(runs, "A", "customers").set_index("input")

    assert ranked.loc["x1", "rank"] == 1
    assert ranked.variance_share.idxmax() == ranked.evppi.idxmax() == "x1"
    assert ranked.loc["x1", "variance_share"] == pytest.approx(truth, abs=0.04)
    assert ranked.loc[["x2", "x3"], "variance_share"].max() < 0.05
    # B wins on average (E[D] = 1) but loses where x1 < 0.3: knowing x1 first is worth
    # E[max(0, 5(x1 − 0.3))] − max(0, E[D]) = 5 · 0.7² / 2 − 1 = 0.225; x2 and x3 never
    # change the choice, so knowing them is worth nothing.
    assert ranked.loc["x1", "evppi"] == pytest.approx(0.225, abs=0.06)
    assert ranked.loc[["x2", "x3"], "evppi"].max() < 0.02
    row = decision_table(runs, "A", ["customers"]).iloc[0]
    assert row.input_share == pytest.approx(truth, abs=0.04)
    # seed noise alone is N(0, 0.5²): its central 90 % is 2 · 1.645 · 0.5 = 1.645 wide
    assert row.seed_high - row.seed_low == pytest.approx(1.645, rel=0.15)
    assert (row.seed_high + row.seed_low) / 2 == pytest.approx(row.expected, abs=0.1)
    assert row.high - row.low > 2 * (row.seed_high - row.seed_low)


def test_probability_better_and_percentiles_count_ties_half_and_follow_the_direction():
    d = np.array([-2.0, 0.0, 1.0, 3.0, 5.0, 0.0, 7.0, -1.0, 4.0, 2.0])
    runs = table({"customers": d, "cost_of_sale": d})

    rows = decision_table(runs, "A", ["customers", "cost_of_sale"]).set_index("kpi")

    # sorted: -2 -1 0 0 1 2 3 4 5 7; the 5th percentile sits 0.45 of the way from -2 to -1
    assert rows.loc["customers", "low"] == pytest.approx(-1.55)
    assert rows.loc["customers", "high"] == pytest.approx(6.1)
    assert rows.loc["customers", "low"] == pytest.approx(np.percentile(d, 5))
    assert rows.loc["customers", "worst_case"] == pytest.approx(-1.55)
    assert rows.loc["customers", "p_better"] == pytest.approx((6 + 2 / 2) / 10)
    # lower cost of sale is better: better when D < 0, worst case at the 95th percentile
    assert rows.loc["cost_of_sale", "p_better"] == pytest.approx((2 + 2 / 2) / 10)
    assert rows.loc["cost_of_sale", "worst_case"] == pytest.approx(6.1)
    assert rows.loc["cost_of_sale", "seed_low"] == pytest.approx(-1.55)


def test_prim_finds_where_the_plan_loses():
    runs, x = flipping()

    region = flip_region(runs, "A", "B", "customers")

    assert isinstance(region, FlipRegion)
    assert region.flips_to == "worse"
    assert region.flips == int((x[:, 0] > 0.7).sum())
    assert list(region.limits) == ["x1"]
    low, high = region.limits["x1"]
    # The box's edge is a drawn x1. About 60 of the 200 draws fall in x1 in (0.7, 1], one
    # per 0.005 of x1; a peel removes 5 % of the box (3 draws, 0.015 of x1), so the edge
    # lies within one peel of 0.7 on either side.
    assert low == pytest.approx(0.7, abs=0.02)
    assert high is None
    assert region.coverage >= 0.9 and region.density >= 0.9


def test_no_flip_region_says_why(monkeypatch):
    runs, x = flipping(n=40)
    inputs = {"x1": x[:, 0]}
    three = np.where(np.arange(40) < 3, -1.0, 1.0)  # B loses in 3 runs only

    assert (
        "no uncertain input"
        in flip_region(table({"customers": three}), "A", "B", "customers").reason
    )
    assert (
        "every replication"
        in flip_region(table({"customers": 1 + x[:, 1]}, inputs), "A", "B", "customers").reason
    )
    assert (
        "too few" in flip_region(table({"customers": three}, inputs), "A", "B", "customers").reason
    )
    assert (
        "no better direction"
        in flip_region(
            table({"budget_used.email": three}, inputs), "A", "B", "budget_used.email"
        ).reason
    )
    monkeypatch.setitem(sys.modules, "ema_workbench.analysis.prim", None)
    missing = flip_region(runs, "A", "B", "customers")
    assert isinstance(missing, NoRegion) and "ema_workbench" in missing.reason


def test_the_plain_answer_states_the_figures_and_names_the_deciding_input():
    rng = np.random.default_rng(4)
    quality, size = rng.uniform(0.5, 1.5, 200), rng.uniform(1e3, 5e3, 200)
    d = np.where(quality > 1.2, -1.0, 1.0) * rng.uniform(10, 25, 200)
    runs = table({"customers": d}, {QUALITY: quality, "market.size": size})
    row = decision_table(runs, "A", ["customers"]).iloc[0]
    sensitivity = decision_sensitivity(runs, "A", "customers")
    region = flip_region(runs, "A", "B", "customers")

    first, second, third = plain_answer(row, "A", sensitivity, region)

    assert first.startswith(f"B brings {figure(row.expected)} more customers than A")
    assert row.low < 0 < row.high
    between = f"{figure(-row.low)} fewer and {figure(row.high)} more"
    assert f"on average (90 % of outcomes between {between})" in first
    assert f"better in {percent(row.p_better)} % of plausible markets" in second
    assert f"worse by {figure(-row.worst_case)} customers" in second
    assert "Linkedin's touch quality (mean) is above" in third
    assert figure(region.limits[QUALITY][0]) in third
    assert float(figure(region.limits[QUALITY][0])) == pytest.approx(1.2, abs=0.03)
    unflipped = plain_answer(row, "A", sensitivity, None)[2]
    assert unflipped.startswith("Linkedin's touch quality (mean) decides it most")


def test_the_plain_answer_without_inputs_and_for_a_lower_is_better_kpi():
    d = np.array([-30.0, -10.0, -20.0, -25.0, 5.0])
    runs = table({"cost_of_sale": d, "customers": d})
    rows = decision_table(runs, "A", ["cost_of_sale", "customers"]).set_index("kpi", drop=False)
    empty = decision_sensitivity(runs, "A", "cost_of_sale")

    cost = plain_answer(rows.loc["cost_of_sale"], "A", empty)
    customers = plain_answer(rows.loc["customers"], "A", empty)

    assert cost[0].startswith("B lowers cost of sale by 16 (currency per customer) against A")
    assert "better in 80 % of runs" in cost[1]
    assert "seed noise only" in cost[2]
    assert customers[0].startswith("B brings 16 fewer customers than A")
    same = table({"customers": np.zeros(5)})
    assert plain_answer(decision_table(same, "A", ["customers"]).iloc[0], "A", empty) == [
        "B and A give the same customers in every run."
    ]


def test_readable_figures_and_names():
    assert [figure(v) for v in (12345.6, 0.045678, -17.24, 999.96, 0.0)] == [
        "12,300",
        "0.0457",
        "-17.2",
        "1,000",
        "0",
    ]
    assert [percent(p) for p in (0.996, 0.001, 1.0, 0.5, np.nan)] == ["99", "1", "100", "50", "n/a"]
    assert figure(np.nan) == "n/a"
    assert input_label(QUALITY) == "Linkedin's touch quality (mean)"
    assert input_label("market.size") == "Market size"
    assert input_label("channels.linkedin_ads.budget") == "Linkedin ads' budget"
    assert kpi_label("cac_first_touch.email") == "CAC first touch: email"


def test_undefined_runs_are_left_out_pair_by_pair():
    rng = np.random.default_rng(5)
    x1 = rng.uniform(0, 1, 60)
    runs = table({"customers": 5 * x1, "clv": np.zeros(60)}, {"x1": x1})
    gone = np.flatnonzero(x1 > 0.8)  # the largest gains: dropping them moves every figure
    runs.loc[(runs.scenario == "B") & runs.replication.isin(gone[::2]), "customers"] = np.nan
    runs.loc[(runs.scenario == "A") & runs.replication.isin(gone[1::2]), "customers"] = np.nan
    runs["clv"] = np.nan
    kept = np.setdiff1d(np.arange(60), gone)

    rows = decision_table(runs, "A", ["customers", "clv"]).set_index("kpi")
    ranked = decision_sensitivity(runs, "A", "customers")

    assert rows.loc["customers", "pairs"] == kept.size
    assert rows.loc["customers", "expected"] == pytest.approx(5 * x1[kept].mean())
    assert rows.loc["customers", "high"] == pytest.approx(np.percentile(5 * x1[kept], 95))
    # D = 5·x1 exactly on the kept runs: x1 explains it all only if they stay paired
    assert ranked.variance_share.iloc[0] == pytest.approx(1.0, abs=0.01)
    assert rows.loc["clv", "pairs"] == 0
    assert rows.loc["clv", ["expected", "low", "p_better"]].isna().all()
    assert decision_sensitivity(runs, "A", "clv").empty
    few = table({"customers": 5 * x1[:4]}, {"x1": x1[:4], "x2": x1[4:8], "x3": x1[8:12]})
    thin = decision_table(few, "A", ["customers"]).iloc[0]  # 4 runs cannot fit 3 inputs
    assert np.isnan(thin.input_share) and np.isnan(thin.seed_low) and thin.pairs == 4
    undefined = dict(rows.loc["clv"], kpi="clv")
    assert plain_answer(undefined, "A", ranked) == [
        "B and A cannot be compared on CLV: no run defined it for both."
    ]
