"""Ground truth by removal: what each source really won, on common random numbers.

The true effect of a channel is never observed in a real market; in the simulator it
is: run the same prospects (replication k of every variant uses the same seed) once as
the scenario stands and once with the source switched off, and count the customers and
the lifetime profit that did not happen. A channel switched off spends nothing; the
reps, referrals, review look-ups and post-purchase care are switched off in the
scenario's own terms (:func:`removals`). Each channel is also run with 90 % of its
budget, so the last 10 % has a price: the marginal return that budget moves are made on.

Removal effects need not add up to the total: where sources are complements (a search
that makes a prospect aware, a rep who closes), removing either loses the customer, so
both are credited in full. :func:`interaction` reports the sum against the total.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis.results import RunResult
from sim.analysis.stats import cost_per_extra, paired_difference
from sim.experiments.runner import run_specs, tidy
from sim.experiments.specs import RunSpec
from sim.scenario.loading import with_overrides
from sim.scenario.schema import Scenario

BASELINE = "baseline"
"""The variant that runs the scenario as it stands."""

TRIM = 0.9
"""Share of a channel's budget kept to price its last 10 %."""

OUTCOMES = ("customers", "lifetime_profit")
"""What a removal is measured in: customers won during the run, lifetime profit."""

KINDS = ("channel", "rep", "referral", "reviews", "care")
"""Kinds of source a removal switches off."""


@dataclass(frozen=True)
class Variant:
    """One way of running the scenario: as it stands, without a source, or trimmed.

    Attributes:
        name: ``baseline``, ``without <source>`` or ``90% <channel>``.
        source: The source removed or trimmed (``None`` for the baseline).
        kind: One of :data:`KINDS`, or ``trim`` (``None`` for the baseline).
        overrides: The dotted changes that make it from the scenario.
    """

    name: str
    source: str | None
    kind: str | None
    overrides: dict[str, object]


def removals(scenario: Scenario) -> list[Variant]:
    """The sources of ``scenario`` that can be switched off, one variant each.

    A source the scenario does not use (no reps, no word of mouth, reviews off, no
    care) has nothing to remove and is left out.
    """
    wom, after = scenario.word_of_mouth, scenario.after_sale
    out = [
        Variant(f"without {name}", name, "channel", {f"channels.{name}.enabled": False})
        for name in scenario.enabled_channels()
    ]
    if scenario.sales.reps > 0:
        out.append(Variant("without rep", "rep", "rep", {"sales.reps": 0}))
    if wom.network != "none" and wom.conversation_rate_per_day > 0:
        change = {"word_of_mouth.conversation_rate_per_day": 0.0}
        out.append(Variant("without referral", "referral", "referral", change))
    if scenario.reviews.enabled:
        change = {"reviews.enabled": False}
        out.append(Variant("without reviews", "reviews", "reviews", change))
    if after.care_touches_per_month > 0:
        change = {"after_sale.care_touches_per_month": 0.0}
        out.append(Variant("without care", "care", "care", change))
    return out


def trims(scenario: Scenario) -> list[Variant]:
    """Each channel that buys touches, with :data:`TRIM` of its budget."""
    return [
        Variant(
            trimmed_name(name),
            name,
            "trim",
            {f"channels.{name}.budget": channel.budget * TRIM},
        )
        for name, channel in scenario.channels.items()
        if channel.enabled and channel.budget > 0 and channel.cost_per_touch > 0
    ]


def trimmed_name(channel: str) -> str:
    """The name of the variant with :data:`TRIM` of ``channel``'s budget."""
    return f"{TRIM:.0%} {channel}"


def variants(scenario: Scenario) -> list[Variant]:
    """The baseline, every removal and every trim."""
    return [Variant(BASELINE, None, None, {}), *removals(scenario), *trims(scenario)]


@dataclass
class Runs:
    """Every variant's runs.

    Attributes:
        variants: The variants run, the baseline first.
        kpis: One row per variant × replication: ``variant``, ``replication``, ``seed``, KPIs.
        daily: New customers and revenue per replication and day, of the baseline and of
            each channel's removal (what :func:`daily_contribution` needs).
        observed: The baseline's runs with their touch logs, one per replication: what
            a marketing team would observe.
    """

    variants: list[Variant]
    kpis: pd.DataFrame
    daily: pd.DataFrame
    observed: list[RunResult]


