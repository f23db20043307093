"""`run.py compare`: strategies side by side on the same prospects, with a report."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from sim.scenario import ScenarioError, load_scenario


def report_kpis() -> tuple[str, ...]:
    """KPIs in the printed table and the report: the headline ones, cost of sale first."""
    from sim.metrics import HEADLINE  # deferred: keeps the command line's start fast

    return ("cost_of_sale", *(k for k in HEADLINE if k != "cost_of_sale"))


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``compare`` command."""
    cmd = commands.add_parser(
        "compare",
        help="compare scenarios over replications, with CIs and a report",
        description="Run two or more scenarios on common random numbers (replication k of "
        "every scenario uses the same seed), print mean and 95% CI of each KPI and the paired "
        "difference to the first (baseline) scenario, and write kpis.csv, summary.csv, figures "
        "and a self-contained report.html to --out.",
    )
    cmd.add_argument("files", nargs="+", type=Path, metavar="FILE", help="baseline first")
    cmd.add_argument("--replications", type=int, default=30, help="runs per scenario (default 30)")
    cmd.add_argument("--seed", type=int, default=0, help="master seed (default 0)")
    cmd.add_argument(
        "--workers", type=int, default=None, help="local processes (default: the cores)"
    )
    cmd.add_argument(
        "--dask", metavar="ADDRESS", help="run on a Dask cluster: tcp://host:8786, or 'local'"
    )
    cmd.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a field in every scenario (repeatable)",
    )
    cmd.add_argument(
        "--out",
        type=Path,
        default=Path("results/compare"),
        help="output folder (default results/compare)",
    )
    cmd.add_argument("--quiet", action="store_true", help="no progress bar")
    cmd.set_defaults(handler=_compare)


def _compare(args: argparse.Namespace) -> int:
    from sim.cli import UsageError, check_output_folder
    from sim.experiment_cli import check_run_args, cluster

    if len(args.files) < 2:
        raise UsageError("compare: give at least two scenario files")
    if args.replications < 2:
        raise UsageError(
            f"--replications: must be >= 2 for confidence intervals; got {args.replications}"
        )
    check_run_args(args)
    scenarios = [load_scenario(path, args.set) for path in args.files]
    names = [s.name for s in scenarios]
    for path, name in zip(args.files, names, strict=True):
        if names.count(name) > 1:
            raise ScenarioError(f"{path}: name: '{name}' is used by another compared scenario")
    check_output_folder(args.out)

    from sim import experiment

    with cluster(args) as executor:
        result = experiment.compare(
            scenarios,
            args.replications,
            args.seed,
            executor=executor,
            workers=args.workers,
            progress=not args.quiet,
        )
    summary = result.summary()
    write_comparison(result, summary, args)
    from sim.report import comparison_text

    print(comparison_text(summary, report_kpis()))
    print(
        f"\n{args.replications} replications per scenario, common random numbers, seed {args.seed}; "
        "'clear' = the paired 95% CI of the difference excludes 0."
    )
    print(f"wrote {args.out}/report.html, kpis.csv, summary.csv and figures")
    return 0


def write_comparison(result: object, summary: object, args: argparse.Namespace) -> None:
    """Write tables, figures and report.html to ``args.out``, all or nothing."""
    from sim import report
    from sim.results import atomic_dir

    figures = {
        "cost of sale (95% CI)": report.kpi_ci_figure(
            summary, "cost_of_sale", "cost of sale (currency per new customer)"
        ),
        "funnel by stage": report.funnel_figure(result.kpis),
        "cumulative customers": report.cumulative_customers_figure(result.daily),
        "spend breakdown": report.spend_figure(result.daily),
    }
    notes = [
        f"Scenarios: {', '.join(result.scenarios)} (baseline: {result.scenarios[0]}).",
        f"{args.replications} replications each on common random numbers (master seed {args.seed}): "
        "replication k of every scenario meets the same prospects.",
        "Confidence intervals: Student t over replications. Differences: paired t-test on the "
        "per-replication differences; 'clear' when the 95% CI of the difference excludes 0.",
        "cost of sale = (marketing spend + sales cost + referral rewards) / new customers.",
        f"Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC from: {' '.join(str(f) for f in args.files)}"
        + (f" with --set {' '.join(args.set)}" if args.set else ""),
    ]
    page = report.html_report(
        "Touchpoint strategy comparison", summary, figures, notes, report_kpis()
    )
    with atomic_dir(args.out) as tmp:
        result.kpis.to_csv(tmp / "kpis.csv", index=False)
        summary.to_csv(tmp / "summary.csv", index=False)
        for stem, fig in zip(
            ("cost_of_sale", "funnel", "cumulative_customers", "spend"),
            figures.values(),
            strict=True,
        ):
            report.save_figure(fig, tmp, stem)
        (tmp / "report.html").write_text(page, encoding="utf-8")
