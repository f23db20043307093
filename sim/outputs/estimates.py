"""How a KPI estimated over replications is written, wherever it is shown.

A KPI can be undefined in a run (no customer, nothing spent, never pays back: see
docs/kpis.md). Its mean and 95 % interval are then over the runs that defined it, and
the display says how many: ``0 [0, 0] in 2 of 20 runs``, never a bare ``0 [0, 0]``
that reads as twenty runs of zero. A KPI no run defined shows why, not a number:
``n/a: undefined in all 20 runs (no repeat margin: never pays back)``. A paired
difference is over the runs where both plans defined the KPI, and says so when that
is not every run: ``in 2 of 20 runs, both defined``. The terminal tables of
``compare`` and ``sweep``, ``compare``'s ``report.html`` and the dashboard's exported
report all write their cells with these functions.
"""

from __future__ import annotations

import math

import pandas as pd

from sim.outputs.style import format_value


def runs_note(defined: int, runs: int, paired: bool = False) -> str:
    """``" in k of n runs"`` when only ``defined`` of ``runs`` runs gave a value, else ``""``.

    Args:
        defined: Runs (or, ``paired``, pairs of runs) where the KPI is defined.
        runs: All the runs.
        paired: The count is of pairs where both plans defined the KPI.
    """
    if defined >= runs:
        return ""
    return f" in {defined} of {runs} runs" + (", both defined" if paired else "")


def interval_text(row: pd.Series) -> str:
    """A summary row's 95 % interval with its runs note, or why no run defined the KPI.

    Args:
        row: A row of a summary (``Comparison.summary()``, ``sweep_summary``): ``ci_low``,
            ``ci_high``, ``n``, ``runs`` and, if known, ``undefined`` (the reason).
    """
    defined, runs = int(row["n"]), int(row["runs"])
    if defined == 0:
        return f"undefined in all {runs} runs" + _reason(row.get("undefined"))
    interval = f"[{format_value(row['ci_low'])}, {format_value(row['ci_high'])}]"
    return interval + runs_note(defined, runs)


def estimate_text(row: pd.Series) -> str:
    """A summary row as ``mean [low, high]``, with its runs note (see :func:`interval_text`)."""
    if int(row["n"]) == 0:
        return f"n/a: {interval_text(row)}"
    return f"{format_value(row['mean'])} {interval_text(row)}"


def difference_text(row: pd.Series) -> str:
    """A summary row's paired difference interval, over the runs where both are defined."""
    pairs, runs = int(row["pairs"]), int(row["runs"])
    if pairs == 0:
        return "no run where both are defined"
    interval = f"[{format_value(row['diff_low'])}, {format_value(row['diff_high'])}]"
    return interval + runs_note(pairs, runs, paired=True)


def _reason(why: object) -> str:
    if why is None or (isinstance(why, float) and math.isnan(why)) or not str(why):
        return ""
    return f" ({why})"
