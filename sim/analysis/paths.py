"""Touch paths: each prospect's touches in order, as attribution tools read them.

Three views of the runs' touch logs (``simulate(..., touch_log=True)``):

- :func:`touch_paths`: tidy, one row per touch (replication, prospect, position in the
  path, day, source, quality, and whether the path converted), for Parquet;
- :func:`journeys`: one row per touched prospect, the path as a tuple of sources up to
  the first purchase, what the attribution models take
  (:mod:`sim.analysis.attribution_models`);
- :func:`path_table`: identical paths counted, in the format of the ChannelAttribution
  package and most multi-touch attribution tools: ``"search > webinar > rep"``,
  ``total_conversions``, ``total_conversion_value``, ``total_null``.

A converted path holds the touches up to and including the day of the first purchase
(a rep's call that day is the one that closed); a path that did not convert holds every
touch of the run.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.analysis.results import RunResult

SEPARATOR = " > "
"""Between the sources of a path (ChannelAttribution's ``sep``, with spaces)."""


def touch_paths(results: Sequence[RunResult]) -> pd.DataFrame:
    """Every touch before conversion, one row each, replication by replication.

    Args:
        results: Runs made with a touch log, one per replication.

    Returns:
        ``replication``, ``prospect``, ``step`` (0 = the first touch), ``day``, ``source``
        (categorical), ``quality``, ``converted`` (the path ends in a purchase); sorted
        by replication, prospect and step.
    """
    frames = []
    for replication, result in enumerate(results):
        if result.touches is None or result.purchases is None or result.spec is None:
            raise ValueError(f"replication {replication}: run without a touch log")
        touches = result.touches
        bought = np.full(result.spec.population.size, -1, dtype=np.int64)
        bought[result.purchases["prospect"].to_numpy()] = result.purchases["day"].to_numpy()
        day_bought = bought[touches["prospect"].to_numpy()]
        before = (day_bought < 0) | (touches["day"].to_numpy() <= day_bought)
        frame = touches[before].sort_values(["prospect", "day"], kind="stable")
        frame.insert(0, "replication", replication)
        frame.insert(2, "step", frame.groupby("prospect", observed=True).cumcount())
        frame["converted"] = bought[frame["prospect"].to_numpy()] >= 0
        frames.append(frame)
    columns = ["replication", "prospect", "step", "day", "source", "quality", "converted"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def journeys(results: Sequence[RunResult], paths: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per touched prospect: the path and how it ended.

    Args:
        results: Runs made with a touch log, one per replication.
        paths: Their :func:`touch_paths`, if made already.

    Returns:
        ``replication``, ``prospect``, ``sources`` (tuple of source names in order),
        ``days`` (tuple), ``converted``, ``conversion_day`` (-1 if not) and ``value``
        (the first purchase's price, 0 if not).
    """
    paths = touch_paths(results) if paths is None else paths
    names = np.asarray(paths["source"].cat.categories, dtype=object)[paths["source"].cat.codes]
    days = paths["day"].to_numpy()
    keys = paths["replication"].to_numpy(np.int64) << 32 | paths["prospect"].to_numpy(np.int64)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if keys.size else keys
    ends = np.r_[starts[1:], keys.size].astype(np.int64)
    table = pd.DataFrame(
        {
            "replication": paths["replication"].to_numpy()[starts],
            "prospect": paths["prospect"].to_numpy()[starts],
            "sources": [tuple(names[a:b]) for a, b in zip(starts, ends, strict=True)],
            "days": [tuple(days[a:b].tolist()) for a, b in zip(starts, ends, strict=True)],
        }
    )
    bought = pd.concat(
        [r.purchases.assign(replication=i) for i, r in enumerate(results)], ignore_index=True
    ).rename(columns={"day": "conversion_day"})
    table = table.merge(bought, on=["replication", "prospect"], how="left")
    table["converted"] = table["conversion_day"].notna()
    table["conversion_day"] = table["conversion_day"].fillna(-1).astype(np.int64)
    table["value"] = table["value"].fillna(0.0).astype(np.float64)
    return table[
        ["replication", "prospect", "sources", "days", "converted", "conversion_day", "value"]
    ]


def path_table(journeys: pd.DataFrame) -> pd.DataFrame:
    """Identical paths counted, as ChannelAttribution and common MTA tools read them.

    Returns:
        ``path`` (``"search > webinar > rep"``), ``total_conversions``,
        ``total_conversion_value``, ``total_null``; most frequent paths first.
    """
    frame = pd.DataFrame(
        {
            "path": [SEPARATOR.join(p) for p in journeys["sources"]],
            "total_conversions": journeys["converted"].astype(np.int64),
            "total_conversion_value": journeys["value"],
            "total_null": (~journeys["converted"]).astype(np.int64),
        }
    )
    counted = frame.groupby("path", as_index=False, sort=False).sum()
    counted["paths"] = counted["total_conversions"] + counted["total_null"]
    counted = counted.sort_values(["paths", "path"], ascending=[False, True], kind="stable")
    return counted.drop(columns="paths").reset_index(drop=True)
