"""``compare``: strategies side by side on the same prospects, with a report."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from sim.cli.estimates import announce, check_cost, runs_of
from sim.cli.flags import (
    check_run_args,
    load,
    many_runs_flags,
    on_engine,
    posterior_flag,
    shaping_options,
)
from sim.scenario.errors import InputError

DEFAULT_OUT = Path("results/compare")
ANSWER_KPI = "customers"
"""What an executive asks first: how many more customers."""


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``compare`` command."""
    cmd = commands.add_parser(
        "compare",
        parents=[*many_runs_flags(str(DEFAULT_OUT)), posterior_flag()],
        help="compare scenarios over replications, with CIs and a report",
        description="Run two or more scenarios on common random numbers (replication k of "
        "every scenario uses the same seed), print mean and 95% CI of each KPI and the paired "
        "difference to the first (baseline) scenario and the cost of each extra customer, and "
        "write kpis.csv, summary.csv, extra.csv, figures, report.html and the provenance "
        "(scenarios as run, seeds, versions) to --out.",
    )
    cmd.add_argument("files", nargs="+", type=Path, metavar="FILE", help="baseline first")
    cmd.add_argument("--replications", type=int, default=30, help="runs per scenario (default 30)")
    cmd.add_argument(
        "--answer",
        default=ANSWER_KPI,
        metavar="KPI",
        help=f"the KPI the plain answer opens with (default {ANSWER_KPI})",
    )
    cmd.set_defaults(handler=_compare)


def _compare(args: argparse.Namespace) -> int:
    if len(args.files) < 2:
        raise InputError("compare: give at least two scenario files")
    if args.replications < 2:
        raise InputError(
            f"--replications: must be >= 2 for confidence intervals; got {args.replications}"
        )
    check_run_args(args)
    scenarios = [load(path, args) for path in args.files]
    names = [s.name for s in scenarios]
    for path, name in zip(args.files, names, strict=True):
        if names.count(name) > 1:
            raise InputError(f"{path}: name: '{name}' is used by another compared scenario")
    from sim.analysis.kpis import scenario_kpis

    if args.answer not in scenario_kpis(scenarios[0]):
        raise InputError(f"--answer: not a KPI these scenarios report; got {args.answer!r}")
    groups = [runs_of(s, args.replications) for s in scenarios]
    cost = check_cost(args, groups, keeps_daily=True)

    from sim.analysis.folder_lock import claim_output_folder
    from sim.analysis.provenance import Provenance
    from sim.experiments.compare import compare
    from sim.experiments.specs import replication_seeds
    from sim.experiments.unknowns import uncertainty_notes
    from sim.outputs.decision import answer_text
    from sim.outputs.tables import comparison_text, extra_text
    from sim.outputs.writers import COMPARE_KIND, METHOD_NOTES, report_kpis, write_comparison

    out = args.out or DEFAULT_OUT
    claim_output_folder(out, COMPARE_KIND, [*args.files, args.scenario_root])
    announce(cost, args)

    result = on_engine(args, compare, scenarios, args.replications)
    summary = result.summary()
    notes = [
        f"Scenarios: {', '.join(result.scenarios)} (baseline: {result.scenarios[0]}).",
        f"{args.replications} replications each on common random numbers (master seed "
        f"{args.seed}): replication k of every scenario meets the same prospects.",
        *uncertainty_notes(scenarios[0], args.replications),
        *METHOD_NOTES,
        f"Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC from: "
        + " ".join(str(f) for f in args.files)
        + (f" with --set {' '.join(args.set)}" if args.set else ""),
    ]
    warnings = result.warnings()
    notes += [f"Warning: {w}" for w in warnings]
    seeds = replication_seeds(args.seed, args.replications)
    made = Provenance("compare", scenarios, seeds, shaping_options(args))
    extra = result.extra_customers()
    answer = result.answer(args.answer)
    write_comparison(out, result, summary, notes, report_kpis(), made, extra, answer)
    print(answer_text(answer) + "\n")
    print(comparison_text(summary, report_kpis()))
    print(f"\nagainst the baseline ({result.scenarios[0]}), paired by replication:")
    print(extra_text(extra))
    print(
        f"\n{args.replications} replications per scenario, common random numbers, seed "
        f"{args.seed}; 'clear' = the paired 95% CI of the difference excludes 0."
    )
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"wrote {out}/report.html, kpis.csv, summary.csv, decision.csv, extra.csv and figures")
    return 0
