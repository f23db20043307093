"""Targets by source: MQLs by the source of their first touch, and the CRM term mql.<source>."""

from __future__ import annotations

import pytest

import sim
from sim.analysis.kpis import RunRecord
from sim.experiments.targets import load_targets
from sim.model.prospects import Stage
from tests.conftest import SCENARIOS

B2B = SCENARIOS / "b2b" / "saas.yaml"
SMALL = {"population.size": 1500, "horizon_days": 45}


def _first_touched(record: RunRecord, stage: Stage) -> int:
    """Prospects who reached ``stage`` and had a first touch, in the record."""
    prospects = record.prospects
    reached = (prospects["reached"] & (1 << int(stage))) != 0
    return int((reached & (prospects["first_touch"] >= 0)).sum())


@pytest.fixture(scope="module")
def run():
    return sim.simulate(sim.load_scenario(B2B, SMALL), seed=2)


@pytest.mark.parametrize("stage", ["evaluating", "sales_qualified"])
def test_the_sources_mqls_sum_to_the_mqls_who_had_a_first_touch(run, stage):
    by_source = {s: run.kpis[f"funnel.{stage}.source.{s}"] for s in run.record.sources}
    assert sum(by_source.values()) == _first_touched(run.record, Stage[stage.upper()])
    assert by_source["linkedin_ads"] > 0 and by_source["paid_search"] > 0, by_source
    # the opening pipeline was never touched: it is in the stage, in no source
    assert sum(by_source.values()) < run.kpis[f"funnel.{stage}"]


def test_a_samples_counts_by_source_are_the_markets():
    sample = {**SMALL, "population.market_size": 6000}
    run = sim.simulate(sim.load_scenario(B2B, sample), seed=2)
    kpis, share = run.kpis, run.record.sample_share
    assert share == pytest.approx(1500 / 6000)
    total = sum(kpis[f"funnel.evaluating.source.{s}"] for s in run.record.sources)
    assert total == pytest.approx(_first_touched(run.record, Stage.EVALUATING) / share)


def test_first_touch_survives_a_stored_record(run, tmp_path):
    back = RunRecord.load(run.record.save(tmp_path / "run.npz"))
    assert (back.prospects["first_touch"] == run.record.prospects["first_touch"]).all()


def _targets(tmp_path, body: str):
    path = tmp_path / "t.yaml"
    path.write_text(body)
    return load_targets(path, sim.load_scenario(B2B))


def test_mql_by_source_is_the_kpi_mql_means_counted_by_first_touch(tmp_path):
    targets = _targets(
        tmp_path, "period_days: 365\ntargets:\n  mql.linkedin_ads: {value: 900, sd: 60}\n"
    )
    assert targets.kpis == ["funnel.evaluating.source.linkedin_ads"]
    mapped = _targets(
        tmp_path,
        "period_days: 365\nmapping: {mql: funnel.sales_qualified}\n"
        "targets:\n  mql: {value: 2400, sd: 130}\n  mql.paid_search: {value: 330, sd: 25}\n",
    )
    assert mapped.kpis == ["funnel.sales_qualified", "funnel.sales_qualified.source.paid_search"]


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("targets:\n  mql.tiktok: {value: 9, sd: 1}\n", "targets.mql.tiktok: no such touch source"),
        ("mapping: {mql: funnel.engaged}\ntargets:\n  mql.webinar: {value: 9, sd: 1}\n",
         "not counted by source"),
        ("targets:\n  mql.: {value: 9, sd: 1}\n", "targets.mql.: not a KPI"),
    ],
)  # fmt: skip
def test_a_bad_source_is_one_line(tmp_path, body, needle):
    with pytest.raises(sim.InputError) as info:
        _targets(tmp_path, "period_days: 365\n" + body)
    line = str(info.value)
    assert len(line.splitlines()) == 1 and needle in line and "t.yaml" in line, line


def test_the_shipped_b2b_targets_load():
    targets = load_targets(SCENARIOS.parent / "targets" / "b2b_saas.yaml", sim.load_scenario(B2B))
    assert len(targets.names) == 6
    assert "funnel.sales_qualified.source.linkedin_ads" in targets.kpis
