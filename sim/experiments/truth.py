"""The runs behind the ground truth, on common random numbers, region by region.

The true effect of a source is never observed in a real market; in the simulator it is:
run the same prospects (replication ``k`` of every run in a region uses the same seed)
with some sources switched off and count what did not happen. One study runs, in each
region (a scenario file; one region when there is one file):

- every **coalition** of the players a Shapley value needs (:mod:`sim.experiments.shapley`):
  the players outside it switched off, the other sources as the scenario has them; the
  coalition of every player is the baseline, run with a touch log (what a team observes);
- each **other source** switched off alone (reps, referrals, review look-ups, care,
  channels that are not players): reported by removal, never scored;
- each paid player at 0, ¼, ½, 1, 1½ and 2 times its budget (:mod:`sim.experiments.curves`);
- each channel player with a **lift-test holdout** (:mod:`sim.experiments.lift`).

A channel off or at a multiple of its budget differs from the baseline in its budget alone:
it is the baseline's scenario with a budget multiple (:mod:`sim.model.budgets`), batched
with the replications of the same coalition.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.analysis.results import RunResult
from sim.experiments.curves import MULTIPLES
from sim.experiments.lift import holdout_counts
from sim.experiments.runner import run_specs, tidy
from sim.experiments.shapley import Design, coalition_name
from sim.experiments.specs import RunSpec
from sim.scenario.loading import with_overrides
from sim.scenario.schema import Scenario

OUTCOMES = ("customers", "revenue", "lifetime_profit")
"""What a coalition's value is measured in: customers and revenue during the run, and the
lifetime profit of the customers won (their whole lives' margin less every cost)."""

DAILY = ("day", "new_customers", "revenue")
"""The daily columns a coalition sends back (the true contribution of each day)."""


@dataclass(frozen=True)
class Variant:
    """A source the scenario can switch off, and how.

    Attributes:
        source: The channel's name, or ``rep``, ``referral``, ``reviews``, ``care``.
        kind: ``channel`` or the source's own name.
        overrides: The dotted changes that switch it off.
    """

    source: str
    kind: str
    overrides: dict[str, object]


def removals(scenario: Scenario) -> list[Variant]:
    """The sources of ``scenario`` that can be switched off: channels first.

    A source the scenario does not use (no reps, no word of mouth, reviews off, no
    care) has nothing to remove and is left out.
    """
    wom, after = scenario.word_of_mouth, scenario.after_sale
    out = [
        Variant(name, "channel", {f"channels.{name}.enabled": False})
        for name in scenario.enabled_channels()
    ]
    if scenario.sales.reps > 0:
        out.append(Variant("rep", "rep", {"sales.reps": 0}))
    if wom.network != "none" and wom.conversation_rate_per_day > 0:
        out.append(
            Variant("referral", "referral", {"word_of_mouth.conversation_rate_per_day": 0.0})
        )
    if scenario.reviews.enabled:
        out.append(Variant("reviews", "reviews", {"reviews.enabled": False}))
    if after.care_touches_per_month > 0:
        out.append(Variant("care", "care", {"after_sale.care_touches_per_month": 0.0}))
    return out


@dataclass(frozen=True)
class Region:
    """One regional market of a study and the seeds of its replications."""

    name: str
    scenario: Scenario
    seeds: tuple[int, ...]


@dataclass(frozen=True)
class Study:
    """What to run in every region.

    Attributes:
        design: The players' coalitions and Shapley weights.
        curves: The channels whose response curve is measured.
        holdout_share: The share a lift test holds out of each channel player (0: none).
    """

    design: Design
    curves: tuple[str, ...]
    holdout_share: float

    @property
    def players(self) -> tuple[str, ...]:
        """The players, in order."""
        return self.design.players


@dataclass
class RegionRuns:
    """A region's runs, arranged for the estimates.

    Attributes:
        values: Per outcome, ``replications × coalitions``.
        daily: ``replications × coalitions × days`` new customers.
        removed: Per source that is not a player, its runs' KPIs (one row a replication).
        curves: Per curve channel and multiple, its runs' KPIs.
        holdouts: Per channel player, each replication's holdout counts.
        observed: The baseline's runs with their touch logs, one per replication.
    """

    values: dict[str, np.ndarray]
    daily: np.ndarray
    removed: dict[str, pd.DataFrame] = field(default_factory=dict)
    curves: dict[str, dict[float, pd.DataFrame]] = field(default_factory=dict)
    holdouts: dict[str, list[dict[str, int]]] = field(default_factory=dict)
    observed: list[RunResult] = field(default_factory=list)


def region_specs(region: Region, study: Study) -> list[tuple[tuple, RunSpec]]:
    """Every run of one region, each with the key the results are arranged by."""
    scenario, design = region.scenario, study.design
    switches = {v.source: v for v in removals(scenario)}
    made: dict[frozenset[str], Scenario] = {}

    def without(sources: Sequence[str]) -> tuple[Scenario, tuple[tuple[str, float], ...]]:
        """The scenario with ``sources`` off: channels by budget, the rest by overrides."""
        channels = tuple((s, 0.0) for s in sources if switches[s].kind == "channel")
        others = frozenset(s for s in sources if switches[s].kind != "channel")
        if others not in made:
            changes = {k: v for s in sorted(others) for k, v in switches[s].overrides.items()}
            made[others] = with_overrides(scenario, changes, scenario.name) if others else scenario
        return made[others], channels

    out: list[tuple[tuple, RunSpec]] = []
    for c, members in enumerate(design.coalitions):
        variant, scale = without([p for p in design.players if p not in members])
        grand = c == 0
        label = coalition_name(members, design.players)
        for r, seed in enumerate(region.seeds):
            spec = RunSpec(
                variant, seed, r, label, keep_daily=not grand, touch_log=grand,
                budget_scale=scale, daily_columns=DAILY,
            )  # fmt: skip
            out.append((("coalition", c, r), spec))
    for source in (s for s in switches if s not in design.players):
        variant, scale = without([source])
        for r, seed in enumerate(region.seeds):
            spec = RunSpec(variant, seed, r, f"without {source}", budget_scale=scale)
            out.append((("removed", source, r), spec))
    for channel in study.curves:
        for multiple in (m for m in MULTIPLES if m not in (0.0, 1.0)):
            for r, seed in enumerate(region.seeds):
                label = f"{channel} at {multiple:g}x budget"
                spec = RunSpec(scenario, seed, r, label, budget_scale=((channel, multiple),))
                out.append((("curve", channel, multiple, r), spec))
    if study.holdout_share > 0:
        for channel in (p for p in design.players if switches[p].kind == "channel"):
            change = {f"channels.{channel}.holdout_share": study.holdout_share}
            held = with_overrides(scenario, change, scenario.name)
            for r, seed in enumerate(region.seeds):
                label = f"{channel} with a {study.holdout_share:.0%} holdout"
                spec = RunSpec(held, seed, r, label, measure=holdout_counts)
                out.append((("holdout", channel, r), spec))
    return out


def run_study(
    regions: Sequence[Region],
    study: Study,
    *,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: bool = True,
) -> tuple[list[RegionRuns], pd.DataFrame]:
    """Run every region's runs together; each region's arranged, and the runs' KPIs.

    Returns:
        Per region its :class:`RegionRuns`, and one KPI row per run (``region``,
        ``variant``, ``replication``, ``seed``, the KPIs).
    """
    planned = [
        (i, key, spec)
        for i, region in enumerate(regions)
        for key, spec in region_specs(region, study)
    ]
    specs = [spec for _, _, spec in planned]
    records = run_specs(specs, executor=executor, workers=workers, progress=progress)
    meta = [
        {
            "region": regions[i].name,
            "variant": s.label,
            "replication": s.replication,
            "seed": s.seed,
        }
        for i, _, s in planned
    ]
    table = tidy(specs, records, meta)
    arranged = [_arrange(region, study, planned, records, i) for i, region in enumerate(regions)]
    return arranged, table


def _arrange(
    region: Region, study: Study, planned: list, records: list[dict], index: int
) -> RegionRuns:
    """One region's records in the shapes the estimates need."""
    replications = len(region.seeds)
    coalitions = len(study.design.coalitions)
    days = region.scenario.horizon_days
    values = {o: np.full((replications, coalitions), np.nan) for o in OUTCOMES}
    daily = np.zeros((replications, coalitions, days))
    runs = RegionRuns(values, daily, observed=[None] * replications)  # type: ignore[list-item]
    curve_rows: dict[tuple[str, float], dict[int, dict]] = {}
    removed_rows: dict[str, dict[int, dict]] = {}
    coalition_rows: dict[int, dict[int, dict]] = {}
    for (i, key, _), record in zip(planned, records, strict=True):
        if i != index:
            continue
        kind, r = key[0], key[-1]
        if kind == "coalition":
            c = key[1]
            coalition_rows.setdefault(c, {})[r] = record["kpis"]
            for outcome in OUTCOMES:
                values[outcome][r, c] = record["kpis"][outcome]
            frame = record["result"].daily if "result" in record else record["daily"]
            frame = frame[frame["day"] >= 1]
            daily[r, c, frame["day"].to_numpy() - 1] = frame["new_customers"].to_numpy()
            if "result" in record:
                runs.observed[r] = record["result"]
        elif kind == "removed":
            removed_rows.setdefault(key[1], {})[r] = record["kpis"]
        elif kind == "curve":
            curve_rows.setdefault((key[1], key[2]), {})[r] = record["kpis"]
        elif kind == "holdout":
            runs.holdouts.setdefault(key[1], [None] * replications)[r] = record["measured"][key[1]]  # type: ignore[list-item]
    runs.removed = {s: _frame(rows) for s, rows in removed_rows.items()}
    design = study.design
    grand = design.index(set(design.players))
    for channel in study.curves:
        points = {m: _frame(rows) for (c, m), rows in curve_rows.items() if c == channel}
        points[1.0] = _frame(coalition_rows[grand])
        points[0.0] = _frame(coalition_rows[design.index(set(design.players) - {channel})])
        runs.curves[channel] = points
    return runs


def _frame(rows: dict[int, dict]) -> pd.DataFrame:
    """KPI dicts by replication as a frame in replication order."""
    return pd.DataFrame([rows[r] for r in sorted(rows)])
