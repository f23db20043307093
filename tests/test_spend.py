"""Planned against actual spend: a channel that cannot spend its budget is reported.

Unspent budget is not a saving. A channel whose reach or audience caps it spends
less than planned, and cost of sale then looks lower only because less was spent:
every run and comparison says so.
"""

from __future__ import annotations

import json

import pytest

import sim
from sim.experiments import compare
from tests.conftest import SCENARIOS, run_cli, small

CAPPED = {"channels.webinar.budget": 10_000}
"""Ten thousand a month on webinars, which reach 10% of the prospects with a need a day."""


def test_a_capped_channel_is_reported_with_its_planned_and_actual_spend():
    result = sim.simulate(small(size=3000, days=120, **CAPPED), seed=1)
    k = result.kpis
    ledger = result.ledger
    spent = ledger[(ledger.payer_type == "channel") & (ledger.payer == "webinar")].amount.sum()
    assert k["spend_actual.webinar"] == pytest.approx(spent)
    assert k["spend_planned.webinar"] == pytest.approx(10_000 * 120 / 30)
    assert k["budget_used.webinar"] == pytest.approx(spent / (10_000 * 4))
    assert k["budget_used.webinar"] < 0.5
    assert any(w.startswith("channel webinar spent") for w in result.warnings)


def test_a_channel_that_spends_its_budget_is_not_reported():
    result = sim.simulate(small("aida_funnel", size=10_000, days=60), seed=1)
    assert result.kpis["budget_used.advertising"] >= 0.99
    assert not any("channel advertising" in w for w in result.warnings)


def test_run_writes_and_prints_the_warning(tmp_out):
    args = ["--set", "population.size=3000", "--set", "horizon_days=60"]
    args += [f"--set={key}={value}" for key, value in CAPPED.items()]
    result = run_cli("run", str(SCENARIOS / "touchpoint_management.yaml"), *args,
                     "--quiet", "--out", str(tmp_out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "warning: channel webinar spent" in result.stderr
    summary = json.loads((tmp_out / "summary.json").read_text())
    assert any("channel webinar" in w for w in summary["warnings"])


def test_compare_reports_underspending_per_scenario():
    shipped = small(size=2000, days=60)
    capped = sim.load_scenario(
        SCENARIOS / "touchpoint_management.yaml",
        {"population.size": 2000, "horizon_days": 60, "name": "capped", **CAPPED},
    )
    comparison = compare([shipped, capped], replications=2, workers=1, progress=False)
    lines = comparison.warnings()
    capped_runs = comparison.kpis[comparison.kpis.scenario == "capped"]
    mean_used = capped_runs["budget_used.webinar"].mean()
    assert mean_used < 0.5
    assert "capped: channel webinar spent" in "\n".join(lines)
    assert f"({mean_used:.0%})" in next(
        line for line in lines if line.startswith("capped: channel webinar")
    )
