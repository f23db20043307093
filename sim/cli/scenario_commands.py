"""``validate``, ``run`` and ``schema``: one scenario file at a time."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sim.cli.estimates import announce, check_cost, runs_of
from sim.cli.flags import force_flag, load, output_flags, scenario_flags, seed_flag
from sim.scenario.errors import InputError
from sim.scenario.schema import json_schema


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``validate``, ``run`` and ``schema``."""
    validate = commands.add_parser(
        "validate",
        parents=[scenario_flags()],
        help="check scenario files",
        description="Check scenario files; print 'ok FILE' for each.",
    )
    validate.add_argument("files", nargs="+", type=Path, metavar="FILE")
    validate.set_defaults(handler=_validate)

    run = commands.add_parser(
        "run",
        parents=[
            scenario_flags(),
            seed_flag("random seed (default 0)"),
            output_flags("results/<scenario>-<seed>/"),
            force_flag(),
        ],
        help="run one scenario and print its KPIs",
        description="Run one scenario once; print its KPI table and write summary.json, "
        "daily.csv, monthly.csv, cohorts.csv and ledger.csv to --out.",
    )
    run.add_argument("file", type=Path, metavar="FILE")
    run.set_defaults(handler=_run)

    schema = commands.add_parser(
        "schema",
        help="print the scenario (or targets) JSON Schema",
        description="Print the JSON Schema of scenario files, for editors to check a scenario "
        "as it is typed; with --targets, that of calibration targets files.",
    )
    schema.add_argument(
        "--targets", action="store_true", help="the schema of a targets file (calibrate)"
    )
    schema.set_defaults(handler=_schema)


def _validate(args: argparse.Namespace) -> int:
    failed = 0
    for path in args.files:
        try:
            load(path, args)
            print(f"ok {path}")
        except InputError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed += 1
    return 2 if failed else 0


def _run(args: argparse.Namespace) -> int:
    if args.seed < 0:
        raise InputError(f"--seed: must be >= 0; got {args.seed}")
    scenario = load(args.file, args)
    cost = check_cost(args, [runs_of(scenario, 1)])

    from sim.analysis.folder_lock import claim_output_folder
    from sim.analysis.results import RUN_KIND, simulate
    from sim.outputs.tables import kpi_table

    out = args.out or Path("results") / f"{scenario.name}-{args.seed}"
    claim_output_folder(out, RUN_KIND, [args.file, args.scenario_root])
    announce(cost, args)
    result = simulate(scenario, args.seed, progress=not args.quiet)
    result.save(out)
    title = f"{scenario.name} (seed {args.seed})"
    print(kpi_table(result.kpis, title, undefined=result.undefined))
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(
        f"\nwrote {out}/summary.json, daily.csv, monthly.csv, cohorts.csv, ledger.csv, "
        "provenance.json, scenarios/"
    )
    return 0


def _schema(args: argparse.Namespace) -> int:
    if args.targets:
        from sim.experiments.targets import TargetsFile

        print(json.dumps(TargetsFile.model_json_schema(), indent=2))
        return 0
    print(json.dumps(json_schema(), indent=2))
    return 0
