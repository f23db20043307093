"""Run a scenario to its horizon and hand back plain results; save them safely."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from sim.analysis.folders import replace_folder, to_json
from sim.analysis.kpis import Kpis, run_kpis
from sim.model.daily import DAY
from sim.model.model import JourneyModel
from sim.model.version import model_version
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
    """

    scenario: str
    seed: int
    kpis: Kpis
    undefined: dict[str, str]
    daily: pd.DataFrame = field(repr=False)
    ledger: pd.DataFrame = field(repr=False)

    def summary(self) -> dict[str, object]:
        """The content of ``summary.json``."""
        return {
            "scenario": self.scenario,
            "seed": self.seed,
            "kpis": self.kpis,
            "undefined": self.undefined,
        }

    def save(self, out: str | Path) -> Path:
        """Write summary.json, daily.csv and ledger.csv to ``out``, all or nothing.

        ``out`` must be new, empty or an earlier run's output folder
        (:func:`~sim.analysis.folders.check_output_folder`).
        """
        with replace_folder(out, RUN_KIND, **model_version()) as tmp:
            (tmp / "summary.json").write_text(to_json(self.summary()))
            self.daily.to_csv(tmp / "daily.csv", index=False)
            self.ledger.to_csv(tmp / "ledger.csv", index=False)
        return Path(out)


def simulate(
    scenario: Scenario,
    seed: int = 0,
    *,
    progress: bool = False,
    model_class: type[JourneyModel] = JourneyModel,
    **agent_classes: type,
) -> RunResult:
    """Build a model, run it to the horizon and collect its results.

    Args:
        scenario: A validated scenario.
        seed: Seed of the run (same seed ⇒ identical results).
        progress: Show a progress bar (days) on stderr when the run takes over a second.
        model_class: A JourneyModel subclass, for custom behaviour.
        **agent_classes: ``prospect_class``, ``channel_class`` or ``rep_class``.

    Returns:
        The run's KPIs, daily table and ledger.
    """
    model = model_class(scenario, seed, **agent_classes)
    days = range(scenario.horizon_days)
    for _ in tqdm(
        days, desc=scenario.name, unit="day", delay=1.0, disable=not progress, leave=False
    ):
        model.step()
    return collect(model)


def collect(model: JourneyModel) -> RunResult:
    """Results of a model that has been stepped (to the horizon or not)."""
    daily = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    daily[DAY] = daily[DAY].astype(int)
    ledger = model.ledger.to_frame()
    kpis, undefined = run_kpis(model, ledger)
    return RunResult(model.spec.name, model.seed, kpis, undefined, daily, ledger)
