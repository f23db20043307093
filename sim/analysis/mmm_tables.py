"""Wide marketing-mix tables that pymc-marketing, Meridian and Robyn read as they are.

``sim.attribution(...).mmm`` is a LONG daily frame: one row per geo × replication × day ×
channel, with the channel's ``spend``, ``touches`` and ``true_customers`` and the geo's
``new_customers``, ``revenue`` and ``competitor_wins`` that day (repeated on each channel's
row). The functions here turn one replication of it (a marketing team has one history)
into the wide table each tool reads without reshaping, and put the true contribution of
each channel beside it, period by period::

    from sim.analysis import mmm_tables

    weeks = mmm_tables.weekly(result.mmm)
    X = mmm_tables.pymc_marketing_table(weeks)    # pymc_marketing.mmm.MMM
    truth = mmm_tables.true_contributions(weeks)  # the same rows: what each channel won

Every table takes the daily frame or :func:`weekly`'s; its rows are the frame's periods
(days or weeks), sorted by date and then geo. Which channels an MMM cannot identify from
their spend: :mod:`sim.analysis.mmm_identification`. See docs/mmm-exports.md.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.scenario.errors import InputError

PER_CHANNEL = ("spend", "touches", "true_customers")
"""The channel's own figures in a period: summed when days roll up to weeks."""

PER_GEO_DAY = ("new_customers", "revenue", "competitor_wins")
"""The geo's outcomes in a period, repeated on every channel's row: counted once per geo."""

KEYS = ("geo", "population", "replication", "date", "channel")
"""The columns that say which geo, history, period and channel a row is about."""


