"""Attribution against ground truth: the usual models scored on what really happened.

::

    import sim
    result = sim.attribution(sim.load_scenario("scenarios/research/substitutes.yaml"))
    result.truth        # per player: Shapley value, removal and add-one effects, with CIs
    result.ranking      # attribution models, least wrong first (against the Shapley shares)

The truth is the Shapley value of each player (the paid channels by default) on common
random numbers (:mod:`sim.experiments.shapley`), beside its removal and add-one effects;
the other sources (reps, referrals, review look-ups, care) are reported by removal and not
scored. The data a marketing team would have comes from the baseline's runs with a touch
log: the players' touch paths, scored by the attribution models
(:mod:`sim.analysis.attribution_models`), and a daily marketing-mix frame with each
channel's true contribution beside it. Response curves and lift tests come from the same
study (:mod:`sim.experiments.curves`, :mod:`sim.experiments.lift`). Several scenario
files are several regions of one market: their truths add up, and they are the geos of
the marketing-mix frame and of a geo holdout.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis.attribution_models import MODEL_LABELS, MODELS, shares
from sim.analysis.paths import journeys, path_table, touch_paths
from sim.analysis.stats import paired_difference
from sim.experiments.curves import curve_channels, curve_table
from sim.experiments.lift import (
    HOLDOUT_COUNTS,
    geo_estimates,
    holdout_estimates,
    lift_summary,
)
from sim.experiments.mmm_frame import mmm_frame
from sim.experiments.shapley import (
    EXACT_UP_TO,
    check_players,
    default_players,
    design,
    interaction,
    value_table,
)
from sim.experiments.specs import check_count, check_seed, replication_seeds
from sim.experiments.truth import (
    OUTCOMES,
    Region,
    RegionRuns,
    Study,
    region_specs,
    removals,
    run_study,
)
from sim.scenario.errors import InputError
from sim.scenario.schema import Scenario
from sim.scenario.vocabulary import LIFT_HOLDOUT_SHARE

ATTRIBUTION_KIND = "attribution"
"""The kind of output folder this produces."""

WHOLE_MARKET = "all regions"
"""The ``geo`` of a lift test run over every region at once."""


@dataclass
class Attribution:
    """Ground truth, touch paths, response curves, lift tests, and the models scored.

    Attributes:
        scenario: The market's name (the first region's).
        regions: The regions' names (one: the market).
        players: The sources the Shapley values split the credit between.
        exact: Whether every coalition was run (else orders were sampled).
        truth: Per player: ``share`` and, per outcome, the Shapley value, the removal
            effect (``removal_*``) and the add-one effect (``add_one_*``), with 95 % CIs.
        others: Per source that is not a player: what switching it off loses (not scored).
        interaction: The players' joint effect against the sums of removals and add-ones.
        curves: Per paid player and budget multiple: spend, gains, true and marginal ROAS.
        lifts: Per channel player, design (``holdout``, ``geo``) and ``geo`` (where it ran):
            the first experiment's estimate and interval, the truth (removal effect), and
            coverage over all.
        touches: Every player's touch before conversion, one row each (tidy).
        paths: Identical player paths counted, in ChannelAttribution's format.
        scoreboard: Per model and player: its ``share``, the ``true_share`` (Shapley) and
            their absolute difference ``error``; ``removal_share`` beside.
        ranking: Per model: ``error`` against the Shapley shares (least wrong first) and
            ``error_removal`` against normalised removal effects.
        mmm: Per region, replication, day and channel: spend, touches, the day's outcomes
            and controls, and the channel's true (Shapley) customers that day.
        runs: The KPIs of every run.
    """

    scenario: str
    regions: list[str]
    players: list[str]
    exact: bool
    truth: pd.DataFrame
    others: pd.DataFrame
    interaction: dict[str, float]
    curves: pd.DataFrame
    lifts: pd.DataFrame
    touches: pd.DataFrame
    paths: pd.DataFrame
    scoreboard: pd.DataFrame
    ranking: pd.DataFrame
    mmm: pd.DataFrame
    runs: pd.DataFrame


def attribution(
    scenario: Scenario | Sequence[Scenario],
    replications: int = 30,
    seed: int = 0,
    *,
    players: Sequence[str] | None = None,
    holdout_share: float = LIFT_HOLDOUT_SHARE,
    curves: bool = True,
    exact_up_to: int = EXACT_UP_TO,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: bool = True,
) -> Attribution:
    """Find each player's true effect and score the attribution models against it.

    Args:
        scenario: The market, or its regions (scenarios with the same channels).
        replications: Runs of each coalition and variant, per region.
        seed: Master seed; replication k of every run in a region has the same seed.
        players: The sources to split the credit between (default: the paid channels).
        holdout_share: The share a lift test holds out of each channel player (0: none).
        curves: Measure each paid player's response curve.
        exact_up_to: Most players whose every coalition is run; more are sampled.
        executor: Run on this executor (e.g. a Dask client's); else a local pool.
        workers: Size of the local pool (default: the cores; 1 = in this process).
        progress: Progress bars on stderr.

    Raises:
        InputError: A bad count, seed or share, a player the market cannot switch off,
            or regions whose channels differ.
    """
    check_count("replications", replications)
    check_seed(seed)
    scenarios = [scenario] if isinstance(scenario, Scenario) else list(scenario)
    first = scenarios[0]
    study = plan_study(
        first, players, holdout_share, curves=curves, exact_up_to=exact_up_to, seed=seed
    )
    chosen = list(study.players)
    for other in scenarios[1:]:
        if set(other.enabled_channels()) != set(first.enabled_channels()):
            raise InputError(
                f"{other.name}: its channels ({', '.join(other.enabled_channels())}) differ from "
                f"{first.name}'s: the regions of one market have the same channels"
            )
    if len({s.name for s in scenarios}) < len(scenarios):
        raise InputError("regions: two scenarios have the same name; name each region")
    regions = [
        Region(s.name, s, tuple(region_seeds(seed, replications, i)))
        for i, s in enumerate(scenarios)
    ]
    arranged, table = run_study(
        regions, study, executor=executor, workers=workers, progress=progress
    )

    values = {o: sum(runs.values[o] for runs in arranged) for o in OUTCOMES}
    kinds = {v.source: v.kind for v in removals(first)}
    truth = value_table(study.design, values, kinds)
    observed = [result for runs in arranged for result in runs.observed]
    touches = touch_paths(observed)
    scored = touches[touches["source"].isin(chosen)]
    scored = scored.assign(source=scored["source"].cat.remove_unused_categories())
    paths = journeys(observed, scored)
    board = scoreboard(shares(paths), truth)
    return Attribution(
        scenario=first.name,
        regions=[r.name for r in regions],
        players=chosen,
        exact=study.design.exact,
        truth=truth,
        others=others_table(arranged, study),
        interaction=interaction(study.design, values["customers"]),
        curves=_curves(arranged, regions, study),
        lifts=_lifts(arranged, regions, study, truth, seed),
        touches=touches,
        paths=path_table(paths),
        scoreboard=board,
        ranking=ranking(board),
        mmm=mmm_frame(regions, arranged, study),
        runs=table,
    )


def planned_runs(
    scenarios: Sequence[Scenario],
    replications: int,
    players: Sequence[str] | None = None,
    holdout_share: float = LIFT_HOLDOUT_SHARE,
    *,
    curves: bool = True,
    exact_up_to: int = EXACT_UP_TO,
) -> list[int]:
    """How many runs :func:`attribution` makes in each region (for a cost estimate)."""
    study = plan_study(scenarios[0], players, holdout_share, curves=curves, exact_up_to=exact_up_to)
    seeds = tuple(range(replications))
    return [len(region_specs(Region(s.name, s, seeds), study)) for s in scenarios]


def plan_study(
    scenario: Scenario,
    players: Sequence[str] | None,
    holdout_share: float,
    *,
    curves: bool = True,
    exact_up_to: int = EXACT_UP_TO,
    seed: int = 0,
) -> Study:
    """What to run in each region: the players' design, the curves, the holdout.

    Raises:
        InputError: A player the market cannot switch off, or a bad holdout share.
    """
    if not 0 <= holdout_share < 1:
        raise InputError(f"holdout share: must be in [0, 1); got {holdout_share}")
    chosen = list(players) if players is not None else default_players(scenario)
    chosen = check_players(scenario, chosen, [v.source for v in removals(scenario)])
    return Study(
        design(chosen, exact_up_to=exact_up_to, seed=seed),
        tuple(curve_channels(scenario, chosen)) if curves else (),
        holdout_share,
    )


def region_seeds(seed: int, replications: int, region: int) -> list[int]:
    """The seeds of a region's replications: the first region's are ``replication_seeds``."""
    if region == 0:
        return replication_seeds(seed, replications)
    entropy = np.random.SeedSequence([seed, region]).generate_state(1, dtype=np.uint32)[0]
    return replication_seeds(int(entropy), replications)


def others_table(arranged: list[RegionRuns], study: Study) -> pd.DataFrame:
    """Per source that is not a player: customers and lifetime profit lost without it."""
    grand = study.design.index(set(study.players))
    outcomes = ("customers", "lifetime_profit")
    base = {o: sum(runs.values[o][:, grand] for runs in arranged) for o in outcomes}
    rows = []
    for source in arranged[0].removed:
        row: dict[str, object] = {"source": source}
        for outcome in outcomes:
            without = sum(runs.removed[source][outcome].to_numpy() for runs in arranged)
            change = paired_difference(without, base[outcome])
            row |= {
                outcome: change["diff"],
                f"{outcome}_low": change["diff_low"],
                f"{outcome}_high": change["diff_high"],
            }
        rows.append(row)
    columns = ["source"] + [f"{o}{s}" for o in outcomes for s in ("", "_low", "_high")]
    return pd.DataFrame(rows, columns=columns)


def _curves(arranged: list[RegionRuns], regions: list[Region], study: Study) -> pd.DataFrame:
    """The response curves, regions added up replication by replication."""
    if not study.curves:
        return pd.DataFrame()
    points = {
        channel: {
            multiple: sum(
                runs.curves[channel][multiple].reset_index(drop=True) for runs in arranged
            )
            for multiple in arranged[0].curves[channel]
        }
        for channel in study.curves
    }
    budgets = {c: sum(r.scenario.channels[c].budget for r in regions) for c in study.curves}
    return curve_table(points, budgets)


def _lifts(
    arranged: list[RegionRuns], regions: list[Region], study: Study, truth: pd.DataFrame, seed: int
) -> pd.DataFrame:
    """Each channel player's holdout (and geo) experiment beside its removal effect.

    ``geo`` names where the experiment ran: the whole market (:data:`WHOLE_MARKET` when
    there are several regions), or, with several regions, each region on its own too (what
    a marketing-mix model with a geo dimension is calibrated with).
    """
    removal = truth.set_index("player")["removal_customers"]
    whole = WHOLE_MARKET if len(regions) > 1 else regions[0].name
    grand = study.design.index(set(study.players))
    replications = range(len(regions[0].seeds))
    rows = []
    for channel in arranged[0].holdouts:
        counts = [
            {k: sum(runs.holdouts[channel][r][k] for runs in arranged) for k in HOLDOUT_COUNTS}
            for r in replications
        ]
        size = sum(r.scenario.population.size for r in regions)
        found = lift_summary(holdout_estimates(counts, size), float(removal[channel]), "holdout")
        rows.append({"channel": channel, "geo": whole, **found})
        if len(regions) == 1:
            continue
        off = study.design.index(set(study.players) - {channel})
        for region, runs in zip(regions, arranged, strict=True):
            lost = runs.values["customers"][:, grand] - runs.values["customers"][:, off]
            experiments = holdout_estimates(runs.holdouts[channel], region.scenario.population.size)
            found = lift_summary(experiments, float(lost.mean()), "holdout")
            rows.append({"channel": channel, "geo": region.name, **found})
    if len(regions) >= 4:
        population = np.array([r.scenario.population.size for r in regions], dtype=float)
        for channel in (p for p in study.players if p in regions[0].scenario.channels):
            off = study.design.index(set(study.players) - {channel})
            on_values = np.stack([runs.values["customers"][:, grand] for runs in arranged], axis=1)
            off_values = np.stack([runs.values["customers"][:, off] for runs in arranged], axis=1)
            experiments = geo_estimates(on_values, off_values, population, seed)
            found = lift_summary(experiments, float(removal[channel]), "geo")
            rows.append({"channel": channel, "geo": whole, **found})
    return pd.DataFrame(rows)


def scoreboard(model_shares: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """Each model's share per player against the true (Shapley) share.

    The true share of a player is its Shapley value over the players' joint effect on
    customers; ``removal_share`` is its removal effect (negatives as 0) over their sum,
    the scale Markov removal effects are normalised on.
    """
    players = list(truth["player"])
    table = model_shares.reindex(columns=players).fillna(0.0)
    table[model_shares.isna().all(axis=1)] = np.nan
    long = (
        table.rename_axis("model")
        .reset_index()
        .melt(id_vars="model", var_name="source", value_name="share")
    )
    shapley = truth.set_index("player")["share"]
    removal = truth.set_index("player")["removal_customers"].clip(lower=0)
    long["true_share"] = long["source"].map(shapley)
    long["removal_share"] = long["source"].map(
        removal / removal.sum() if removal.sum() > 0 else removal * np.nan
    )
    long["error"] = (long["share"] - long["true_share"]).abs()
    long["error_removal"] = (long["share"] - long["removal_share"]).abs()
    return long


def ranking(board: pd.DataFrame) -> pd.DataFrame:
    """Models by total absolute share error against the Shapley shares, least wrong first."""
    grouped = board.groupby("model", sort=False)
    table = pd.DataFrame(
        {
            "error": grouped["error"].sum(min_count=1),
            "error_removal": grouped["error_removal"].sum(min_count=1),
        }
    ).reindex(list(MODELS))
    table = table.rename_axis("model").reset_index()
    table.insert(1, "label", table["model"].map(MODEL_LABELS))
    table = table.sort_values("error", kind="stable").reset_index(drop=True)
    table["rank"] = np.arange(1, len(table) + 1)
    return table
