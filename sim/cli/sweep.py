"""``sweep``: every combination of the --grid values, --replications times each, resumable.

Every point is checked before any run starts; finished runs are kept in ``OUT/runs/``
and skipped when the same command is run again (see :mod:`sim.cli.experiments`).
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

import yaml

from sim.cli.estimates import announce, check_cost, runs_of
from sim.cli.experiments import (
    check_kpis,
    need_pyarrow,
    number,
    parents,
    provenance,
    saved_on_stop,
    unique,
)
from sim.cli.flags import check_run_args, from_flag, in_flag_words, load, on_engine
from sim.scenario.errors import InputError
from sim.scenario.loading import with_overrides
from sim.scenario.paths import field_value
from sim.scenario.schema import Scenario
from sim.scenario.yaml12 import parse_value

Range = tuple[float, float, int]


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``sweep`` command."""
    sweep = commands.add_parser(
        "sweep",
        parents=parents("results/sweep-<scenario>/"),
        help="full factorial parameter sweep with replications (resumable)",
        description="Run every combination of the --grid values, --replications times each "
        "(replication k uses the same seed at every point). Writes sweep.parquet and sweep.csv "
        "(one row per run: param.<key>, replication, seed, every KPI), summary.csv (mean and "
        "95% CI per point, and the change against the baseline point paired by replication), "
        "extra.csv (extra customers over the baseline and the cost of each) and plots/<kpi>.png "
        "to --out. The baseline is the point that leaves the scenario as it is, else the first. "
        "Finished runs are kept in OUT/runs/; rerunning the same command skips them.",
    )
    sweep.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="KEY=VALUES",
        help="a swept field: KEY=V1,V2,... or KEY=LOW:HIGH:COUNT (repeatable)",
    )
    sweep.add_argument(
        "--shift",
        action="append",
        default=[],
        metavar="FROM:TO=AMOUNTS",
        help="move monthly budget from channel FROM to channel TO, the total held fixed: "
        "FROM:TO=V1,V2,... or FROM:TO=LOW:HIGH:COUNT (repeatable)",
    )
    sweep.add_argument(
        "--replications", type=int, default=1, metavar="R", help="runs per grid point (default 1)"
    )
    sweep.set_defaults(handler=_sweep)


def parse_grid(text: str) -> tuple[str, list[Any] | Range]:
    """``KEY=V1,V2,...`` (values read as YAML 1.2 scalars) or ``KEY=LOW:HIGH:COUNT``.

    Returns:
        The key and either the list of values or ``(low, high, count)``.
    """
    key, sep, spec = text.partition("=")
    key, spec = key.strip(), spec.strip()
    where = f"--grid {text}"
    if not sep or not key or not spec:
        raise InputError(f"{where}: expected KEY=V1,V2,... or KEY=LOW:HIGH:COUNT")
    if "," not in spec and spec.count(":") == 2:
        low, high, count = (p.strip() for p in spec.split(":"))
        lo, hi = number(low, where, "LOW"), number(high, where, "HIGH")
        try:
            n = int(count)
        except ValueError:
            raise InputError(f"{where}: COUNT must be a whole number; got {count!r}") from None
        if n < 2:
            raise InputError(f"{where}: COUNT must be at least 2; got {n}")
        if lo > hi:
            raise InputError(f"{where}: LOW must not exceed HIGH; got {low} > {high}")
        return key, (lo, hi, n)
    values: list[Any] = []
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            raise InputError(f"{where}: empty value in the list")
        try:
            value = parse_value(item)
        except yaml.YAMLError:
            raise InputError(f"{where}: cannot read value {item!r}") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise InputError(f"{where}: values must be finite; got {item!r}")
        if any(v == value and type(v) is type(value) for v in values):
            raise InputError(f"{where}: value {item!r} is given twice")
        values.append(value)
    return key, values