def run_variants(
    scenario: Scenario,
    seeds: Sequence[int],
    *,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: bool = True,
) -> Runs:
    """Run every variant of ``scenario`` on the same seeds (common random numbers).

    The baseline runs with a touch log (which changes no number).
    """
    chosen = variants(scenario)
    specs = [
        RunSpec(
            with_overrides(scenario, variant.overrides, scenario.name),
            seed,
            r,
            variant.name,
            keep_daily=variant.kind == "channel",  # the baseline's comes with its result
            touch_log=variant.kind is None,
        )
        for variant in chosen
        for r, seed in enumerate(seeds)
    ]
    records = run_specs(specs, executor=executor, workers=workers, progress=progress)
    meta = [{"variant": s.label, "replication": s.replication, "seed": s.seed} for s in specs]
    daily = pd.concat(
        [
            (rec["result"].daily if "result" in rec else rec["daily"])[
                ["day", "new_customers", "revenue"]
            ].assign(variant=spec.label, replication=spec.replication)
            for spec, rec in zip(specs, records, strict=True)
            if "result" in rec or "daily" in rec
        ],
        ignore_index=True,
    )
    observed = [rec["result"] for rec in records if "result" in rec]
    return Runs(chosen, tidy(specs, records, meta), daily, observed)


def truth_table(runs: Runs) -> pd.DataFrame:
    """Per source: what removing it costs, with paired 95 % CIs, and its last 10 %.

    Returns:
        One row per removed source: ``source``, ``kind``; for each of :data:`OUTCOMES`
        the loss without it (``<outcome>``, ``<outcome>_low``, ``<outcome>_high``, baseline
        − without, paired by replication); ``share`` (of the customers' removal effects,
        negatives counted as 0: the scale attribution models are scored on); for
        channels, ``last10_customers`` (customers the last 10 % of the budget won, with
        ``_low``/``_high``), ``last10_spend`` (what the channel spent on it) and
        ``last10_cost_per_customer`` (with a paired bootstrap interval; NaN unless the
        last 10 % clearly won customers).
    """
    by_variant = {
        name: frame.set_index("replication")
        for name, frame in runs.kpis.groupby("variant", sort=False)
    }
    base = by_variant[BASELINE]
    rows = []
    for variant in runs.variants:
        if variant.kind in (None, "trim"):
            continue
        other = by_variant[variant.name].loc[base.index]
        row: dict[str, object] = {"source": variant.source, "kind": variant.kind}
        for outcome in OUTCOMES:
            change = paired_difference(other[outcome], base[outcome])
            row |= {
                outcome: change["diff"],
                f"{outcome}_low": change["diff_low"],
                f"{outcome}_high": change["diff_high"],
            }
        row |= _last10(by_variant, variant.source, base)
        rows.append(row)
    table = pd.DataFrame(rows)
    positive = table["customers"].clip(lower=0)
    table.insert(8, "share", positive / positive.sum() if positive.sum() > 0 else np.nan)
    return table


def _last10(by_variant: dict[str, pd.DataFrame], source: str, base: pd.DataFrame) -> dict:
    """What the last 10 % of a channel's budget won and cost (empty when not trimmed).

    The cost is what the channel itself spent the more: a channel that cannot spend its
    budget (its audience runs out first) saves nothing when trimmed.
    """
    name = trimmed_name(source)
    if name not in by_variant:
        return {}
    trimmed = by_variant[name].loc[base.index]
    spend = f"spend_actual.{source}"
    won = paired_difference(trimmed["customers"], base["customers"])
    priced = cost_per_extra(trimmed[spend], trimmed["customers"], base[spend], base["customers"])
    return {
        "last10_customers": won["diff"],
        "last10_customers_low": won["diff_low"],
        "last10_customers_high": won["diff_high"],
        "last10_spend": priced["extra_cost"],
        "last10_cost_per_customer": priced["cost_per_extra_customer"],
        "last10_cost_per_customer_low": priced["cost_per_extra_low"],
        "last10_cost_per_customer_high": priced["cost_per_extra_high"],
    }


def interaction(runs: Runs, truth: pd.DataFrame) -> dict[str, float]:
    """The removal effects' sum against the total they would split if they were additive.

    Returns:
        ``customers`` (the baseline's mean), ``sum_of_removals`` (customers lost over
        every removal) and ``ratio`` (sum / total: 1 if sources act alone, above 1 where
        they are complements, below 1 where they substitute for each other).
    """
    base = runs.kpis[runs.kpis["variant"] == BASELINE]["customers"].mean()
    total = float(truth["customers"].sum())
    return {
        "customers": float(base),
        "sum_of_removals": total,
        "ratio": total / float(base) if base > 0 else float("nan"),
    }


def daily_contribution(runs: Runs) -> pd.DataFrame:
    """Per replication, day and channel: the customers it won that day (baseline − without).

    Returns:
        ``replication``, ``day``, ``channel``, ``true_customers`` (paired by replication:
        noisy day by day, exact in sum over the run).
    """
    daily = runs.daily.set_index(["variant", "replication", "day"])["new_customers"]
    base = daily.loc[BASELINE]
    frames = []
    for variant in runs.variants:
        if variant.kind != "channel":
            continue
        gain = (base - daily.loc[variant.name]).rename("true_customers").reset_index()
        frames.append(gain.assign(channel=variant.source))
    return pd.concat(frames, ignore_index=True)[["replication", "day", "channel", "true_customers"]]
