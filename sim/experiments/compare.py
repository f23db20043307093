"""Strategies side by side on the same prospects: replications on common random numbers.

::

    import sim
    comparison = sim.compare([sim.load_scenario(path) for path in files], replications=30)
    comparison.summary()   # mean, 95% CI and paired difference to the baseline, per KPI
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sim.analysis.answer import plain_answer
from sim.analysis.decision import decision_sensitivity, decision_table
from sim.analysis.discovery import FlipRegion, NoRegion, flip_region
from sim.analysis.kpis import kpi_columns, underspent_groups
from sim.analysis.stats import summarize
from sim.experiments.changes import extra_customers, paired_changes
from sim.experiments.runner import run_specs, tidy
from sim.experiments.specs import Agents, RunSpec, check_count, check_seed, replication_seeds
from sim.scenario.errors import InputError
from sim.scenario.schema import Scenario

COMPARE_KIND = "compare"
"""The kind of output folder (and store) this produces."""

UNDEFINED = ("scenario", "replication", "kpi", "reason")
"""The columns of :attr:`Comparison.undefined`."""


@dataclass
class Answer:
    """The answer a decision needs on one KPI, every plan against the baseline.

    Attributes:
        kpi: The KPI decided on.
        baseline: The baseline's name.
        lines: Per plan, two or three plain sentences (:func:`~sim.analysis.answer.plain_answer`).
        table: Per plan, the KPI's row of :func:`~sim.analysis.decision.decision_table`.
        sensitivity: Per plan and uncertain input, its variance share and EVPPI
            (:func:`~sim.analysis.decision.decision_sensitivity`; empty with none).
        regions: Per plan, where in the inputs the answer flips, or why nowhere.
    """

    kpi: str
    baseline: str
    lines: dict[str, list[str]]
    table: pd.DataFrame
    sensitivity: pd.DataFrame
    regions: dict[str, FlipRegion | NoRegion]


@dataclass
class Comparison:
    """Strategies run side by side on common random numbers.

    Attributes:
        kpis: One row per scenario × replication (tidy): scenario, replication, seed, KPIs.
        daily: One row per scenario × replication × day.
        scenarios: The scenario names, baseline first.
        colors: The colour each scenario declares (``Scenario.color``), by name.
        undefined: One row per run and KPI the run left undefined: ``scenario``,
            ``replication``, ``kpi``, ``reason``.
    """

    kpis: pd.DataFrame
    daily: pd.DataFrame
    scenarios: list[str]
    colors: dict[str, str | None] = field(default_factory=dict)
    undefined: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(UNDEFINED)))

    def summary(self) -> pd.DataFrame:
        """Mean and 95% CI of every KPI per scenario, with the paired difference to the baseline.

        Returns:
            One row per scenario × KPI: the columns of :func:`~sim.analysis.stats.summarize`
            (the mean and interval over the ``n`` of ``runs`` runs that defined the KPI),
            ``undefined`` (why the other runs left it undefined, the most common reason;
            empty when every run defined it), then those of
            :func:`~sim.experiments.changes.paired_changes` (over the ``pairs`` of runs
            where both scenarios defined it).
        """
        names = kpi_columns(self.kpis)
        table = summarize(self.kpis, "scenario", names)
        why = self.undefined.groupby(["scenario", "kpi"]).reason.agg(lambda r: r.mode().iloc[0])
        table["undefined"] = [
            why.get((scenario, kpi), "")
            for scenario, kpi in zip(table.scenario, table.kpi, strict=True)
        ]
        diffs = paired_changes(self.kpis, ["scenario"], (self.scenarios[0],), names)
        return table.merge(diffs, on=["scenario", "kpi"])

    def extra_customers(self) -> pd.DataFrame:
        """Each scenario's extra customers over the baseline and the cost of each one."""
        return extra_customers(self.kpis, ["scenario"], (self.scenarios[0],))

    def warnings(self) -> list[str]:
        """A line per scenario and channel that spent under 95 % of its budget, on average."""
        return underspent_groups(self.kpis, ["scenario"])

    def decision(self, names: Sequence[str] | None = None) -> pd.DataFrame:
        """Per plan and KPI: expected gain, plausible range, worst case, chance of being better.

        See :func:`~sim.analysis.decision.decision_table`; with no uncertain input its
        expected gain and interval are :meth:`summary`'s paired difference, exactly.
        """
        return decision_table(self.kpis, self.scenarios[0], names or kpi_columns(self.kpis))

    def answer(self, kpi: str) -> Answer:
        """The plain answer on ``kpi``: each plan against the baseline, and what decides it."""
        baseline = self.scenarios[0]
        table = decision_table(self.kpis, baseline, [kpi])
        sensitivity = decision_sensitivity(self.kpis, baseline, kpi)
        regions = {plan: flip_region(self.kpis, baseline, plan, kpi) for plan in self.scenarios[1:]}
        lines = {
            str(row["scenario"]): plain_answer(row, baseline, sensitivity, regions[row["scenario"]])
            for _, row in table.iterrows()
        }
        return Answer(kpi, baseline, lines, table, sensitivity, regions)


def compare(
    scenarios: Iterable[Scenario],
    replications: int = 30,
    seed: int = 0,
    *,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: bool = True,
    model_class: type | None = None,
    **agent_classes: Any,
) -> Comparison:
    """Run each scenario ``replications`` times on the same seeds and compare them.

    Args:
        scenarios: The strategies; the first is the baseline.
        replications: Runs per scenario.
        seed: Master seed; replication k of every scenario uses the same derived seed.
        executor: Run on this executor (e.g. a Dask client's); else a local pool.
        workers: Size of the local pool (default: the cores; 1 = in this process).
        progress: Progress bar on stderr.
        model_class: A custom model class (a :class:`~sim.model.model.JourneyModel`
            subclass).
        **agent_classes: ``channel_class``, ``rep_class``, ``prospect_class``, as
            ``JourneyModel`` takes them. Runs with
            custom classes are not batched; on other processes the classes must be
            importable (defined in a module, not in ``__main__``).

    Raises:
        InputError: Fewer than two scenarios, two with one name, or a bad count or seed.
    """
    scenarios = list(scenarios)
    names = [s.name for s in scenarios]
    if len(scenarios) < 2:
        raise InputError(f"scenarios: give at least two to compare; got {len(scenarios)}")
    if len(set(names)) != len(names):
        raise InputError(f"scenarios: names must differ to be compared; got {names}")
    check_count("replications", replications)
    check_seed(seed)
    seeds = replication_seeds(seed, replications)
    agents = Agents.of(model_class, **agent_classes)
    specs = [
        RunSpec(scenario, s, r, scenario.name, keep_daily=True, agents=agents)
        for scenario in scenarios
        for r, s in enumerate(seeds)
    ]
    records = run_specs(specs, executor=executor, workers=workers, progress=progress)
    meta = [{"scenario": s.label, "replication": s.replication, "seed": s.seed} for s in specs]
    daily = pd.concat(
        [
            rec["daily"].assign(scenario=spec.label, replication=spec.replication)
            for spec, rec in zip(specs, records, strict=True)
        ],
        ignore_index=True,
    )
    colors = {s.name: s.color for s in scenarios}
    undefined = pd.DataFrame(
        [
            (spec.label, spec.replication, kpi, reason)
            for spec, rec in zip(specs, records, strict=True)
            for kpi, reason in rec["undefined"].items()
        ],
        columns=list(UNDEFINED),
    )
    return Comparison(tidy(specs, records, meta), daily, names, colors, undefined)