def resolve_grid(
    base: Scenario, raw: dict[str, list[Any] | Range], source: str
) -> dict[str, list[Any]]:
    """Ranges as values: evenly spaced, rounded for integer fields (no repeats allowed)."""
    import numpy as np

    from sim.experiments.sweep import SHIFT

    known = base.model_dump()
    grid = {}
    for key, spec in raw.items():
        shift = key.startswith(SHIFT)  # an amount of money, checked by grid_points
        current = None if shift else field_value(known, key, f"{source}: {key} (from --grid)")
        if not isinstance(spec, tuple):
            grid[key] = spec
            continue
        low, high, count = spec
        values = np.linspace(low, high, count)
        if shift:
            grid[key] = [float(v) for v in values]
            continue
        if isinstance(current, bool) or not isinstance(current, int | float):
            raise InputError(f"--grid {key}: a range needs a number field; it is {current!r}")
        if isinstance(current, int):
            ints = [int(round(v)) for v in values]
            if len(set(ints)) < len(ints):
                raise InputError(
                    f"--grid {key}={low:g}:{high:g}:{count}: {key} is a whole number and "
                    f"{count} steps repeat values; use fewer steps"
                )
            grid[key] = ints
        else:
            grid[key] = [float(v) for v in values]
    return grid


def _sweep(args: argparse.Namespace) -> int:
    check_run_args(args)
    if not args.grid and not args.shift:
        raise InputError("--grid: give at least one KEY=VALUES (or a --shift)")
    base = load(args.file, args)

    from sim.analysis.folder_lock import claim_output_folder
    from sim.experiments.store import RunStore, content_hash
    from sim.experiments.sweep import SHIFT, SWEEP_KIND, grid_points, overrides, sweep

    shifts = [f"{SHIFT}{text}" for text in args.shift]
    raw = unique([parse_grid(text) for text in [*args.grid, *shifts]], "--grid")
    source = str(args.file)
    grid = resolve_grid(base, raw, source)
    with from_flag("--grid"):  # every point is valid before any run
        markets = [
            runs_of(with_overrides(base, overrides(base, point), source), args.replications)
            for point in grid_points(base, grid, source)
        ]
    points = grid_points(base, grid, source)
    kpis = check_kpis(base, args.kpi)
    out = args.out or Path("results") / f"sweep-{base.name}"
    need_pyarrow()
    cost = check_cost(args, markets)
    claim_output_folder(out, SWEEP_KIND, [args.file, args.scenario_root])
    with in_flag_words("(fresh=True)", "(--fresh)"):
        RunStore(out, SWEEP_KIND).check(content_hash(base), fresh=args.fresh)
    announce(cost, args)
    runs = len(points) * args.replications
    if not args.quiet:
        print(
            f"sweep {base.name}: {len(points)} points x {args.replications} replications = "
            f"{runs} runs -> {out}",
            file=sys.stderr,
        )
    with saved_on_stop(out):
        table = on_engine(args, sweep, base, grid, args.replications, store=out, fresh=args.fresh)

    from sim.experiments.sweep import sweep_extra, sweep_summary, sweep_warnings
    from sim.outputs.tables import extra_text, sweep_text
    from sim.outputs.writers import write_sweep

    baseline = next((p for p in points if _unchanged(base, p)), points[0])
    summary = sweep_summary(table, baseline=baseline)
    extra = sweep_extra(table, baseline)
    write_sweep(out, table, summary, kpis, provenance("sweep", base, args), extra)
    print(sweep_text(summary, kpis, args.replications))
    where = ", ".join(f"{k}={v}" for k, v in baseline.items())
    print(f"\nagainst the baseline ({where}), paired by replication:")
    print(extra_text(extra))
    for line in sweep_warnings(table):
        print(f"warning: {line}", file=sys.stderr)
    print(
        f"\nwrote {out}/sweep.parquet, sweep.csv, summary.csv, extra.csv, plots/ "
        f"({len(table)} runs; store {out}/runs/)"
    )
    return 0


def _unchanged(base: Scenario, point: dict[str, Any]) -> bool:
    """Whether a grid point leaves the scenario as it is (no shift, current values)."""
    from sim.experiments.sweep import overrides

    known = base.model_dump()
    return all(
        field_value(known, key, key) == value for key, value in overrides(base, point).items()
    )