def weekly(long: pd.DataFrame) -> pd.DataFrame:
    """Roll the daily frame up to weeks that start on Monday.

    ``date`` becomes the week's Monday and ``day`` becomes ``week`` (1 for the first
    whole week). ``spend``, ``touches`` and ``true_customers`` are
    summed per channel; ``new_customers``, ``revenue`` and ``competitor_wins`` once per
    geo and day (not once per channel row) and then over the week; ``population`` is
    kept. Only whole weeks are kept: a week with fewer than seven days in the frame
    (the trailing partial week of a horizon that is not a multiple of 7, since day 1 is
    a Monday) is dropped, so its days are not in any total.

    Args:
        long: The daily frame, every replication (``sim.attribution(...).mmm``).

    Returns:
        The same columns, with ``week`` for ``day``, one row per geo × replication ×
        week × channel.

    Raises:
        InputError: A column is missing or the frame is already weekly.
    """
    _check(long)
    if "day" not in long.columns:
        raise InputError("mmm frame: no 'day' column: weekly() takes the daily frame")
    monday = long["date"] - pd.to_timedelta(long["date"].dt.day_of_week, unit="D")
    days_in_week = long.groupby(monday)["date"].transform("nunique")
    days = long.assign(date=monday)[days_in_week == 7]
    groups = ["geo", "population", "replication", "date"]
    channel_sums = days.groupby([*groups, "channel"], sort=False)[list(PER_CHANNEL)].sum()
    once = days.drop_duplicates(["geo", "replication", "day"])
    outcome_sums = once.groupby(groups, sort=False)[list(PER_GEO_DAY)].sum()
    weeks = channel_sums.join(outcome_sums, on=groups).reset_index()
    first = weeks["date"].min()
    weeks.insert(4, "week", ((weeks["date"] - first).dt.days // 7 + 1).astype(np.int64))
    columns = [*KEYS[:4], "week", "channel", "spend", "touches", *PER_GEO_DAY, "true_customers"]
    return (
        weeks[columns]
        .sort_values(["replication", "date", "geo"], kind="stable")
        .reset_index(drop=True)
    )


def pymc_marketing_table(frame: pd.DataFrame, replication: int = 0) -> pd.DataFrame:
    """The table pymc-marketing's ``MMM`` reads: a spend column per channel by date.

    Columns: ``date``, ``geo`` (only when there are several geos: the panel column of
    ``MMM(..., dims=("geo",))``), one column per channel named by the channel (its
    spend), the target ``new_customers``, ``revenue`` (the other target: pymc-marketing ignores
    the columns it is not told about) and the control ``competitor_wins``. One row per
    period (per geo). Read it with::

        from pymc_marketing.mmm import MMM, GeometricAdstock, LogisticSaturation

        mmm = MMM(date_column="date", channel_columns=channels,
                  target_column="new_customers", control_columns=["competitor_wins"],
                  dims=("geo",) if "geo" in table else None,
                  adstock=GeometricAdstock(l_max=4), saturation=LogisticSaturation())
        mmm.build_model(table.drop(columns="new_customers"), table["new_customers"])

    Args:
        frame: The daily frame or :func:`weekly`'s (the rows are its periods).
        replication: Which history.

    Raises:
        InputError: A column or the replication is missing, or a channel is named like
            one of the table's other columns.
    """
    history = one_history(frame, replication)
    channels = channel_order(history, reserved=("date", "geo", *PER_GEO_DAY))
    spend = history.pivot(index=["date", "geo"], columns="channel", values="spend")[channels]
    table = spend.join(_outcomes(history)).reset_index()
    table.columns.name = None
    if history["geo"].nunique() == 1:
        table = table.drop(columns="geo")
    return table


def meridian_table(frame: pd.DataFrame, replication: int = 0) -> pd.DataFrame:
    """The frame Meridian's ``DataFrameDataLoader`` reads, named as Meridian's own samples.

    Columns (as in Meridian's ``simulated_data/csv/geo_media.csv``): ``geo``, ``time``
    (text, YYYY-MM-DD), per channel ``<channel>_impression`` (its touches: the media
    exposure) and ``<channel>_spend``, the control ``competitor_wins``, the kpi
    ``conversions`` (new customers), ``revenue_per_conversion`` and ``population`` (the
    geo's prospects). One row per geo and period; with one geo Meridian fits a national
    model. ``revenue_per_conversion`` is the period's revenue (every customer's, renewals
    included) over its new customers, so ``conversions × revenue_per_conversion`` is the
    revenue of every period with a new customer; a period with none (Meridian reads no
    missing value) carries the geo's revenue per new customer over the whole history.
    Read it with :func:`meridian_columns` and :func:`meridian_loader_arguments`.

    Args:
        frame: The daily frame or :func:`weekly`'s (the rows are its periods).
        replication: Which history.

    Raises:
        InputError: A column or the replication is missing.
    """
    history = one_history(frame, replication)
    channels = channel_order(history)
    touches, spend = (
        history.pivot(index=["date", "geo"], columns="channel", values=column)
        for column in ("touches", "spend")
    )
    media = {f"{c}_impression": touches[c] for c in channels}
    spend = {f"{c}_spend": spend[c] for c in channels}
    outcomes = _outcomes(history)
    per_geo = outcomes.groupby(level="geo")[["revenue", "new_customers"]].sum()
    average = (per_geo["revenue"] / per_geo["new_customers"]).where(
        per_geo["new_customers"] > 0, 0.0
    )
    fallback = average.reindex(outcomes.index.get_level_values("geo")).to_numpy()
    customers = outcomes["new_customers"]
    per_conversion = (outcomes["revenue"] / customers.where(customers > 0)).fillna(
        pd.Series(fallback, outcomes.index)
    )
    population = history.drop_duplicates("geo").set_index("geo")["population"]
    table = pd.DataFrame(
        {
            **media,
            **spend,
            "competitor_wins": outcomes["competitor_wins"],
            "conversions": customers,
            "revenue_per_conversion": per_conversion,
        }
    ).reset_index()
    table.insert(0, "time", table.pop("date").dt.strftime("%Y-%m-%d"))
    table.insert(0, "geo", table.pop("geo"))
    table["population"] = table["geo"].map(population).astype(np.int64)
    return table


def meridian_columns(table: pd.DataFrame) -> dict[str, object]:
    """The arguments of Meridian's ``CoordToColumns`` for a :func:`meridian_table`.

    ``meridian.data.load.CoordToColumns(**meridian_columns(table))``.
    """
    channels = _meridian_channels(table)
    return {
        "time": "time",
        "geo": "geo",
        "kpi": "conversions",
        "revenue_per_kpi": "revenue_per_conversion",
        "population": "population",
        "controls": ["competitor_wins"],
        "media": [f"{c}_impression" for c in channels],
        "media_spend": [f"{c}_spend" for c in channels],
    }


def meridian_loader_arguments(table: pd.DataFrame) -> dict[str, object]:
    """The rest of Meridian's ``DataFrameDataLoader`` arguments for a :func:`meridian_table`.

    ``kpi_type`` (``"non_revenue"``: the kpi is new customers, with revenue per
    conversion), ``media_to_channel`` and ``media_spend_to_channel``::

        from meridian.data.load import CoordToColumns, DataFrameDataLoader

        data = DataFrameDataLoader(
            df=table,
            coord_to_columns=CoordToColumns(**meridian_columns(table)),
            **meridian_loader_arguments(table),
        ).load()
    """
    channels = _meridian_channels(table)
    return {
        "kpi_type": "non_revenue",
        "media_to_channel": {f"{c}_impression": c for c in channels},
        "media_spend_to_channel": {f"{c}_spend": c for c in channels},
    }


def robyn_table(frame: pd.DataFrame, replication: int = 0) -> pd.DataFrame:
    """The national table Robyn's ``robyn_inputs(dt_input=...)`` reads.

    Laid out as Robyn's ``dt_simulated_weekly``, the geos summed into one series:
    ``DATE`` (text, YYYY-MM-DD), ``revenue`` (``dep_var``, ``dep_var_type="revenue"``),
    ``new_customers`` (the other ``dep_var``, with ``dep_var_type="conversion"``),
    per channel ``<channel>_S`` (spend: ``paid_media_spends``) and ``<channel>_I``
    (touches, Robyn's impressions: ``paid_media_vars``), and ``competitor_sales_B``
    (our ``competitor_wins``, the prospects lost to competitors: ``context_vars``).
    Robyn's ``events`` and organic ``newsletter`` have no counterpart and are left out.

    Args:
        frame: The daily frame or :func:`weekly`'s (Robyn's sample data are weekly).
        replication: Which history.

    Raises:
        InputError: A column or the replication is missing.
    """
    history = one_history(frame, replication)
    channels = channel_order(history)
    national = (
        history.groupby(["date", "channel"], sort=False)[["spend", "touches"]]
        .sum()
        .unstack("channel")
    )
    outcomes = _outcomes(history).groupby(level="date").sum()
    table = pd.DataFrame(
        {
            "DATE": outcomes.index.strftime("%Y-%m-%d"),
            "revenue": outcomes["revenue"].to_numpy(),
            "new_customers": outcomes["new_customers"].to_numpy(),
            **{f"{c}_S": national["spend", c].reindex(outcomes.index).to_numpy() for c in channels},
            **{
                f"{c}_I": national["touches", c].reindex(outcomes.index).to_numpy()
                for c in channels
            },
            "competitor_sales_B": outcomes["competitor_wins"].to_numpy(),
        }
    )
    return table


def true_contributions(
    frame: pd.DataFrame, replication: int = 0, *, national: bool = False
) -> pd.DataFrame:
    """What each channel really won, per period: the answer key beside an export.

    One column per channel (named by the channel, as in :func:`pymc_marketing_table`):
    the customers the channel won in the period (the baseline minus the same run without
    it, paired by seed: noisy period by period, exact in sum). The rows are those of the
    export it goes beside: ``date`` and, with several geos, ``geo``, sorted by date then
    geo (row for row :func:`pymc_marketing_table` and :func:`meridian_table`); with
    ``national=True`` the geos are summed (row for row :func:`robyn_table`).

    Args:
        frame: The daily frame or :func:`weekly`'s.
        replication: Which history.
        national: Sum the geos into one series.

    Raises:
        InputError: A column or the replication is missing.
    """
    history = one_history(frame, replication)
    channels = channel_order(history)
    several = history["geo"].nunique() > 1 and not national
    rows = ["date", "geo"] if several else ["date"]
    truth = history.groupby([*rows, "channel"])["true_customers"].sum().unstack("channel")[channels]
    truth = truth.reset_index()
    truth.columns.name = None
    return truth


def _check(frame: pd.DataFrame) -> None:
    """Raise if ``frame`` lacks a column of the MMM frame."""
    missing = [c for c in (*KEYS, *PER_CHANNEL, *PER_GEO_DAY) if c not in frame.columns]
    if "day" not in frame.columns and "week" not in frame.columns:
        missing.append("day (or week)")
    if missing:
        raise InputError(
            f"mmm frame: missing column(s) {', '.join(missing)}; pass sim.attribution(...).mmm"
        )


def one_history(frame: pd.DataFrame, replication: int) -> pd.DataFrame:
    """One replication's rows of an MMM frame, sorted by date and then geo.

    Args:
        frame: The daily MMM frame or its weekly roll-up.
        replication: Which history.

    Raises:
        InputError: A column of the MMM frame or the replication is missing.
    """
    _check(frame)
    history = frame[frame["replication"] == replication]
    if history.empty:
        have = sorted(frame["replication"].unique().tolist())
        raise InputError(f"mmm frame: replication {replication!r} is not in it (it has {have})")
    return history.sort_values(["date", "geo"], kind="stable")


def channel_order(history: pd.DataFrame, reserved: tuple[str, ...] = ()) -> list[str]:
    """The channels in the order they first appear in ``history``.

    Raises:
        InputError: A channel has the name of one of the ``reserved`` columns.
    """
    channels = list(dict.fromkeys(history["channel"]))
    clashes = [c for c in channels if c in reserved]
    if clashes:
        raise InputError(f"mmm frame: channel {clashes[0]!r} has the name of a column of the table")
    return channels


def _outcomes(history: pd.DataFrame) -> pd.DataFrame:
    """The geo's outcomes per period, once (they repeat on every channel's row)."""
    once = history.drop_duplicates(["date", "geo"])
    return once.set_index(["date", "geo"])[list(PER_GEO_DAY)]


def _meridian_channels(table: pd.DataFrame) -> list[str]:
    """The channels of a :func:`meridian_table`, from its ``<channel>_spend`` columns."""
    channels = [c.removesuffix("_spend") for c in table.columns if c.endswith("_spend")]
    if not channels:
        raise InputError("meridian table: no '<channel>_spend' column; pass meridian_table(...)")
    return channels
