"""`run.py sweep` and `run.py sensitivity`: many runs, resumable, on processes or Dask.

Both commands check every input before any run starts (bad input: one line, exit
2, nothing written), keep each finished run in ``OUT/runs/`` as it comes back,
skip the runs already there when the same command is run again, and (re)build
their tables and figures from that store at the end, each file written whole or
not at all. Heavy imports wait until a command runs, so the CLI starts fast.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from sim.scenario import ScenarioError, load_scenario

DEFAULT_KPIS = ("cost_of_sale", "customers", "clv_to_cac")
"""KPIs printed and plotted unless ``--kpi`` says otherwise."""


class BadInput(ScenarioError):
    """A malformed command-line value (exit 2)."""


# --- argument parsing ------------------------------------------------------------------


def parse_grid(text: str) -> tuple[str, list[Any] | tuple[float, float, int]]:
    """``KEY=V1,V2,...`` (values read as YAML) or ``KEY=LOW:HIGH:COUNT`` (evenly spaced).

    Returns:
        The key and either the list of values or ``(low, high, count)``.
    """
    key, sep, spec = text.partition("=")
    key, spec = key.strip(), spec.strip()
    where = f"--grid {text}"
    if not sep or not key or not spec:
        raise BadInput(f"{where}: expected KEY=V1,V2,... or KEY=LOW:HIGH:COUNT")
    if "," not in spec and spec.count(":") == 2:
        low, high, count = (p.strip() for p in spec.split(":"))
        lo, hi = _number(low, where, "LOW"), _number(high, where, "HIGH")
        try:
            n = int(count)
        except ValueError:
            raise BadInput(f"{where}: COUNT must be a whole number; got {count!r}") from None
        if n < 2:
            raise BadInput(f"{where}: COUNT must be at least 2; got {n}")
        if lo > hi:
            raise BadInput(f"{where}: LOW must not exceed HIGH; got {low} > {high}")
        return key, (lo, hi, n)
    values = []
    for item in spec.split(","):
        item = item.strip()
        if not item:
            raise BadInput(f"{where}: empty value in the list")
        if ":" in item:
            value: Any = item  # not YAML 1.1's base-60 numbers (1:30 == 90): kept as text
        else:
            try:
                value = yaml.safe_load(item)
            except yaml.YAMLError:
                raise BadInput(f"{where}: cannot read value {item!r}") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise BadInput(f"{where}: values must be finite; got {item!r}")
        if any(v == value and type(v) is type(value) for v in values):
            raise BadInput(f"{where}: value {item!r} is given twice")
        values.append(value)
    return key, values


def parse_param(text: str) -> tuple[str, tuple[float, float]]:
    """``KEY=LOW:HIGH`` for a sensitivity analysis (LOW < HIGH, both finite)."""
    key, sep, spec = text.partition("=")
    key, spec = key.strip(), spec.strip()
    where = f"--param {text}"
    if not sep or not key or spec.count(":") != 1:
        raise BadInput(f"{where}: expected KEY=LOW:HIGH")
    low, high = (p.strip() for p in spec.split(":"))
    lo, hi = _number(low, where, "LOW"), _number(high, where, "HIGH")
    if lo >= hi:
        raise BadInput(f"{where}: LOW must be below HIGH; got {low}:{high}")
    return key, (lo, hi)


def _number(text: str, where: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise BadInput(f"{where}: {what} must be a number; got {text!r}") from None
    if not math.isfinite(value):
        raise BadInput(f"{where}: {what} must be finite; got {text!r}")
    return value


def resolve_grid(base: Any, raw: dict[str, Any], source: str) -> dict[str, list[Any]]:
    """Ranges as values: evenly spaced, rounded for integer fields (no repeats allowed)."""
    import numpy as np

    from sim.experiment import field_value

    known = base.model_dump()
    grid = {}
    for key, spec in raw.items():
        current = field_value(known, key, source, "grid")
        if not isinstance(spec, tuple):
            grid[key] = spec
            continue
        low, high, count = spec
        values = np.linspace(low, high, count)
        if isinstance(current, bool) or not isinstance(current, int | float):
            raise BadInput(f"--grid {key}: a range needs a number field; it is {current!r}")
        if isinstance(current, int):
            ints = [int(round(v)) for v in values]
            if len(set(ints)) < len(ints):
                raise BadInput(
                    f"--grid {key}={_g(low)}:{_g(high)}:{count}: {key} is a whole number and "
                    f"{count} steps repeat values; use fewer steps"
                )
            grid[key] = ints
        else:
            grid[key] = [float(v) for v in values]
    return grid


def _g(value: float) -> str:
    return f"{value:g}"


# --- commands ----------------------------------------------------------------------------


def _common(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("file", type=Path, metavar="FILE")
    cmd.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a field of the base scenario (repeatable)",
    )
    cmd.add_argument("--seed", type=int, default=0, help="master seed (default 0)")
    engine = cmd.add_mutually_exclusive_group()
    engine.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="local processes (default: the machine's cores; 1 = serial)",
    )
    engine.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="run on a Dask cluster: tcp://scheduler:8786, or 'local' to "
        "start a LocalCluster (needs pip install '.[dask]')",
    )
    cmd.add_argument(
        "--kpi",
        action="append",
        default=None,
        metavar="NAME",
        help=f"KPI to print and plot (repeatable; default {', '.join(DEFAULT_KPIS)})",
    )
    cmd.add_argument("--out", type=Path, help="output folder (also the resumable store)")
    cmd.add_argument("--quiet", action="store_true", help="no progress bar or notes on stderr")


def add_sweep(commands: argparse._SubParsersAction) -> None:
    """Add the ``sweep`` command."""
    cmd = commands.add_parser(
        "sweep",
        help="full factorial parameter sweep with replications (resumable)",
        description="Run every combination of the --grid values, --replications times each "
        "(replication k uses the same seed at every point). Writes sweep.parquet and sweep.csv "
        "(one row per run: param.<key>, replication, seed, every KPI), summary.csv (mean and "
        "95% CI per point) and plots/<kpi>.png to --out (default results/sweep-<scenario>/). "
        "Finished runs are kept in OUT/runs/; rerunning the same command skips them.",
    )
    _common(cmd)
    cmd.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="KEY=VALUES",
        help="a swept field: KEY=V1,V2,... or KEY=LOW:HIGH:COUNT (repeatable)",
    )
    cmd.add_argument(
        "--replications", type=int, default=1, metavar="R", help="runs per grid point (default 1)"
    )
    cmd.set_defaults(handler=_sweep)


def add_sensitivity(commands: argparse._SubParsersAction) -> None:
    """Add the ``sensitivity`` command."""
    cmd = commands.add_parser(
        "sensitivity",
        help="global sensitivity analysis (Sobol or Morris, with SALib)",
        description="Sample the --param ranges (Saltelli/Sobol' or Morris trajectories), run "
        "each sample on the same model seed, and compute Sobol first-order and total indices "
        "(or Morris mu*, sigma) of every KPI with 95% confidence intervals. Writes "
        "indices.csv/.parquet, runs.csv/.parquet and sensitivity.png to --out (default "
        "results/sensitivity-<scenario>-<method>/). Finished runs are kept in OUT/runs/; "
        "rerunning the same command skips them.",
    )
    _common(cmd)
    cmd.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=LOW:HIGH",
        help="a varied field and its range (repeatable)",
    )
    cmd.add_argument("--method", choices=("sobol", "morris"), default="sobol")
    cmd.add_argument(
        "--samples",
        type=int,
        default=64,
        metavar="N",
        help="Sobol base samples (a power of 2; N*(D+2) runs) or Morris "
        "trajectories (N*(D+1) runs); default 64",
    )
    cmd.set_defaults(handler=_sensitivity)


def check_run_args(args: argparse.Namespace) -> None:
    """Refuse a negative seed and fewer than one worker, replication or sample."""
    if args.seed < 0:
        raise BadInput(f"--seed: must be >= 0; got {args.seed}")
    if args.workers is not None and args.workers < 1:
        raise BadInput(f"--workers: must be >= 1; got {args.workers}")
    for name in ("replications", "samples"):
        value = getattr(args, name, None)
        if value is not None and value < 1:
            raise BadInput(f"--{name}: must be >= 1; got {value}")


def _sweep(args: argparse.Namespace) -> int:
    check_run_args(args)
    if not args.grid:
        raise BadInput("--grid: give at least one KEY=VALUES")
    raw: dict[str, Any] = {}
    for text in args.grid:
        key, spec = parse_grid(text)
        if key in raw:
            raise BadInput(f"--grid {key}: given twice")
        raw[key] = spec
    base = load_scenario(args.file, args.set)
    source = str(args.file)
    grid = resolve_grid(base, raw, source)
    from sim import experiment

    points = experiment.grid_points(base, grid, source)
    for point in points:  # every point is valid before any run starts
        experiment.with_params(base, point, source)
    kpis = _check_kpis(base, args.kpi)
    out = args.out or Path("results") / f"sweep-{base.name}"
    _check_out(out)
    _need_pyarrow()
    runs = len(points) * args.replications
    if not args.quiet:
        print(
            f"sweep {base.name}: {len(points)} points x {args.replications} replications = "
            f"{runs} runs -> {out}",
            file=sys.stderr,
        )
    with cluster(args) as executor, _saved_on_stop(out):
        table = experiment.sweep(
            base,
            grid,
            args.replications,
            args.seed,
            executor=executor,
            workers=args.workers,
            progress=not args.quiet,
            store=out,
        )
    summary = experiment.sweep_summary(table)
    _write_sweep(out, table, summary, kpis)
    print(_sweep_text(summary, kpis, args.replications))
    print(
        f"\nwrote {out}/sweep.parquet, sweep.csv, summary.csv, plots/ ({len(table)} runs; "
        f"store {out}/runs/)"
    )
    return 0


def _sensitivity(args: argparse.Namespace) -> int:
    check_run_args(args)
    if not args.param:
        raise BadInput("--param: give at least one KEY=LOW:HIGH")
    params: dict[str, tuple[float, float]] = {}
    for text in args.param:
        key, bounds = parse_param(text)
        if key in params:
            raise BadInput(f"--param {key}: given twice")
        params[key] = bounds
    from sim import sensitivity as salib

    why = salib.check_samples(args.method, args.samples)
    if why:
        raise BadInput(f"--samples {args.samples}: {why}")
    base = load_scenario(args.file, args.set)
    source = str(args.file)
    from sim import experiment

    experiment.parameter_bounds(base, params, source)
    kpis = _check_kpis(base, args.kpi)
    out = args.out or Path("results") / f"sensitivity-{base.name}-{args.method}"
    _check_out(out)
    _need_pyarrow()
    try:
        import SALib  # noqa: F401
    except ImportError:
        raise BadInput("sensitivity needs SALib: pip install '.[experiments]'") from None
    runs = salib.run_count(args.method, args.samples, len(params))
    if not args.quiet:
        print(
            f"sensitivity {base.name} ({args.method}): {len(params)} parameters, "
            f"{runs} samples -> {out}",
            file=sys.stderr,
        )
    with cluster(args) as executor, _saved_on_stop(out):
        result = experiment.run_sensitivity(
            base,
            params,
            args.method,
            args.samples,
            args.seed,
            executor=executor,
            workers=args.workers,
            progress=not args.quiet,
            store=out,
        )
    _write_sensitivity(out, result, kpis)
    print(_indices_text(result.indices, kpis))
    print(
        f"\nwrote {out}/indices.csv, indices.parquet, runs.csv, runs.parquet, sensitivity.png "
        f"({len(result.runs)} runs; store {out}/runs/)"
    )
    return 0


# --- helpers --------------------------------------------------------------------------------


def cluster(args: argparse.Namespace) -> contextlib.AbstractContextManager:
    """The Dask executor of ``--dask``, or None: runs then use the local pool of ``--workers``."""
    if args.dask:
        from sim.experiment import dask_executor

        return dask_executor(args.dask)
    return contextlib.nullcontext(None)


@contextlib.contextmanager
def _saved_on_stop(out: Path):
    """On Ctrl-C or a dead worker, say what was kept and how to resume."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        yield
    except (KeyboardInterrupt, BrokenProcessPool) as exc:
        from sim.store import RunStore

        kept = len(RunStore(out).load())
        why = "interrupted" if isinstance(exc, KeyboardInterrupt) else "a worker process died"
        print(
            f"{why}: {kept} finished runs are kept in {out}/runs/; run the same command "
            "again to resume",
            file=sys.stderr,
        )
        raise


