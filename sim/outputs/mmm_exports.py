"""The marketing-mix files of an attribution folder: tables each tool reads as they are.

One history (replication 0: a marketing team has one) in the layouts of pymc-marketing,
Meridian and Robyn (:mod:`sim.analysis.mmm_tables`), weekly and daily; the true
contributions row for row beside them; the simulated lift tests in the format of
pymc-marketing's ``add_lift_test_measurements``; and a warning for each channel whose spend
cannot identify it (:mod:`sim.analysis.mmm_identification`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis import mmm_tables
from sim.analysis.folders import to_json
from sim.analysis.mmm_identification import unidentifiable
from sim.experiments.attribution import WHOLE_MARKET, Attribution

EXPORTS = (
    "mmm_weekly.csv",
    "pymc_marketing.csv",
    "pymc_marketing_daily.csv",
    "meridian.csv",
    "meridian_daily.csv",
    "meridian_columns.json",
    "robyn.csv",
    "robyn_daily.csv",
    "true_contributions.csv",
    "true_contributions_daily.csv",
    "true_contributions_national.csv",
)
"""The marketing-mix exports written beside the long frame."""


def write_mmm_exports(folder: Path, mmm: pd.DataFrame) -> None:
    """Write :data:`EXPORTS` into ``folder`` (a folder being made)."""
    weeks = mmm_tables.weekly(mmm)
    weeks.to_csv(folder / "mmm_weekly.csv", index=False)
    mmm_tables.pymc_marketing_table(weeks).to_csv(folder / "pymc_marketing.csv", index=False)
    mmm_tables.pymc_marketing_table(mmm).to_csv(folder / "pymc_marketing_daily.csv", index=False)
    meridian = mmm_tables.meridian_table(weeks)
    meridian.to_csv(folder / "meridian.csv", index=False)
    arguments = mmm_tables.meridian_columns(meridian) | {
        "loader": mmm_tables.meridian_loader_arguments(meridian)
    }
    (folder / "meridian_columns.json").write_text(to_json(arguments))
    mmm_tables.meridian_table(mmm).to_csv(folder / "meridian_daily.csv", index=False)
    mmm_tables.robyn_table(weeks).to_csv(folder / "robyn.csv", index=False)
    mmm_tables.robyn_table(mmm).to_csv(folder / "robyn_daily.csv", index=False)
    mmm_tables.true_contributions(weeks).to_csv(folder / "true_contributions.csv", index=False)
    daily = mmm_tables.true_contributions(mmm)
    daily.to_csv(folder / "true_contributions_daily.csv", index=False)
    national = mmm_tables.true_contributions(weeks, national=True)
    national.to_csv(folder / "true_contributions_national.csv", index=False)


def lift_tests(result: Attribution) -> pd.DataFrame:
    """The randomised holdouts of replication 0, as pymc-marketing's lift tests (weekly).

    A holdout measures the channel switched off: at its usual weekly spend ``x``, a change
    ``delta_x = -x`` changed the weekly customers by ``delta_y`` (minus the estimate spread
    over the run's weeks), with standard error ``sigma``. With several regions there is one
    test per region and channel, with a ``geo`` column, as ``MMM(dims=("geo",))`` needs;
    with one, one per channel.
    """
    columns = ["channel", "x", "delta_x", "delta_y", "sigma"]
    tests = result.lifts[result.lifts["design"] == "holdout"] if len(result.lifts) else None
    if tests is None or tests.empty:
        return pd.DataFrame(columns=columns)
    weeks = mmm_tables.weekly(result.mmm)
    history = weeks[weeks["replication"] == 0]
    by = ["geo", "channel"] if len(result.regions) > 1 else ["channel"]
    if len(by) == 2:
        tests = tests[tests["geo"] != WHOLE_MARKET]
    spend = history.groupby([*by, "date"])["spend"].sum().groupby(by).mean()
    x = spend.reindex(pd.MultiIndex.from_frame(tests[by]) if len(by) == 2 else tests["channel"])
    run_weeks = result.mmm["day"].max() / 7  # the experiment ran the whole horizon
    table = pd.DataFrame(
        {
            "channel": tests["channel"].to_numpy(),
            "x": x.to_numpy(),
            "delta_x": -x.to_numpy(),
            "delta_y": -tests["estimate"].to_numpy() / run_weeks,
            "sigma": np.maximum(tests["se"].to_numpy() / run_weeks, 1e-9),
        }
    )
    if len(by) == 2:
        table.insert(0, "geo", tests["geo"].to_numpy())
    return table


def mmm_warnings(result: Attribution) -> list[str]:
    """One line per channel a marketing-mix model cannot identify from its spend."""
    return [f"Marketing-mix data: {line}" for line in unidentifiable(result.mmm)]
