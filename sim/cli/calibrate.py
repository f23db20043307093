"""``calibrate``: fit chosen parameters to an observed funnel (ABC-SMC), resumable.

Every input is checked before anything is written (one line, exit 2). pyabc's
database lives in ``OUT/abc/``, so Ctrl-C keeps every finished generation and the
same command continues from there; the tables, figures, ``calibrated.yaml`` and the
report are written at the end, each whole.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import math
import sys
from pathlib import Path

from sim.cli.estimates import announce, check_cost, largest_market
from sim.cli.flags import (
    check_run_args,
    from_flag,
    load,
    many_runs_flags,
    on_engine,
    shaping_options,
)
from sim.cli.resumable import check_settings, kept_on_stop, record_settings
from sim.scenario.errors import InputError
from sim.scenario.loading import load_scenario

KIND = "calibrate"
STORE = "abc"
STORE_FILES = r"abc\.db(-journal)?|settings\.json"
"""pyabc's database and the settings it was made with, in ``OUT/abc/``."""


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``calibrate`` command."""
    parser = commands.add_parser(
        "calibrate",
        parents=many_runs_flags("results/calibrate-<scenario>/", "seed of the sampler (default 0)"),
        help="fit parameters to your observed funnel (ABC-SMC with pyabc)",
        description="Simulation-based inference of the --param values consistent with the "
        "figures in --targets (a YAML file: period_days, targets with value and sd, in CRM "
        "words, mql.<source> for MQLs by original lead source, or as KPIs, optionally a "
        "weekly series from a CSV). A pilot of a few simulations first estimates the time; "
        "a line on stderr then follows every simulation. Priors are uniform on "
        "LOW:HIGH, or log-uniform with LOW:HIGH:log. Writes posterior.parquet/.csv, "
        "summary.csv (median and 90% credible interval per parameter), check.csv and "
        "check.png (posterior predictive check), posterior.png, generations.csv, "
        "calibrated.yaml (FILE's own scenario with the posterior medians, without the "
        "--set overrides unless --keep-set) and report.html to --out. pyabc's database is "
        "kept in OUT/abc/: "
        "after Ctrl-C the same command continues.",
    )
    parser.add_argument("file", type=Path, metavar="FILE")
    parser.add_argument("--targets", type=Path, required=True, metavar="TARGETS.yaml")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=LOW:HIGH[:log]",
        help="a calibrated field and its prior range (repeatable)",
    )
    parser.add_argument(
        "--simulations", type=int, default=4000, metavar="N",
        help="simulation budget, checked between generations (default 4000)",
    )  # fmt: skip
    parser.add_argument(
        "--population", type=int, default=100, metavar="N",
        help="particles per generation (default 100)",
    )  # fmt: skip
    parser.add_argument(
        "--replications", type=int, default=1, metavar="R",
        help="runs per particle, their mean compared with the targets (default 1)",
    )  # fmt: skip
    parser.add_argument(
        "--minutes", type=float, default=None, metavar="M",
        help="wall-clock budget in minutes, the pilot included: once it has run out and a "
        "generation has finished, the run ends (the generation then running is dropped); "
        "one that ends before temperature 1 continues with the same command",
    )  # fmt: skip
    parser.add_argument(
        "--keep-set", action="store_true",
        help="write calibrated.yaml with the --set overrides used for the fit (default: "
        "FILE's own scenario with the posterior medians)",
    )  # fmt: skip
    parser.add_argument(
        "--fresh", action="store_true",
        help="discard a database in --out made with other settings instead of refusing it",
    )  # fmt: skip
    parser.set_defaults(handler=_calibrate)


def parse_prior(text: str) -> tuple[str, tuple]:
    """``KEY=LOW:HIGH`` (uniform) or ``KEY=LOW:HIGH:log`` (log-uniform)."""
    from sim.cli.experiments import parse_param

    log = text.rstrip().endswith(":log")
    key, (low, high) = parse_param(text.rstrip().removesuffix(":log") if log else text)
    if log and low <= 0:
        raise InputError(f"--param {text}: a log prior needs LOW > 0")
    return key, (low, high, "log" if log else "uniform")


def _calibrate(args: argparse.Namespace) -> int:
    check_run_args(args)
    for name in ("simulations", "population"):
        if getattr(args, name) < 1:
            raise InputError(f"--{name}: must be >= 1; got {getattr(args, name)}")
    if args.minutes is not None and not (math.isfinite(args.minutes) and args.minutes > 0):
        raise InputError(f"--minutes: must be a number > 0; got {args.minutes:g}")
    if not args.param:
        raise InputError("--param: give at least one KEY=LOW:HIGH")
    params = dict(parse_prior(text) for text in args.param)
    if len(params) < len(args.param):
        raise InputError("--param: a field is given twice")
    base = load(args.file, args)
    own = load_scenario(args.file, root=args.scenario_root) if args.set else base

    from sim.analysis.folder_lock import claim_output_folder
    from sim.analysis.folders import add_entry, open_folder, register_owned
    from sim.analysis.provenance import Provenance
    from sim.experiments.calibrate import calibrate, priors, with_medians
    from sim.experiments.targets import load_targets
    from sim.outputs.calibration import summary_text, write_calibration

    targets = load_targets(args.targets, base)
    with from_flag("--param"):
        priors(base, params, str(args.file))
    if importlib.util.find_spec("pyabc") is None:
        raise InputError("calibrate needs pyabc: pip install '.[calibrate]'")
    if importlib.util.find_spec("pyarrow") is None:
        raise InputError("writing Parquet needs pyarrow: pip install '.[experiments]'")
    runs = args.simulations * args.replications
    cost = check_cost(args, [largest_market(base, params, runs)])
    out = args.out or Path("results") / f"calibrate-{base.name}"
    settings = _settings(args, base, targets)
    claim_output_folder(out, KIND, [args.file, args.targets, args.scenario_root])
    check_settings(out / STORE, "abc.db", settings, args.fresh, "a calibration",
                   "scenario, targets, params, population or replications")  # fmt: skip
    open_folder(out, KIND)
    register_owned(out, STORE, STORE_FILES)
    record_settings(out / STORE, settings)
    announce(cost, args)
    if not args.quiet:
        print(
            f"calibrate {base.name}: {len(params)} parameters, {len(targets.statistics())} "
            f"figures, up to {args.simulations} simulations x {args.replications} runs -> {out}",
            file=sys.stderr,
        )
    with kept_on_stop(f"finished generations are kept in {out}/{STORE}/abc.db"):
        result = on_engine(
            args,
            calibrate,
            base,
            targets,
            params,
            args.simulations,
            args.population,
            args.replications,
            store=out / STORE,
            minutes=args.minutes,
        )
    notes = [
        f"targets: {args.targets} ({targets.period_days} days); priors: {', '.join(args.param)}",
        f"{int(result.generations.samples.sum())} simulations in "
        f"{len(result.generations) - 1} finished generation(s) and the prior sample, "
        f"{args.replications} run(s) each; last "
        f"temperature {result.generations.temperature.iloc[-1]:.3g}"
        + ("" if args.minutes is None else f"; wall-clock budget {args.minutes:g} min"),
        *(
            [result.pilot.line(args.simulations, args.simulations, args.minutes)]
            if result.pilot
            else []
        ),  # fmt: skip
        *_set_note(args),
        *result.warnings(),
    ]
    if args.set and not args.keep_set:
        result = dataclasses.replace(result, scenario=with_medians(own, result.summary))
    options = {
        **shaping_options(args),
        "targets": str(args.targets),
        "simulations": args.simulations,
        "population": args.population,
        "minutes": args.minutes,
        "keep_set": args.keep_set,
    }
    provenance = Provenance("calibrate", [base], [args.seed], options)
    write_calibration(out, result, provenance, notes)
    text = Path(args.targets).read_text(encoding="utf-8")
    add_entry(out, "targets.yaml", lambda p: p.write_text(text, encoding="utf-8"))
    print(summary_text(result))
    for line in result.warnings():
        print(f"warning: {line}", file=sys.stderr)
    print(f"\nwrote {out}/calibrated.yaml, summary.csv, posterior.parquet, report.html, ...")
    return 0


def _set_note(args: argparse.Namespace) -> list[str]:
    """Which ``--set`` values the fit used and whether calibrated.yaml keeps them."""
    if not args.set:
        return []
    used = " --set ".join(args.set)
    if args.keep_set:
        return [f"fitted with --set {used}; kept in calibrated.yaml (--keep-set)"]
    return [
        f"fitted with --set {used}; not kept: calibrated.yaml is {args.file}'s own scenario "
        "with the posterior medians (--keep-set keeps them)"
    ]


def _settings(args: argparse.Namespace, base: object, targets: object) -> dict:
    """What the database's particles depend on: a different setting needs a new database."""
    from sim.experiments.store import content_hash

    return {
        "scenario": content_hash(base),
        "targets": Path(args.targets).read_text(encoding="utf-8"),
        "param": sorted(args.param),
        "population": args.population,
        "replications": args.replications,
    }