def _check_kpis(base: Any, chosen: list[str] | None) -> list[str]:
    """The chosen KPIs, checked against those a run of ``base`` reports (a one-day run)."""
    from sim.experiment import with_params
    from sim.results import simulate

    tiny = with_params(base, {"population.size": min(base.population.size, 200), "horizon_days": 1})
    try:
        names = list(simulate(tiny, 0).kpis)
    except Exception:  # noqa: BLE001 - the check is a courtesy; the real runs will tell
        return list(chosen) if chosen is not None else list(DEFAULT_KPIS)
    if chosen is None:
        return [k for k in DEFAULT_KPIS if k in names]
    for kpi in chosen:
        if kpi not in names:
            raise BadInput(f"--kpi {kpi}: no such KPI (e.g. {', '.join(DEFAULT_KPIS)})")
    return list(dict.fromkeys(chosen))


def _check_out(out: Path) -> None:
    """Refuse an output path that is a file, or a non-empty folder we did not write."""
    from sim.cli import check_output_folder

    check_output_folder(out)
    if out.is_dir() and any(out.iterdir()) and not (out / "runs").is_dir():
        raise BadInput(f"--out {out}: folder exists and holds no runs/ store; choose another")


def _need_pyarrow() -> None:
    import importlib.util

    if importlib.util.find_spec("pyarrow") is None:
        raise BadInput("writing Parquet needs pyarrow: pip install '.[experiments]'")


