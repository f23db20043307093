"""Paired change against a baseline: what a plan adds over another on the same prospects.

Replication k of every scenario or grid point runs on the same seed (common random
numbers), so differences are taken replication by replication. Two views: the
change of each KPI with its interval, and what each extra customer costs: the mean
extra acquisition cost (marketing, reps, referral rewards) over the mean extra
customers.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sim.analysis.stats import cost_per_extra, paired_difference
from sim.scenario.errors import InputError

ACQUISITION = "acquisition_cost"
"""The KPI that cost of sale divides by customers: marketing, reps and referral rewards."""


def paired_changes(
    table: pd.DataFrame, by: Sequence[str], baseline: tuple, kpis: Sequence[str]
) -> pd.DataFrame:
    """Each group's change against the baseline group, KPI by KPI.

    Args:
        table: One row per run: the ``by`` columns, ``replication`` and the KPIs.
        by: The columns naming a group (``["scenario"]``, or a sweep's parameters).
        baseline: The baseline group's values of ``by``.
        kpis: The KPIs to compare.

    Returns:
        One row per group × KPI: the ``by`` columns, ``kpi``, ``diff`` (group − baseline,
        mean over paired replications), ``diff_low``, ``diff_high``, ``p_value``,
        ``clear``, ``pairs`` (see :func:`~sim.analysis.stats.paired_difference`).
    """
    groups, base = _groups(table, by, baseline)
    rows = []
    for key, frame in groups:
        a, b = _paired(base, frame)
        rows += [{**_named(by, key), "kpi": k, **paired_difference(a[k], b[k])} for k in kpis]
    return pd.DataFrame(rows)


def extra_customers(table: pd.DataFrame, by: Sequence[str], baseline: tuple) -> pd.DataFrame:
    """Each group's extra customers over the baseline and what each one costs.

    Returns:
        One row per group: the ``by`` columns, ``extra_customers``, ``extra_cost``
        (acquisition cost), ``cost_per_extra_customer`` with ``cost_per_extra_low`` and
        ``cost_per_extra_high`` (95% paired bootstrap); NaN where a group wins no more
        customers than the baseline.
    """
    groups, base = _groups(table, by, baseline)
    rows = []
    for key, frame in groups:
        a, b = _paired(base, frame)
        priced = cost_per_extra(a[ACQUISITION], a["customers"], b[ACQUISITION], b["customers"])
        rows.append({**_named(by, key), **priced})
    return pd.DataFrame(rows)


def _groups(table: pd.DataFrame, by: Sequence[str], baseline: tuple):
    groups = table.groupby(list(by), sort=False, dropna=False)
    try:
        base = groups.get_group(tuple(baseline))
    except KeyError:
        raise InputError(f"baseline: no runs at {_named(by, baseline)}") from None
    return groups, base


def _paired(base: pd.DataFrame, frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    a, b = base.set_index("replication"), frame.set_index("replication")
    common = a.index.intersection(b.index).sort_values()
    return a.loc[common], b.loc[common]


def _named(by: Sequence[str], key: object) -> dict[str, object]:
    values = key if isinstance(key, tuple) else (key,)
    return dict(zip(by, values, strict=True))
