"""``attribution``: which source really won each customer, and how wrong the usual models are."""

from __future__ import annotations

import argparse
import importlib.util
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

DEFAULT_OUT = Path("results/attribution")


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``attribution`` command."""
    cmd = commands.add_parser(
        "attribution",
        parents=[*many_runs_flags(str(DEFAULT_OUT)), posterior_flag()],
        help="ground truth per source, touch paths, and attribution models scored against it",
        description="Run the scenario, and the same prospects with each source switched off "
        "(each channel, reps, referrals, reviews, care) and each channel at 90% of its budget, "
        "on common random numbers: the true incremental customers and profit per source with "
        "95% CIs. The baseline's touch paths are scored by first/last touch, linear, time "
        "decay, position based, Markov (orders 1-3) and Shapley attribution against that "
        "truth. Writes truth.csv, interaction.json, paths.parquet/.csv, scoreboard.csv, "
        "ranking.csv, mmm.csv/.parquet, figures, report.html and the provenance to --out.",
    )
    cmd.add_argument("file", type=Path, metavar="FILE", help="the scenario to attribute")
    cmd.add_argument("--replications", type=int, default=30, help="runs per variant (default 30)")
    cmd.set_defaults(handler=_attribution)


def _attribution(args: argparse.Namespace) -> int:
    if args.replications < 2:
        raise InputError(
            f"--replications: must be >= 2 for confidence intervals; got {args.replications}"
        )
    check_run_args(args)
    scenario = load(args.file, args)

    from sim.analysis.attribution_models import MODEL_LABELS
    from sim.analysis.folder_lock import claim_output_folder
    from sim.analysis.provenance import Provenance
    from sim.experiments.attribution import ATTRIBUTION_KIND, attribution
    from sim.experiments.specs import replication_seeds
    from sim.experiments.truth import variants
    from sim.experiments.unknowns import uncertainty_notes
    from sim.outputs.attribution import attribution_notes, attribution_text, write_attribution

    if importlib.util.find_spec("pyarrow") is None:
        raise InputError(
            "attribution writes Parquet, which needs pyarrow: pip install '.[attribution]'"
        )
    runs = len(variants(scenario)) * args.replications
    cost = check_cost(args, [runs_of(scenario, runs)], keeps_daily=True)
    out = args.out or DEFAULT_OUT
    claim_output_folder(out, ATTRIBUTION_KIND, [args.file, args.scenario_root])
    announce(cost, args)

    result = on_engine(args, attribution, scenario, args.replications)
    notes = attribution_notes(result, args.replications, args.seed)
    notes += uncertainty_notes(scenario, args.replications)
    notes.append(
        f"Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC from: {args.file}"
        + (f" with --set {' '.join(args.set)}" if args.set else "")
    )
    seeds = replication_seeds(args.seed, args.replications)
    made = Provenance("attribution", [scenario], seeds, shaping_options(args))
    write_attribution(out, result, notes, MODEL_LABELS, made)
    print(attribution_text(result))
    if not args.quiet:
        print(
            f"{args.replications} replications, common random numbers, seed {args.seed}",
            file=sys.stderr,
        )
    print(f"wrote {out}/report.html, truth.csv, scoreboard.csv, paths.parquet, mmm.csv and figures")
    return 0
