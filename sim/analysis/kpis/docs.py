"""The KPI page of the docs, generated from the declarations so that it cannot drift.

``python -m sim.analysis.kpis.docs docs/kpis.md`` rewrites the page; a test checks that
the committed page equals :func:`kpi_page`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from sim.analysis.folders import write_file
from sim.analysis.kpis.catalogue import CATALOGUE
from sim.analysis.kpis.declaration import Axis, Catalogue

COMMAND = "python -m sim.analysis.kpis.docs docs/kpis.md"
"""The command that writes the page."""

INTRO = f"""\
# KPIs

Every KPI a run reports, in the order it reports them (`summary.json`, `kpis.csv` and every
table of runs). This page is generated from the KPIs' declarations in `sim/analysis/kpis/`
(`acquisition.py`, `journey.py`, `money.py`) by
`{COMMAND}`; a test keeps it equal to them.

- A KPI that cannot be computed in a run is `null`, with its reason under `undefined` (no
  customers, nothing spent, ...): never a crash or a division by zero. Over replications
  (`compare`, `sweep`, the dashboard's report) its mean and 95 % interval are over the runs
  that defined it, and every display says how many beside the interval (`0 [0, 0] in 2 of
  20 runs`, never a bare `0 [0, 0]`); where no run defined it, the display gives the reason
  instead of a number. `summary.csv` has `n` (the runs that defined the KPI) beside `runs`,
  and `compare`'s names the most common reason under `undefined`; a paired difference is
  over the `pairs` of runs where both plans defined the KPI, said beside it when fewer.
- **better**: which way a plan improves the KPI (`optimise` takes it as the objective's
  direction); `neither` marks numbers that are context, not aims.
- **total**: a count or an amount. Totals grow with the market: a sample of a larger market
  (`population.market_size`) reports the whole market's, its totals divided by its share;
  the other KPIs are ratios or averages and need no scaling.
- **headline**: the KPIs tables show first, in this order.
- A name with `<...>` is a family: one KPI per member, members in turn (see the end).

Each KPI is computed from a run's plain record (`sim.analysis.kpis.RunRecord`: the tally of
who was won through which touches, the prospects' final columns, the leads' response times,
the ledger, the daily table), not from the live model: `result.record.save("run.npz")` keeps
it and `sim.analysis.kpis.score(RunRecord.load("run.npz"))` scores it again. A new KPI is one
`Kpi(name, unit, direction, definition, function, total=..., headline=...)` in the list of
its theme.
"""


def kpi_page(catalogue: Catalogue = CATALOGUE) -> str:
    """The Markdown page: the introduction, the KPI table and the families' members."""
    rows = [
        "| KPI | unit | better | total | headline | definition |",
        "|---|---|---|---|---:|---|",
    ]
    axes: list[Axis] = []
    for kpi, axis in catalogue.declarations():
        total = "yes" if kpi.total else ""
        place = "" if kpi.headline is None else str(kpi.headline)
        definition = kpi.definition.replace("|", "\\|")
        rows.append(
            f"| `{kpi.name}` | {kpi.unit} | {kpi.direction} | {total} | {place} | {definition} |"
        )
        if axis is not None and axis not in axes:
            axes.append(axis)
    members = [f"- `{axis.placeholder}`: {axis.meaning}." for axis in axes]
    families = "\n".join(["## Families", "", *members])
    return f"{INTRO}\n## The KPIs\n\n" + "\n".join(rows) + f"\n\n{families}\n"


def main(argv: Sequence[str] | None = None) -> None:
    """Write the page to the one path given: ``python -m sim.analysis.kpis.docs docs/kpis.md``."""
    (path,) = sys.argv[1:] if argv is None else argv
    write_file(Path(path), lambda tmp: tmp.write_text(kpi_page(), encoding="utf-8"))


if __name__ == "__main__":
    main()
