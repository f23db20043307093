"""``sweep`` and ``sensitivity``: many runs, resumable, on processes or Dask.

Both commands check every input before any run starts (bad input: one line,
exit 2, nothing written), keep each finished run in ``OUT/runs/`` as it comes
back, skip the runs already there when the same command is run again, and
(re)build their tables and figures from that store at the end, each file written
whole or not at all. Heavy imports wait until a command runs, so the CLI starts fast.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import math
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from sim.cli.flags import (
    check_run_args,
    engine_flags,
    from_flag,
    load,
    on_engine,
    output_flags,
    scenario_flags,
    seed_flag,
    shaping_options,
)
from sim.scenario.errors import InputError
from sim.scenario.loading import with_overrides
from sim.scenario.paths import field_value
from sim.scenario.schema import Scenario
from sim.scenario.yaml12 import parse_value

if TYPE_CHECKING:
    from sim.analysis.provenance import Provenance

DEFAULT_KPIS = ("cost_of_sale", "customers", "clv_to_cac")
"""KPIs printed and plotted unless ``--kpi`` says otherwise."""

Range = tuple[float, float, int]


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``sweep`` and ``sensitivity`` commands."""
    sweep = commands.add_parser(
        "sweep",
        parents=_parents("results/sweep-<scenario>/"),
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

    sensitivity = commands.add_parser(
        "sensitivity",
        parents=_parents("results/sensitivity-<scenario>-<method>/"),
        help="global sensitivity analysis (Sobol or Morris, with SALib)",
        description="Sample the --param ranges (Saltelli/Sobol' or Morris trajectories), run "
        "each sample --replications times on the same seeds, and compute Sobol first-order and "
        "total indices (or Morris mu, mu*, sigma) of every KPI's mean with 95% confidence "
        "intervals and the seed-noise floor: the index seed noise alone would give. Writes "
        "indices.csv/.parquet, runs.csv/.parquet and sensitivity.png to --out. Finished runs "
        "are kept in OUT/runs/; rerunning the same command skips them.",
    )
    sensitivity.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=LOW:HIGH",
        help="a varied field and its range (repeatable)",
    )
    sensitivity.add_argument("--method", choices=("sobol", "morris"), default="sobol")
    sensitivity.add_argument(
        "--samples",
        type=int,
        default=64,
        metavar="N",
        help="Sobol base samples (a power of 2; N*(D+2) runs) or Morris "
        "trajectories (N*(D+1) runs); default 64",
    )
    sensitivity.add_argument(
        "--replications",
        type=int,
        default=5,
        metavar="R",
        help="runs per sample, on the same seeds for every sample (default 5; 2 or more "
        "measure the seed-noise floor)",
    )
    sensitivity.set_defaults(handler=_sensitivity)


def _parents(default_out: str) -> list[argparse.ArgumentParser]:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("file", type=Path, metavar="FILE")
    common.add_argument(
        "--kpi",
        action="append",
        default=None,
        metavar="NAME",
        help=f"KPI to print and plot (repeatable; default {', '.join(DEFAULT_KPIS)})",
    )
    common.add_argument(
        "--fresh",
        action="store_true",
        help="discard the runs kept in --out by another model version or scenario, "
        "instead of refusing them",
    )
    return [common, scenario_flags(), seed_flag(), engine_flags(), output_flags(default_out)]


# --- argument parsing ------------------------------------------------------------------


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
        lo, hi = _number(low, where, "LOW"), _number(high, where, "HIGH")
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


def parse_param(text: str) -> tuple[str, tuple[float, float]]:
    """``KEY=LOW:HIGH`` for a sensitivity analysis (LOW < HIGH, both finite)."""
    key, sep, spec = text.partition("=")
    key, spec = key.strip(), spec.strip()
    where = f"--param {text}"
    if not sep or not key or spec.count(":") != 1:
        raise InputError(f"{where}: expected KEY=LOW:HIGH")
    low, high = (p.strip() for p in spec.split(":"))
    lo, hi = _number(low, where, "LOW"), _number(high, where, "HIGH")
    if lo >= hi:
        raise InputError(f"{where}: LOW must be below HIGH; got {low}:{high}")
    return key, (lo, hi)


