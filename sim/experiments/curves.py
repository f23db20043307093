"""Response curves: what each channel wins at multiples of its budget, on the same prospects.

Each paid channel is run at 0, ¼, ½, 1, 1½ and 2 times its budget, every other source as
the scenario has it, replication ``k`` of every point on the same seed (common random
numbers), so the curve is smooth in the budget rather than in the noise. A point's
**true ROAS** is the revenue it wins over the channel at 0 per unit of the extra spend;
its **marginal ROAS** is the same between it and the point below: the return of the last
money, the one a budget move is decided on (Google's Aggregate Marketing System Simulator
reports both as its ground truth: Zhang & Vaver 2017, "Introduction to the Aggregate
Marketing System Simulator"). A channel capped by its reach cannot spend more: its spend
stops growing with the budget, and so does its curve.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.stats import paired_difference
from sim.scenario.schema import Scenario

MULTIPLES = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0)
"""The budget multiples each curve is measured at."""

OUTCOMES = ("customers", "revenue", "lifetime_profit")
"""What a curve is measured in."""

MATERIAL = 0.05
"""A ROAS needs a spend step of at least this share of the channel's spend at today's
budget: over a smaller one (a channel its audience caps) the gain is when the touches came,
not how many, and the ratio is noise over almost nothing."""


def curve_channels(scenario: Scenario, players: list[str]) -> list[str]:
    """The players whose budget buys touches: a curve has a meaning for them."""
    return [
        name
        for name in players
        if name in scenario.channels
        and scenario.channels[name].budget > 0
        and scenario.channels[name].cost_per_touch > 0
    ]


def spend_column(channel: str) -> str:
    """The KPI of what ``channel`` really spent over the run."""
    return f"spend_actual.{channel}"


def curve_table(
    points: dict[str, dict[float, pd.DataFrame]], budgets: dict[str, float]
) -> pd.DataFrame:
    """One row per channel and multiple: spend, incremental outcomes with CIs, ROAS.

    Args:
        points: Per channel and multiple, the runs' KPIs (one row per replication, in
            replication order; the same seeds at every multiple).
        budgets: Each channel's monthly budget at multiple 1.

    Returns:
        ``channel``, ``multiple``, ``budget`` (a month), ``spend`` (over the run, mean);
        per outcome the gain over the channel at 0 (``<outcome>``, ``_low``, ``_high``,
        paired by replication); ``roas`` (revenue gained per unit of extra spend),
        ``marginal_roas`` (the same over the point below) and ``lifetime_roas`` (lifetime
        profit gained plus the extra spend, per unit of it: above 1, the money paid for
        itself over the customers' lifetimes). NaN where the spend grew by less than
        :data:`MATERIAL` of the channel's spend at today's budget.
    """
    rows = []
    for channel, by_multiple in points.items():
        zero = by_multiple[0.0]
        floor = max(1.0, MATERIAL * float(by_multiple[1.0][spend_column(channel)].mean()))
        previous = None
        for multiple in sorted(by_multiple):
            runs = by_multiple[multiple]
            spend = runs[spend_column(channel)]
            row: dict[str, object] = {
                "channel": channel,
                "multiple": multiple,
                "budget": budgets[channel] * multiple,
                "spend": float(spend.mean()),
            }
            for outcome in OUTCOMES:
                gain = paired_difference(zero[outcome], runs[outcome])
                row |= {
                    outcome: gain["diff"],
                    f"{outcome}_low": gain["diff_low"],
                    f"{outcome}_high": gain["diff_high"],
                }
            extra = float((spend - zero[spend_column(channel)]).mean())
            row["roas"] = _ratio(row["revenue"], extra, floor)
            row["lifetime_roas"] = _ratio(row["lifetime_profit"] + extra, extra, floor)
            if previous is None:
                row["marginal_roas"] = np.nan
            else:
                step = float((spend - previous[spend_column(channel)]).mean())
                gained = float((runs["revenue"] - previous["revenue"]).mean())
                row["marginal_roas"] = _ratio(gained, step, floor)
            rows.append(row)
            previous = runs
    return pd.DataFrame(rows)


def _ratio(gain: float, spend: float, floor: float) -> float:
    """``gain / spend``, NaN unless the spend grew by at least ``floor`` (:data:`MATERIAL`)."""
    return gain / spend if spend >= floor else float("nan")
