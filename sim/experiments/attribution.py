"""Attribution against ground truth: the usual models scored on what really happened.

::

    import sim
    result = sim.attribution(sim.load_scenario("scenarios/touchpoint_management.yaml"))
    result.truth        # per source: customers and profit lost without it, with CIs
    result.ranking      # attribution models, least wrong first

The truth comes from removal on common random numbers (:mod:`sim.experiments.truth`);
the observed data a marketing team would have comes from the same baseline runs with a
touch log: touch paths (:mod:`sim.analysis.paths`), scored by the attribution models
(:mod:`sim.analysis.attribution_models`), and a daily marketing-mix frame with each
channel's true contribution beside it.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis.attribution_models import MODEL_LABELS, MODELS, shares
from sim.analysis.paths import journeys, path_table, touch_paths
from sim.experiments.specs import check_count, check_seed, replication_seeds
from sim.experiments.truth import (
    Runs,
    daily_contribution,
    interaction,
    run_variants,
    truth_table,
)
from sim.scenario.errors import InputError
from sim.scenario.schema import Scenario

ATTRIBUTION_KIND = "attribution"
"""The kind of output folder this produces."""

MMM_START = pd.Timestamp("2025-01-06")
"""The date of day 1 in the marketing-mix frame (a Monday: weeks start on Mondays)."""


@dataclass
class Attribution:
    """Ground truth, touch paths and attribution models scored against the truth.

    Attributes:
        scenario: The scenario's name.
        truth: Per source, what switching it off loses (:func:`~sim.experiments.truth.truth_table`).
        interaction: The removal effects' sum against the total
            (:func:`~sim.experiments.truth.interaction`).
        touches: Every touch before conversion, one row each (tidy; Parquet-ready).
        paths: Identical paths counted, in ChannelAttribution's format.
        scoreboard: Per model and source: the model's ``share`` of the conversions, the
            ``true_share`` and their absolute difference ``error``.
        ranking: Per model: ``error`` (total absolute share error against the truth),
            least wrong first.
        mmm: Per replication, day and channel: ``spend``, ``touches``, the day's
            ``new_customers`` and ``revenue``, and the channel's ``true_customers``
            (long format, as marketing-mix tools read it; ``date`` from :data:`MMM_START`).
        runs: The KPIs of every variant's runs (one row per variant × replication).
    """

    scenario: str
    truth: pd.DataFrame
    interaction: dict[str, float]
    touches: pd.DataFrame
    paths: pd.DataFrame
    scoreboard: pd.DataFrame
    ranking: pd.DataFrame
    mmm: pd.DataFrame
    runs: pd.DataFrame


def attribution(
    scenario: Scenario,
    replications: int = 30,
    seed: int = 0,
    *,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: bool = True,
) -> Attribution:
    """Find each source's true effect and score the attribution models against it.

    Args:
        scenario: The market and strategy to attribute.
        replications: Runs per variant (the baseline, each source off, each channel at 90 %).
        seed: Master seed; replication k of every variant uses the same derived seed.
        executor: Run on this executor (e.g. a Dask client's); else a local pool.
        workers: Size of the local pool (default: the cores; 1 = in this process).
        progress: Progress bars on stderr.

    Raises:
        InputError: A bad count or seed, or a scenario with no source to attribute.
    """
    check_count("replications", replications)
    check_seed(seed)
    if not scenario.enabled_channels():
        raise InputError(f"{scenario.name}: channels: no channel is enabled; nothing to attribute")
    seeds = replication_seeds(seed, replications)
    runs = run_variants(scenario, seeds, executor=executor, workers=workers, progress=progress)
    truth = truth_table(runs)
    touches = touch_paths(runs.observed)
    paths = journeys(runs.observed, touches)
    board = scoreboard(shares(paths), truth)
    return Attribution(
        scenario=scenario.name,
        truth=truth,
        interaction=interaction(runs, truth),
        touches=touches,
        paths=path_table(paths),
        scoreboard=board,
        ranking=ranking(board),
        mmm=mmm_frame(runs),
        runs=runs.kpis,
    )


def scoreboard(model_shares: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """Each model's share per source against the true share, among the touch sources.

    The true share of a source is its removal effect on customers (negatives as 0) over
    the sum of those of the sources the models can credit, the scale Markov removal
    effects are normalised on too.
    """
    listed = [s for s in truth["source"] if s in model_shares.columns]
    sources = listed + [s for s in model_shares.columns if s not in listed]
    effect = truth.set_index("source")["customers"].reindex(sources).fillna(0.0).clip(lower=0)
    true_share = effect / effect.sum() if effect.sum() > 0 else effect * np.nan
    long = (
        model_shares[sources]
        .rename_axis("model")
        .reset_index()
        .melt(id_vars="model", var_name="source", value_name="share")
    )
    long["true_share"] = long["source"].map(true_share)
    long["error"] = (long["share"] - long["true_share"]).abs()
    return long


def ranking(board: pd.DataFrame) -> pd.DataFrame:
    """Models by total absolute share error against the truth, least wrong first."""
    errors = board.groupby("model", sort=False)["error"].sum(min_count=1).reindex(list(MODELS))
    table = errors.rename("error").rename_axis("model").reset_index()
    table.insert(1, "label", table["model"].map(MODEL_LABELS))
    table = table.sort_values("error", kind="stable").reset_index(drop=True)
    table["rank"] = np.arange(1, len(table) + 1)
    return table


def mmm_frame(runs: Runs) -> pd.DataFrame:
    """Daily spend, touches and outcomes per channel, with each channel's true contribution."""
    frames = []
    for replication, result in enumerate(runs.observed):
        channels = result.spec.enabled_channels()
        days = result.daily[result.daily["day"] >= 1]
        spend = days.melt(
            id_vars=["day", "new_customers", "revenue"],
            value_vars=[f"spend.{c}" for c in channels],
            var_name="channel",
            value_name="spend",
        )
        spend["channel"] = spend["channel"].str.removeprefix("spend.")
        counted = result.touches.groupby(["day", "source"], observed=False).size()
        counted = counted.rename("touches").reset_index().rename(columns={"source": "channel"})
        counted["channel"] = counted["channel"].astype(str)
        frame = spend.merge(counted, on=["day", "channel"], how="left")
        frames.append(frame.assign(replication=replication))
    frame = pd.concat(frames, ignore_index=True)
    frame["touches"] = frame["touches"].fillna(0).astype(np.int64)
    frame["day"] = frame["day"].astype(np.int64)
    frame = frame.merge(daily_contribution(runs), on=["replication", "day", "channel"], how="left")
    frame["date"] = MMM_START + pd.to_timedelta(frame["day"] - 1, unit="D")
    columns = [
        "replication",
        "date",
        "day",
        "channel",
        "spend",
        "touches",
        "new_customers",
        "revenue",
        "true_customers",
    ]
    return frame[columns].sort_values(["replication", "day", "channel"]).reset_index(drop=True)