def _number(text: str, where: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{where}: {what} must be a number; got {text!r}") from None
    if not math.isfinite(value):
        raise InputError(f"{where}: {what} must be finite; got {text!r}")
    return value


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


def _unique(pairs: Sequence[tuple[str, Any]], flag: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise InputError(f"{flag} {key}: given twice")
        found[key] = value
    return found


# --- commands ----------------------------------------------------------------------------


def _sweep(args: argparse.Namespace) -> int:
    from sim.analysis.folder_lock import claim_output_folder
    from sim.experiments.store import RunStore, content_hash
    from sim.experiments.sweep import (
        SHIFT,
        SWEEP_KIND,
        grid_points,
        overrides,
        sweep,
        sweep_extra,
        sweep_summary,
        sweep_warnings,
    )
    from sim.outputs.tables import extra_text, sweep_text
    from sim.outputs.writers import write_sweep

    check_run_args(args)
    if not args.grid and not args.shift:
        raise InputError("--grid: give at least one KEY=VALUES (or a --shift)")
    shifts = [f"{SHIFT}{text}" for text in args.shift]
    raw = _unique([parse_grid(text) for text in [*args.grid, *shifts]], "--grid")
    base = load(args.file, args)
    source = str(args.file)
    grid = resolve_grid(base, raw, source)
    with from_flag("--grid"):
        for point in grid_points(base, grid, source):  # every point is valid before any run
            with_overrides(base, overrides(base, point), source)
    points = grid_points(base, grid, source)
    kpis = _check_kpis(base, args.kpi)
    out = args.out or Path("results") / f"sweep-{base.name}"
    _need_pyarrow()
    claim_output_folder(out, SWEEP_KIND, [args.file, args.scenario_root])
    RunStore(out, SWEEP_KIND).check(content_hash(base), fresh=args.fresh)
    runs = len(points) * args.replications
    if not args.quiet:
        print(
            f"sweep {base.name}: {len(points)} points x {args.replications} replications = "
            f"{runs} runs -> {out}",
            file=sys.stderr,
        )
    with _saved_on_stop(out):
        table = on_engine(args, sweep, base, grid, args.replications, store=out, fresh=args.fresh)
    baseline = next((p for p in points if _unchanged(base, p)), points[0])
    summary = sweep_summary(table, baseline=baseline)
    extra = sweep_extra(table, baseline)
    write_sweep(out, table, summary, kpis, _provenance("sweep", base, args), extra)
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


def _sensitivity(args: argparse.Namespace) -> int:
    from sim.analysis.folder_lock import claim_output_folder
    from sim.experiments import salib
    from sim.experiments.sensitivity import SENSITIVITY_KIND, parameter_bounds, run_sensitivity
    from sim.experiments.store import RunStore, content_hash
    from sim.outputs.tables import indices_text
    from sim.outputs.writers import write_sensitivity

    check_run_args(args)
    if not args.param:
        raise InputError("--param: give at least one KEY=LOW:HIGH")
    params = _unique([parse_param(text) for text in args.param], "--param")
    why = salib.check_samples(args.method, args.samples)
    if why:
        raise InputError(f"--samples {args.samples}: {why}")
    base = load(args.file, args)
    with from_flag("--param"):
        parameter_bounds(base, params, str(args.file))
    kpis = _check_kpis(base, args.kpi)
    out = args.out or Path("results") / f"sensitivity-{base.name}-{args.method}"
    _need_pyarrow()
    if importlib.util.find_spec("SALib") is None:
        raise InputError("sensitivity needs SALib: pip install '.[experiments]'")
    claim_output_folder(out, SENSITIVITY_KIND, [args.file, args.scenario_root])
    RunStore(out, SENSITIVITY_KIND).check(content_hash(base), fresh=args.fresh)
    if not args.quiet:
        samples = salib.run_count(args.method, args.samples, len(params))
        print(
            f"sensitivity {base.name} ({args.method}): {len(params)} parameters, "
            f"{samples} samples x {args.replications} replications -> {out}",
            file=sys.stderr,
        )
    with _saved_on_stop(out):
        result = on_engine(
            args,
            run_sensitivity,
            base,
            params,
            args.method,
            args.samples,
            replications=args.replications,
            store=out,
            fresh=args.fresh,
        )
    write_sensitivity(out, result, kpis, _provenance("sensitivity", base, args))
    print(indices_text(result.indices, kpis))
    for line in result.warnings(kpis):
        print(f"warning: {line}", file=sys.stderr)
    print(
        f"\nwrote {out}/indices.csv, indices.parquet, runs.csv, runs.parquet, sensitivity.png "
        f"({len(result.runs)} runs; store {out}/runs/)"
    )
    return 0


# --- helpers --------------------------------------------------------------------------------


def _unchanged(base: Scenario, point: dict[str, Any]) -> bool:
    """Whether a grid point leaves the scenario as it is (no shift, current values)."""
    from sim.experiments.sweep import overrides

    known = base.model_dump()
    return all(
        field_value(known, key, key) == value for key, value in overrides(base, point).items()
    )


def _provenance(command: str, base: Scenario, args: argparse.Namespace) -> Provenance:
    """The base scenario as run, the replication seeds and the options that shape the runs."""
    from sim.analysis.provenance import Provenance
    from sim.experiments.specs import replication_seeds

    seeds = replication_seeds(args.seed, args.replications)
    return Provenance(command, [base], seeds, shaping_options(args))


@contextlib.contextmanager
def _saved_on_stop(out: Path) -> Iterator[None]:
    """On Ctrl-C or a dead worker, say what was kept and how to resume."""
    from concurrent.futures.process import BrokenProcessPool

    from sim.experiments.store import RunStore

    try:
        yield
    except (KeyboardInterrupt, BrokenProcessPool) as exc:
        kept = len(RunStore(out).load())
        why = "interrupted" if isinstance(exc, KeyboardInterrupt) else "a worker process died"
        print(
            f"{why}: {kept} finished runs are kept in {out}/runs/; run the same command "
            "again to resume",
            file=sys.stderr,
        )
        raise


def _check_kpis(base: Scenario, chosen: list[str] | None) -> list[str]:
    """The chosen KPIs, checked against those a run of ``base`` reports."""
    from sim.analysis.kpis import scenario_kpis

    names = scenario_kpis(base)
    if chosen is None:
        return [k for k in DEFAULT_KPIS if k in names]
    for kpi in chosen:
        if kpi not in names:
            raise InputError(f"--kpi {kpi}: no such KPI (e.g. {', '.join(DEFAULT_KPIS)})")
    return list(dict.fromkeys(chosen))


def _need_pyarrow() -> None:
    if importlib.util.find_spec("pyarrow") is None:
        raise InputError("writing Parquet needs pyarrow: pip install '.[experiments]'")
