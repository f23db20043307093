"""The commands behind ``run.py``: validate, run, schema, and the rest.

Every command reports bad input as one line naming the file, the field and the
value, exits with status 2 and writes nothing; an internal error is one line
too (exit 1), with the traceback only under ``--debug``.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from sim import bench, compare_cli, dashboard_cli
from sim.experiment_cli import add_sensitivity, add_sweep
from sim.scenario import ScenarioError, json_schema, load_scenario

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1


class UsageError(ScenarioError):
    """Bad command-line input (exit 2), e.g. an output folder that cannot be used."""


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return args.handler(args) or 0
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the one place that turns crashes into a line
        if args.debug:
            traceback.print_exc()
        else:
            print(
                f"internal error: {type(exc).__name__}: {exc} (rerun with --debug)", file=sys.stderr
            )
        return EXIT_INTERNAL


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command registered."""
    parser = argparse.ArgumentParser(
        prog="run.py",
        description="Touchpoint: simulate customer journeys and compare cost of sale.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for register in COMMANDS:
        register(commands)
    return parser


def _add_validate(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser(
        "validate",
        help="check scenario files",
        description="Check scenario files; print 'ok FILE' for each.",
    )
    cmd.add_argument("files", nargs="+", type=Path, metavar="FILE")
    cmd.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a field (dotted path)",
    )
    cmd.set_defaults(handler=_validate)


def _validate(args: argparse.Namespace) -> int:
    failed = 0
    for path in args.files:
        try:
            load_scenario(path, args.set)
            print(f"ok {path}")
        except ScenarioError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed += 1
    return EXIT_BAD_INPUT if failed else 0


def _add_run(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser(
        "run",
        help="run one scenario and print its KPIs",
        description="Run one scenario once; print its KPI table and write summary.json, "
        "daily.csv and ledger.csv to --out (default results/<scenario>-<seed>/).",
    )
    cmd.add_argument("file", type=Path, metavar="FILE")
    cmd.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    cmd.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a field, e.g. population.size=20000 (repeatable)",
    )
    cmd.add_argument("--out", type=Path, help="output folder")
    cmd.add_argument("--quiet", action="store_true", help="no progress bar")
    cmd.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    if args.seed < 0:
        raise UsageError(f"--seed: must be >= 0; got {args.seed}")
    scenario = load_scenario(args.file, args.set)
    out = args.out or Path("results") / f"{scenario.name}-{args.seed}"
    check_output_folder(out)
    from sim.report import kpi_table
    from sim.results import simulate

    result = simulate(scenario, args.seed, progress=not args.quiet)
    result.save(out)
    print(kpi_table(result.kpis, title=f"{scenario.name} (seed {args.seed})"))
    print(f"\nwrote {out}/summary.json, daily.csv, ledger.csv")
    return 0


def check_output_folder(out: Path) -> None:
    """Refuse an output path that is a file or sits under one, before any work."""
    for part in (out, *out.parents):
        if part.exists() and not part.is_dir():
            raise UsageError(f"--out {out}: {part} exists and is not a folder")


def _add_schema(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser(
        "schema",
        help="print the scenario JSON Schema",
        description="Print the JSON Schema of scenario files (for editor autocompletion).",
    )
    cmd.set_defaults(handler=_schema)


def _schema(args: argparse.Namespace) -> int:
    print(json.dumps(json_schema(), indent=2))
    return 0


COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    _add_validate,
    _add_run,
    _add_schema,
    compare_cli.register,
    add_sweep,
    add_sensitivity,
    dashboard_cli.register,
    bench.register,
]
"""Each registers one command; later modules add theirs here."""
