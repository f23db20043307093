"""Run a scenario to its horizon and hand back plain results; save them safely."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from sim.analysis.folders import replace_folder, to_json
from sim.analysis.kpis import Kpis, RunRecord, score, underspent
from sim.analysis.monthly import cohort_retention, monthly
from sim.analysis.provenance import Provenance
from sim.model.budgets import BudgetScale
from sim.model.model import JourneyModel
from sim.model.version import model_version
from sim.scenario.draws import resolve
from sim.scenario.schema import Scenario

RUN_KIND = "run"
"""The kind of output folder :meth:`RunResult.save` writes."""


@dataclass
class RunResult:
    """What one run produced: KPIs, the daily table and the ledger.

    Attributes:
        scenario: The scenario's name.
        seed: The seed it ran with.
        kpis: KPI name → value (None where undefined).
        undefined: KPI name → why it is undefined.
        daily: One row per day (day 0 = the start): stage counts, spend, new customers.
        ledger: Every cost and revenue item.
        warnings: What the KPIs alone would hide, e.g. a channel that could not spend
            its budget.
        spec: The scenario as run (recorded with the results by :meth:`save`).
        touches: With a touch log (``simulate(..., touch_log=True)``): every touch, one
            row each, in delivery order: ``prospect``, ``day``, ``source`` (categorical:
            the model's sources) and ``quality``. ``None`` otherwise.
        purchases: With a touch log: one row per prospect won during the run:
            ``prospect``, ``day`` of the first purchase and its ``value`` (the price).
        record: What the KPIs were computed from; ``record.save(path)`` keeps it, and
            ``sim.analysis.kpis.score(RunRecord.load(path))`` scores it again.
    """

    scenario: str
    seed: int
    kpis: Kpis
    undefined: dict[str, str]
    daily: pd.DataFrame = field(repr=False)
    ledger: pd.DataFrame = field(repr=False)
    warnings: list[str] = field(default_factory=list)
    spec: Scenario | None = field(default=None, repr=False)
    touches: pd.DataFrame | None = field(default=None, repr=False)
    purchases: pd.DataFrame | None = field(default=None, repr=False)
    record: RunRecord | None = field(default=None, repr=False)
    inputs: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict[str, object]:
        """The content of ``summary.json``."""
        return {
            "scenario": self.scenario,
            "seed": self.seed,
            "kpis": self.kpis,
            "undefined": self.undefined,
            "warnings": self.warnings,
            **({"inputs": self.inputs} if self.inputs else {}),
        }

    @property
    def monthly(self) -> pd.DataFrame:
        """The daily table by 30-day month with the SaaS metrics (:func:`monthly`)."""
        return monthly(self.daily)

    @property
    def cohorts(self) -> pd.DataFrame:
        """Each month's new customers: the share still customers k months later."""
        if self.record is None:
            raise ValueError("the cohorts need the run's record")
        prospects = self.record.prospects
        return cohort_retention(
            prospects["customer_since"], prospects["left_day"], self.record.days
        )

    def save(self, out: str | Path) -> Path:
        """Write summary.json, daily.csv, monthly.csv, cohorts.csv, ledger.csv and the provenance.

        All or nothing.

        ``out`` must be new, empty or an earlier run's output folder
        (:func:`~sim.analysis.folders.check_output_folder`). With the scenario as
        run (``spec``), ``provenance.json`` and ``scenarios/`` let ``run.py rerun``
        reproduce the folder.
        """
        with replace_folder(out, RUN_KIND, **model_version()) as tmp:
            if self.spec is not None:
                Provenance(RUN_KIND, [self.spec], [self.seed], {"seed": self.seed}).write(tmp)
            (tmp / "summary.json").write_text(to_json(self.summary()))
            self.daily.to_csv(tmp / "daily.csv", index=False)
            self.monthly.to_csv(tmp / "monthly.csv", index=False)
            if self.record is not None:
                self.cohorts.to_csv(tmp / "cohorts.csv")
            self.ledger.to_csv(tmp / "ledger.csv", index=False)
        return Path(out)


def simulate(
    scenario: Scenario,
    seed: int = 0,
    *,
    progress: bool = False,
    model_class: type[JourneyModel] = JourneyModel,
    touch_log: bool = False,
    **agent_classes: type,
) -> RunResult:
    """Build a model, run it to the horizon and collect its results.

    Args:
        scenario: A validated scenario.
        seed: Seed of the run (same seed ⇒ identical results).
        progress: Show a progress bar (days) on stderr when the run takes over a second.
        model_class: A JourneyModel subclass, for custom behaviour.
        touch_log: Keep every touch (``RunResult.touches`` and ``purchases``); it
            changes no number, only costs memory (11 bytes a touch).
        **agent_classes: ``channel_class``, ``rep_class`` or ``prospect_class``, as
            :class:`~sim.model.model.JourneyModel` takes them.

    Returns:
        The run's KPIs, daily table and ledger.
    """
    return simulate_batch(
        scenario,
        [seed],
        progress=progress,
        model_class=model_class,
        touch_log=touch_log,
        **agent_classes,
    )[0]


def simulate_batch(
    scenario: Scenario,
    seeds: Sequence[int],
    *,
    progress: bool = False,
    model_class: type[JourneyModel] = JourneyModel,
    touch_log: bool = False,
    budget_scales: Sequence[BudgetScale] | None = None,
    **agent_classes: type,
) -> list[RunResult]:
    """Run replications of ``scenario`` together, one per seed; the results of each.

    ``budget_scales`` gives replication ``r`` its own multiples of channels' budgets (0 =
    off; :mod:`sim.model.budgets`): its result is that of the scenario so budgeted.

    Replication ``r`` gives exactly what :func:`simulate` gives with ``seeds[r]``:
    batching only shares the fixed cost of each simulated day. A scenario with
    uncertain inputs runs each seed alone, at the values that seed draws
    (:func:`~sim.scenario.draws.resolve`; ``RunResult.inputs`` holds them).
    """
    if scenario.uncertainty:
        results = []
        for r, seed in enumerate(seeds):
            fixed, values = resolve(scenario, seed)
            (result,) = simulate_batch(
                fixed, [seed], progress=progress, model_class=model_class,
                touch_log=touch_log, budget_scales=None if budget_scales is None
                else [budget_scales[r]], **agent_classes,
            )  # fmt: skip
            result.inputs = values
            result.spec = scenario if result.spec is not None else None
            results.append(result)
        return results
    logged = {"touch_log": True} if touch_log else {}  # a subclass need not know the flag
    if budget_scales is not None:
        logged["budget_scales"] = budget_scales
    model = model_class(scenario, seeds=list(seeds), **agent_classes, **logged)
    model.collect_every_day = False  # the results hold the daily table; nobody reads Mesa's
    days = range(scenario.horizon_days)
    for _ in tqdm(
        days, desc=scenario.name, unit="day", delay=1.0, disable=not progress, leave=False
    ):
        model.step()
    results = collect_all(model)
    _let_go(model)
    return results


def _let_go(model: JourneyModel) -> None:
    """Drop a finished model's state now, not at Python's next full garbage collection.

    A Mesa model is a reference cycle (its schedule holds its own bound methods), so
    reference counting never frees it: its arrays (prospects, ledger, network: about 5 MB
    per 1,000 prospect rows over a year) waited for the cycle collector's rare full
    pass, and a command running hundreds of batches grew by each (``attribution`` on the
    shipped market, 5 replications: 0.86 GB at its peak, 0.47 GB once let go). The results
    hold what they need.
    """
    vars(model).clear()


def collect(model: JourneyModel, replica: int = 0) -> RunResult:
    """Results of one replication of a model that has been stepped (to the horizon or not)."""
    spec = model.budgets.scenario(model.spec, replica)
    record = RunRecord.of(model, replica, spec)
    kpis, undefined = score(record)
    seed = model.replicas.seeds[replica]
    warnings = underspent(kpis, model.sources)
    result = RunResult(
        spec.name, seed, kpis, undefined, record.daily, record.ledger, warnings, spec, record=record
    )
    if model.prospects.touch_log is not None:
        result.touches, result.purchases = _touch_record(model, replica)
    return result


def _touch_record(model: JourneyModel, replica: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One replication's touch log and first purchases, prospects numbered from 0."""
    size = model.spec.population.size
    start = replica * size
    columns = model.prospects.touch_log.columns(start, start + size)
    touches = pd.DataFrame(columns)
    touches["source"] = pd.Categorical.from_codes(columns["source"], categories=model.sources)
    since = model.prospects.customer_since[start : start + size]
    won = np.flatnonzero(since >= 1)  # won during the run (the installed base is day 0)
    purchases = pd.DataFrame(
        {"prospect": won, "day": since[won], "value": model.spec.product.price}
    )
    return touches, purchases


def collect_all(model: JourneyModel) -> list[RunResult]:
    """Results of every replication of a model's batch."""
    return [collect(model, r) for r in range(model.replicas.count)]
