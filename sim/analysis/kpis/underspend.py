"""Warnings of channels that could not spend their budget: unspent budget is not a saving."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sim.analysis.kpis.axes import channel_names
from sim.analysis.kpis.declaration import Kpis
from sim.analysis.kpis.money import BUDGET_USED, UNDERSPEND


def underspent_groups(table: pd.DataFrame, by: Sequence[str]) -> list[str]:
    """:func:`underspent` of each group's mean run (a scenario, a grid point), labelled."""
    means = table.groupby(list(by), sort=False, dropna=False).mean(numeric_only=True)
    lines = []
    for key, row in means.iterrows():
        values = key if isinstance(key, tuple) else (key,)
        label = ", ".join(
            str(v) if k == "scenario" else f"{k.removeprefix('param.')}={v}"
            for k, v in zip(by, values, strict=True)
        )
        channels = [c.removeprefix(BUDGET_USED) for c in row.index if c.startswith(BUDGET_USED)]
        lines += [f"{label}: {w}" for w in underspent(row.to_dict(), channels)]
    return lines


def underspent(kpis: Kpis, sources: Sequence[str]) -> list[str]:
    """One warning per channel that spent under :data:`UNDERSPEND` of its planned budget.

    Unspent budget is not a saving: the channel could not find enough of its audience
    (its reach, stages or need caps it), and cost of sale is lower only because less
    was spent.
    """
    warnings = []
    for name in channel_names(sources):
        used = kpis.get(f"{BUDGET_USED}{name}")
        if used is not None and used < UNDERSPEND:
            actual, planned = kpis[f"spend_actual.{name}"], kpis[f"spend_planned.{name}"]
            warnings.append(
                f"channel {name} spent {actual:,.0f} of its planned {planned:,.0f} "
                f"({used:.0%}): its audience or reach caps it"
            )
    return warnings
