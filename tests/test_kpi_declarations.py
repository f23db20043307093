"""Each KPI is one declaration, scored from a plain run record that can be stored and reloaded."""

from __future__ import annotations

import pandas as pd
import pytest

import sim
from sim.analysis.kpis import (
    CATALOGUE,
    HEADLINE,
    Catalogue,
    Direction,
    Family,
    Kpi,
    RunRecord,
    kpi_names,
    lower_is_better,
    ratio,
    scenario_kpis,
    score,
)
from sim.analysis.kpis.axes import CHANNEL
from sim.analysis.kpis.docs import COMMAND, kpi_page, main
from sim.scenario.errors import InputError
from tests.conftest import ROOT, small


@pytest.fixture(scope="module")
def result() -> sim.RunResult:
    """A small run of a sample of a larger market (so totals are scaled)."""
    return sim.simulate(small(size=1500, days=90, **{"population.market_size": 6000}), seed=3)


def test_the_names_are_listed_without_running_in_the_order_a_run_reports_them(result):
    assert list(result.kpis) == scenario_kpis(result.spec)
    assert list(result.kpis) == kpi_names(result.record.sources)
    assert set(result.undefined) <= set(result.kpis)


def test_a_stored_run_record_is_scored_again_to_the_same_kpis(result, tmp_path):
    path = result.record.save(tmp_path / "run.npz")
    back = RunRecord.load(path)
    kpis, undefined = score(back)
    assert list(kpis.items()) == list(result.kpis.items())  # values and order
    assert list(undefined.items()) == list(result.undefined.items())
    pd.testing.assert_frame_equal(back.ledger, result.ledger)
    pd.testing.assert_frame_equal(back.daily, result.daily)
    assert back.sources == result.record.sources


def test_a_file_that_is_not_a_run_record_is_refused_naming_it(tmp_path):
    path = tmp_path / "notes.npz"
    path.write_text("not a record")
    with pytest.raises(InputError, match="notes.npz: not a run record"):
        RunRecord.load(path)
    with pytest.raises(InputError, match="missing.npz: not a run record"):
        RunRecord.load(tmp_path / "missing.npz")


def test_a_new_kpi_is_one_declaration(result):
    per_sales_cost = Kpi(
        "customers_per_sales_cost",
        "customers per currency",
        Direction.HIGHER,
        "New customers per unit of sales cost.",
        lambda m: ratio(m.customers, m.money["rep"], "no sales cost"),
        headline=99,
    )
    per_channel = Family(
        CHANNEL,
        (
            Kpi(
                "share_of_spend.<channel>",
                "share",
                Direction.NEITHER,
                "The channel's share of the marketing spend.",
                lambda m, channel: ratio(
                    m.spend_by_source[channel], m.money["channel"], "no marketing spend"
                ),
            ),
        ),
    )
    catalogue = Catalogue([*CATALOGUE.entries, per_sales_cost, per_channel])
    channels = result.spec.enabled_channels()
    added = ["customers_per_sales_cost", *(f"share_of_spend.{c}" for c in channels)]
    sources = result.record.sources
    assert catalogue.names(sources) == [*kpi_names(sources), *added]
    kpis, _ = catalogue.score(result.record)
    assert list(kpis) == catalogue.names(sources)
    assert kpis["customers_per_sales_cost"] == pytest.approx(
        result.kpis["customers"] / result.kpis["sales_cost"]
    )
    assert sum(kpis[f"share_of_spend.{c}"] for c in channels) == pytest.approx(1.0)
    assert catalogue.headline() == (*HEADLINE, "customers_per_sales_cost")
    assert catalogue.declaration(f"share_of_spend.{channels[0]}").direction is Direction.NEITHER
    page = kpi_page(catalogue)
    assert "| `customers_per_sales_cost` | customers per currency | higher |  | 99 |" in page
    assert "| `share_of_spend.<channel>` | share | neither |  |  |" in page


def test_each_reported_name_finds_its_declaration():
    assert CATALOGUE.declaration("funnel.aware").direction is Direction.HIGHER
    assert CATALOGUE.declaration("funnel.lost_to_competitor").direction is Direction.LOWER
    assert CATALOGUE.declaration("touches_per_sale.rep").name == "touches_per_sale.<dimension>"
    source = CATALOGUE.declaration("touches_per_sale.source.rep")
    assert source.name == "touches_per_sale.source.<source>"
    assert CATALOGUE.declaration("spend_actual.webinar").total
    assert not CATALOGUE.declaration("budget_used.webinar").total
    assert lower_is_better("cost_of_sale") and not lower_is_better("customers")
    with pytest.raises(KeyError, match="no KPI is declared as 'funnel.nowhere'"):
        CATALOGUE.declaration("funnel.nowhere")


def test_a_catalogue_refuses_what_would_make_two_declarations_of_a_kpi():
    first = CATALOGUE.entries[0]
    assert isinstance(first, Kpi)
    with pytest.raises(ValueError, match="declared twice"):
        Catalogue([first, first])
    other = Kpi("other", "customers", Direction.HIGHER, "x", first.function, headline=1)
    with pytest.raises(ValueError, match="share a headline place"):
        Catalogue([first, other])
    with pytest.raises(ValueError, match="must hold <channel> once"):
        Catalogue([Family(CHANNEL, (first,))])
    with pytest.raises(ValueError, match="cannot be a headline"):
        Catalogue(
            [Family(CHANNEL, (Kpi("x.<channel>", "", Direction.LOWER, "", len, headline=3),))]
        )


def test_the_docs_kpi_page_is_generated_from_the_declarations():
    page = (ROOT / "docs" / "kpis.md").read_text(encoding="utf-8")
    assert page == kpi_page(), f"docs/kpis.md is stale: run {COMMAND}"
    for kpi, _ in CATALOGUE.declarations():
        assert f"| `{kpi.name}` |" in page


def test_the_page_command_writes_the_page(tmp_path):
    out = tmp_path / "kpis.md"
    main([str(out)])
    assert out.read_text(encoding="utf-8") == kpi_page()
