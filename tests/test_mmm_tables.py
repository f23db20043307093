"""The wide MMM exports: totals kept, one row per period (per geo), each tool's own names.

Synthetic long frames in the layout of ``sim.attribution(...).mmm`` (no simulation). The two
tests that load an export into pymc-marketing and into Meridian's loader run only where
those libraries are installed (the ``mmm`` extra; ``google-meridian``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.mmm_identification import unidentifiable
from sim.analysis.mmm_tables import (
    meridian_columns,
    meridian_loader_arguments,
    meridian_table,
    pymc_marketing_table,
    robyn_table,
    true_contributions,
    weekly,
)
from sim.scenario.errors import InputError

DAY_ONE = pd.Timestamp("2025-01-06")  # a Monday, as in sim.experiments.attribution
GEOS = {"north": 3000, "south": 2000}
CHANNELS = ("search", "social", "webinar")
PERIODS = ("daily", "weekly")


def flighted(rng: np.random.Generator, days: int) -> np.ndarray:
    """Spend that changes week to week: 0, 50, 100 or 150 a day for a whole week."""
    return np.repeat(rng.choice([0.0, 50.0, 100.0, 150.0], size=days // 7 + 1), 7)[:days]


def long_frame(
    days: int = 59,
    geos: dict[str, int] = GEOS,
    replications: int = 2,
    spends: dict | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """A long daily frame: per geo × replication × day × channel, outcomes repeated."""
    rng = np.random.default_rng(seed)
    spends = spends or {c: flighted for c in CHANNELS}
    frames = []
    for replication in range(replications):
        for geo, population in geos.items():
            customers = rng.poisson(5, days) + 1.0
            outcomes = {
                "new_customers": customers,
                "revenue": customers * 120.0 + rng.uniform(0, 50, days),
                "competitor_wins": rng.poisson(2, days).astype(float),
            }
            for channel, spend in spends.items():
                frames.append(
                    pd.DataFrame(
                        {
                            "geo": geo,
                            "population": population,
                            "replication": replication,
                            "day": np.arange(1, days + 1),
                            "channel": channel,
                            "spend": spend(rng, days),
                            "touches": rng.integers(0, 40, days),
                            **outcomes,
                            "true_customers": rng.normal(0.5, 1.0, days),
                        }
                    )
                )
    frame = pd.concat(frames, ignore_index=True)
    frame.insert(3, "date", DAY_ONE + pd.to_timedelta(frame["day"] - 1, unit="D"))
    return frame.sort_values(["replication", "day", "geo"], kind="stable").reset_index(drop=True)


def periods(long: pd.DataFrame, kind: str) -> pd.DataFrame:
    return long if kind == "daily" else weekly(long)


def per_geo_day(frame: pd.DataFrame) -> pd.DataFrame:
    """The outcomes once per geo and period (the frame repeats them on each channel row)."""
    return frame.drop_duplicates(["replication", "geo", "date"])


def test_weekly_sums_whole_weeks_once_per_geo_day_and_drops_the_partial_week():
    long = long_frame(days=59)  # 8 whole weeks and 3 days
    weeks = weekly(long)
    assert list(weeks.columns) == [
        "geo", "population", "replication", "date", "week", "channel",
        "spend", "touches", "new_customers", "revenue", "competitor_wins", "true_customers",
    ]  # fmt: skip
    assert sorted(weeks["week"].unique()) == list(range(1, 9))
    assert (weeks["date"].dt.day_of_week == 0).all()
    assert weeks["date"].max() == DAY_ONE + pd.Timedelta(weeks=7)
    assert len(weeks) == 8 * len(GEOS) * 2 * len(CHANNELS)
    whole = long[long["day"] <= 56]
    keys = ["replication", "geo", "channel"]
    for column in ("spend", "touches", "true_customers"):
        kept = weeks.groupby(keys)[column].sum()
        pd.testing.assert_series_equal(kept, whole.groupby(keys)[column].sum())
    outcomes = ["new_customers", "revenue", "competitor_wins"]
    by_geo = per_geo_day(weeks).groupby(["replication", "geo"])[outcomes].sum()
    expected = per_geo_day(whole).groupby(["replication", "geo"])[outcomes].sum()
    pd.testing.assert_frame_equal(by_geo, expected)
    assert (weeks.groupby("geo")["population"].first() == pd.Series(GEOS)).all()


@pytest.mark.parametrize("kind", PERIODS)
def test_every_export_keeps_the_totals_of_its_history(kind):
    frame = periods(long_frame(), kind)
    history = frame[frame["replication"] == 1]
    spend = history.groupby("channel")["spend"].sum()
    touches = history.groupby("channel")["touches"].sum()
    truth = history.groupby("channel")["true_customers"].sum()
    outcomes = per_geo_day(history)[["new_customers", "revenue", "competitor_wins"]].sum()

    pymc = pymc_marketing_table(frame, replication=1)
    meridian = meridian_table(frame, replication=1)
    robyn = robyn_table(frame, replication=1)
    for channel in CHANNELS:
        assert pymc[channel].sum() == pytest.approx(spend[channel])
        assert meridian[f"{channel}_spend"].sum() == pytest.approx(spend[channel])
        assert meridian[f"{channel}_impression"].sum() == touches[channel]
        assert meridian[f"{channel}_impression"].dtype == np.int64  # counts stay counts
        assert robyn[f"{channel}_S"].sum() == pytest.approx(spend[channel])
        assert robyn[f"{channel}_I"].sum() == touches[channel]
        assert robyn[f"{channel}_I"].dtype == np.int64
        for national in (False, True):
            answer = true_contributions(frame, replication=1, national=national)
            assert answer[channel].sum() == pytest.approx(truth[channel])
    for table in (pymc, robyn):
        assert table["new_customers"].sum() == pytest.approx(outcomes["new_customers"])
        assert table["revenue"].sum() == pytest.approx(outcomes["revenue"])
    assert pymc["competitor_wins"].sum() == pytest.approx(outcomes["competitor_wins"])
    assert robyn["competitor_sales_B"].sum() == pytest.approx(outcomes["competitor_wins"])
    assert meridian["conversions"].sum() == pytest.approx(outcomes["new_customers"])
    revenue = meridian["conversions"] * meridian["revenue_per_conversion"]
    assert revenue.sum() == pytest.approx(outcomes["revenue"])  # every period has a customer


@pytest.mark.parametrize("kind", PERIODS)
def test_one_row_per_period_and_geo_in_each_tool_s_own_names(kind):
    frame = periods(long_frame(), kind)
    dates = frame["date"].nunique()
    pymc = pymc_marketing_table(frame)
    assert list(pymc.columns) == [
        "date", "geo", *CHANNELS, "new_customers", "revenue", "competitor_wins",
    ]  # fmt: skip
    assert len(pymc) == dates * len(GEOS) and not pymc.duplicated(["date", "geo"]).any()
    meridian = meridian_table(frame)
    assert list(meridian.columns) == [
        "geo", "time", *(f"{c}_impression" for c in CHANNELS), *(f"{c}_spend" for c in CHANNELS),
        "competitor_wins", "conversions", "revenue_per_conversion", "population",
    ]  # fmt: skip
    assert len(meridian) == dates * len(GEOS) and not meridian.duplicated(["geo", "time"]).any()
    assert meridian["time"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert meridian.groupby("geo")["population"].unique().map(list).to_dict() == {
        geo: [population] for geo, population in GEOS.items()
    }
    robyn = robyn_table(frame)
    assert list(robyn.columns) == [
        "DATE", "revenue", "new_customers", *(f"{c}_S" for c in CHANNELS),
        *(f"{c}_I" for c in CHANNELS), "competitor_sales_B",
    ]  # fmt: skip
    assert len(robyn) == dates and robyn["DATE"].is_unique
    # The answer key sits row for row beside the export it scores.
    truth = true_contributions(frame)
    assert list(truth.columns) == ["date", "geo", *CHANNELS]
    assert truth[["date", "geo"]].equals(pymc[["date", "geo"]])
    national = true_contributions(frame, national=True)
    assert (national["date"].dt.strftime("%Y-%m-%d") == robyn["DATE"]).all()


def test_one_geo_gives_a_national_table_without_a_geo_column():
    frame = weekly(long_frame(geos={"market": 4000}, replications=1))
    assert "geo" not in pymc_marketing_table(frame).columns
    assert "geo" not in true_contributions(frame).columns
    meridian = meridian_table(frame)
    assert set(meridian["geo"]) == {"market"} and set(meridian["population"]) == {4000}


def test_meridian_columns_name_every_column_and_a_period_without_customers_is_filled():
    long = long_frame(replications=1)
    long.loc[(long["geo"] == "north") & (long["day"] == 3), "new_customers"] = 0.0
    table = meridian_table(long)
    columns = meridian_columns(table)
    named = [columns[k] for k in ("time", "geo", "kpi", "revenue_per_kpi", "population")]
    named += [*columns["controls"], *columns["media"], *columns["media_spend"]]
    assert sorted(named) == sorted(table.columns)  # the loader reads every column, no other
    maps = meridian_loader_arguments(table)
    assert maps["kpi_type"] == "non_revenue"
    assert [maps["media_to_channel"][c] for c in columns["media"]] == list(CHANNELS)
    assert [maps["media_spend_to_channel"][c] for c in columns["media_spend"]] == list(CHANNELS)
    assert not table.isna().any().any()
    north = per_geo_day(long[long["geo"] == "north"])
    average = north["revenue"].sum() / north["new_customers"].sum()
    filled = table.loc[(table["geo"] == "north") & (table["time"] == "2025-01-08")]
    assert filled["revenue_per_conversion"].item() == pytest.approx(average)


def test_unidentifiable_names_flat_idle_and_lockstep_channels_and_passes_flighted_ones():
    def lockstep(rng, days):
        return 2.0 * flighted(np.random.default_rng(7), days) + 10.0

    spends = {
        "flighted": flighted,
        "flat": lambda rng, days: np.full(days, 100.0),
        "idle": lambda rng, days: np.zeros(days),
        "twin_a": lambda rng, days: flighted(np.random.default_rng(7), days),
        "twin_b": lockstep,
    }
    lines = unidentifiable(long_frame(days=70, spends=spends))
    assert [line.split(":")[0] for line in lines] == ["flat", "idle", "twin_a", "twin_b"]
    assert "coefficient of variation 0.000" in lines[0]
    assert "spends nothing" in lines[1]
    assert "twin_b (correlation 1.00)" in lines[2] and "twin_a (correlation 1.00)" in lines[3]
    assert unidentifiable(weekly(long_frame(days=70, spends=spends))) == lines
    assert unidentifiable(long_frame(days=70)) == []  # independently flighted channels pass
    assert "too short" in unidentifiable(long_frame(days=10))[0]


def test_bad_frames_are_named():
    long = long_frame(replications=1)
    with pytest.raises(InputError, match="competitor_wins"):
        pymc_marketing_table(long.drop(columns="competitor_wins"))
    with pytest.raises(InputError, match="replication 3"):
        robyn_table(long, replication=3)
    with pytest.raises(InputError, match="'revenue'"):
        pymc_marketing_table(long.assign(channel=long["channel"].replace("social", "revenue")))
    with pytest.raises(InputError, match="daily frame"):
        weekly(weekly(long))


def test_pymc_marketing_builds_its_mmm_on_the_export_as_it_is():
    pytest.importorskip("pymc_marketing", reason='needs the mmm extra: pip install -e ".[mmm]"')
    from pymc_marketing.mmm import MMM, GeometricAdstock, LogisticSaturation

    table = pymc_marketing_table(weekly(long_frame(replications=1)))
    mmm = MMM(
        date_column="date",
        channel_columns=list(CHANNELS),
        target_column="new_customers",
        control_columns=["competitor_wins"],
        dims=("geo",),
        adstock=GeometricAdstock(l_max=2),
        saturation=LogisticSaturation(),
    )
    mmm.build_model(table.drop(columns="new_customers"), table["new_customers"])
    channel_data = mmm.model["channel_data"].get_value()  # (date, geo, channel)
    assert channel_data.shape == (table["date"].nunique(), len(GEOS), len(CHANNELS))
    expected = table.set_index(["date", "geo"])[list(CHANNELS)].to_numpy()
    np.testing.assert_allclose(channel_data.reshape(-1, len(CHANNELS)), expected)


def test_meridian_loads_the_export_as_it_is():
    load = pytest.importorskip("meridian.data.load", reason="needs google-meridian")

    table = meridian_table(weekly(long_frame(replications=1)))
    data = load.DataFrameDataLoader(
        df=table,
        coord_to_columns=load.CoordToColumns(**meridian_columns(table)),
        **meridian_loader_arguments(table),
    ).load()
    spend = data.media_spend.transpose("geo", "time", "media_channel")
    expected = table.set_index(["geo", "time"]).sort_index()[[f"{c}_spend" for c in CHANNELS]]
    np.testing.assert_allclose(spend.to_numpy().reshape(-1, len(CHANNELS)), expected.to_numpy())
    assert list(data.media_spend.media_channel.values) == list(CHANNELS)
    assert float(data.kpi.sum()) == pytest.approx(table["conversions"].sum())
    assert list(data.controls.control_variable.values) == ["competitor_wins"]
    assert data.population.to_series().to_dict() == GEOS