def _write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    """Write a file under a temporary name beside it, then rename it into place."""
    from sim.store import file_mode

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_sweep(out: Path, table: Any, summary: Any, kpis: list[str]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from sim.experiment_figures import sweep_figure
    from sim.results import atomic_dir
    from sim.store import folder_mode

    _write_atomic(out / "sweep.parquet", lambda p: table.to_parquet(p, index=False))
    _write_atomic(out / "sweep.csv", lambda p: table.to_csv(p, index=False))
    _write_atomic(out / "summary.csv", lambda p: summary.to_csv(p, index=False))
    with atomic_dir(out / "plots") as tmp:
        tmp.chmod(folder_mode())
        for kpi in kpis:
            sweep_figure(table, kpi).savefig(tmp / f"{kpi}.png", dpi=110)


def _write_sensitivity(out: Path, result: Any, kpis: list[str]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from sim.experiment_figures import sensitivity_figure

    _write_atomic(out / "indices.parquet", lambda p: result.indices.to_parquet(p, index=False))
    _write_atomic(out / "indices.csv", lambda p: result.indices.to_csv(p, index=False))
    _write_atomic(out / "runs.parquet", lambda p: result.runs.to_parquet(p, index=False))
    _write_atomic(out / "runs.csv", lambda p: result.runs.to_csv(p, index=False))
    figure = sensitivity_figure(result.indices, kpis)
    _write_atomic(out / "sensitivity.png", lambda p: figure.savefig(p, dpi=110, format="png"))


def _sweep_text(summary: Any, kpis: list[str], replications: int) -> str:
    """Mean [95% CI] of the chosen KPIs at each grid point, as an aligned table."""
    import pandas as pd

    from sim.report import format_value

    params = [c for c in summary.columns if c.startswith("param.")]
    chosen = summary[summary["kpi"].isin(kpis)]
    rows = []
    for point, frame in chosen.groupby(params, sort=False):
        point = point if isinstance(point, tuple) else (point,)
        row = {p.removeprefix("param."): _cell(v) for p, v in zip(params, point, strict=True)}
        for _, r in frame.iterrows():
            text = format_value(_none(r["mean"]))
            if replications > 1:
                text += (
                    f" [{format_value(_none(r['ci_low']))}, {format_value(_none(r['ci_high']))}]"
                )
            row[r["kpi"]] = text
        rows.append(row)
    title = "mean [95% CI] over replications" if replications > 1 else "one run per point"
    return f"{title}\n" + pd.DataFrame(rows).to_string(index=False)


def _indices_text(indices: Any, kpis: list[str]) -> str:
    import pandas as pd

    chosen = indices[indices["kpi"].isin(kpis)]
    sobol = "S1" in indices.columns
    rows = []
    for _, r in chosen.iterrows():
        if sobol:
            rows.append(
                {
                    "kpi": r["kpi"],
                    "param": r["param"],
                    "S1": _pm(r["S1"], r["S1_conf"]),
                    "ST": _pm(r["ST"], r["ST_conf"]),
                }
            )
        else:
            rows.append(
                {
                    "kpi": r["kpi"],
                    "param": r["param"],
                    "mu_star": _pm(r["mu_star"], r["mu_star_conf"]),
                    "sigma": _pm(r["sigma"], None),
                }
            )
    title = "Sobol indices, ± 95% CI half-width" if sobol else "Morris screening, μ* ± 95% CI"
    return f"{title}\n" + pd.DataFrame(rows).to_string(index=False)


def _pm(value: float, conf: float | None) -> str:
    from sim.report import format_value

    if value is None or not math.isfinite(value):
        return "n/a"
    text = format_value(float(value)) if abs(value) >= 1 else f"{value:.3f}"
    if conf is not None and math.isfinite(conf):
        text += f" ± {format_value(float(conf)) if abs(conf) >= 1 else f'{conf:.3f}'}"
    return text


def _none(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _cell(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:,.6g}"
