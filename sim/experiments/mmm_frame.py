"""The marketing-mix frame: what a team observes each day, and what each channel truly won.

One row per region, replication, day and channel, in the long format every reshaping
starts from (:mod:`sim.analysis.mmm_tables` makes the wide tables pymc-marketing, Meridian
and Robyn read). A channel's true customers on a day are its Shapley share of that day's
customers (the Shapley weights applied to every coalition's customers of the day, paired
by seed): noisy day by day, exact in sum, and the players' shares add up to what they won
together. A channel that is not a player has no true value (NaN).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.experiments.truth import Region, RegionRuns, Study

MMM_START = pd.Timestamp("2025-01-06")
"""The date of day 1 (a Monday: weeks start on Mondays)."""

COLUMNS = (
    "geo",
    "population",
    "replication",
    "date",
    "day",
    "channel",
    "spend",
    "touches",
    "new_customers",
    "revenue",
    "competitor_wins",
    "true_customers",
)
"""The frame's columns, in order."""


def mmm_frame(
    regions: Sequence[Region], arranged: Sequence[RegionRuns], study: Study
) -> pd.DataFrame:
    """Every region's observed days per channel, with the true contributions beside."""
    frames = [
        _region_frame(region, runs, study) for region, runs in zip(regions, arranged, strict=True)
    ]
    return pd.concat(frames, ignore_index=True)[list(COLUMNS)]


def _region_frame(region: Region, runs: RegionRuns, study: Study) -> pd.DataFrame:
    """One region's frame: the baseline's days, its touches, and the true shares."""
    channels = list(region.scenario.enabled_channels())
    true = np.einsum(
        "pc,rcd->rpd", study.design.shapley, runs.daily
    )  # replications × players × days
    frames = []
    for replication, result in enumerate(runs.observed):
        days = result.daily[result.daily["day"] >= 1]
        lost = days["stage.lost_to_competitor"].to_numpy()
        before = result.daily["stage.lost_to_competitor"].to_numpy()[: len(days)]
        base = pd.DataFrame(
            {
                "day": days["day"].to_numpy(np.int64),
                "new_customers": days["new_customers"].to_numpy(np.float64),
                "revenue": days["revenue"].to_numpy(np.float64),
                "competitor_wins": (lost - before).astype(np.float64),
            }
        )
        counted = result.touches.groupby(["day", "source"], observed=False).size()
        for channel in channels:
            frame = base.assign(
                channel=channel, spend=days[f"spend.{channel}"].to_numpy(np.float64)
            )
            touched = (
                counted.xs(channel, level="source") if channel in counted.index.levels[1] else None
            )
            frame["touches"] = (
                frame["day"].map(touched).fillna(0).astype(np.int64) if touched is not None else 0
            )
            if channel in study.players:
                frame["true_customers"] = true[
                    replication, study.players.index(channel), frame["day"] - 1
                ]
            else:
                frame["true_customers"] = np.nan
            frames.append(frame.assign(replication=replication))
    frame = pd.concat(frames, ignore_index=True)
    frame["geo"] = region.name
    frame["population"] = region.scenario.population.size
    frame["date"] = MMM_START + pd.to_timedelta(frame["day"] - 1, unit="D")
    return frame.sort_values(["replication", "day", "channel"], kind="stable")
