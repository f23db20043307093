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
from sim.scenario.vocabulary import LIFT_HOLDOUT_SHARE

DEFAULT_OUT = Path("results/attribution")


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``attribution`` command."""
    cmd = commands.add_parser(
        "attribution",
        parents=[*many_runs_flags(str(DEFAULT_OUT)), posterior_flag()],
        help="Shapley ground truth per channel, response curves, lift tests, MMM exports, "
        "and attribution models scored against the truth",
        description="Run every coalition of the players (the paid channels, or --players) on "
        "common random numbers: each player's Shapley value with its 95%% CI, beside its "
        "removal and add-one effects; the other sources (reps, referrals, reviews, care) by "
        "removal, not scored. Also each paid player's response curve (0 to 2 times its "
        "budget: true and marginal ROAS), a randomised lift test per channel (and a geo "
        "holdout with 4+ regions), and the baseline's touch paths scored by first/last touch, "
        "linear, time decay, position based, Markov (orders 1-3) and Shapley attribution. "
        "Several files are several regions of one market (the geos of the MMM exports). "
        "Writes truth.csv, others.csv, curves.csv, lifts.csv, lift_tests.csv, scoreboard.csv, "
        "ranking.csv, paths, the MMM frame and its pymc-marketing/Meridian/Robyn exports, "
        "figures, report.html and the provenance to --out.",
    )
    cmd.add_argument(
        "files", nargs="+", type=Path, metavar="FILE",
        help="the scenario to attribute; several: the regions of one market",
    )  # fmt: skip
    cmd.add_argument("--replications", type=int, default=30, help="runs per variant (default 30)")
    cmd.add_argument(
        "--players", metavar="A,B,...",
        help="the sources the Shapley values split the credit between, comma-separated "
        "(channels, rep, referral, reviews, care; default: the paid channels)",
    )  # fmt: skip
    cmd.add_argument(
        "--holdout-share", type=float, default=LIFT_HOLDOUT_SHARE, metavar="S",
        help="share of the market each channel's lift test holds out "
        f"(default {LIFT_HOLDOUT_SHARE}; 0: no lift tests)",
    )  # fmt: skip
    cmd.set_defaults(handler=_attribution)


def _attribution(args: argparse.Namespace) -> int:
    if args.replications < 2:
        raise InputError(
            f"--replications: must be >= 2 for confidence intervals; got {args.replications}"
        )
    if not 0 <= args.holdout_share < 1:
        raise InputError(f"--holdout-share: must be in [0, 1); got {args.holdout_share}")
    check_run_args(args)
    scenarios = [load(path, args) for path in args.files]
    players = None
    if args.players is not None:
        players = [p.strip() for p in args.players.split(",") if p.strip()]

    from sim.analysis.attribution_models import MODEL_LABELS
    from sim.analysis.folder_lock import claim_output_folder
    from sim.analysis.provenance import Provenance
    from sim.experiments.attribution import ATTRIBUTION_KIND, attribution, planned_runs
    from sim.experiments.specs import replication_seeds
    from sim.experiments.unknowns import uncertainty_notes
    from sim.outputs.attribution import attribution_notes, attribution_text, write_attribution
    from sim.outputs.mmm_exports import mmm_warnings

    if importlib.util.find_spec("pyarrow") is None:
        raise InputError(
            "attribution writes Parquet, which needs pyarrow: pip install '.[attribution]'"
        )
    counts = planned_runs(scenarios, args.replications, players, args.holdout_share)
    groups = [runs_of(s, n) for s, n in zip(scenarios, counts, strict=True)]
    cost = check_cost(args, groups, keeps_daily=True)
    out = args.out or DEFAULT_OUT
    claim_output_folder(out, ATTRIBUTION_KIND, [*args.files, args.scenario_root])
    announce(cost, args)

    result = on_engine(
        args, attribution, scenarios, args.replications,
        players=players, holdout_share=args.holdout_share,
    )  # fmt: skip
    notes = attribution_notes(result, args.replications, args.seed)
    notes += uncertainty_notes(scenarios[0], args.replications)
    notes.append(
        f"Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC from: "
        + " ".join(str(f) for f in args.files)
        + (f" with --set {' '.join(args.set)}" if args.set else "")
    )
    seeds = replication_seeds(args.seed, args.replications)
    options = shaping_options(args) | {"holdout-share": args.holdout_share}
    if players is not None:
        options["players"] = ",".join(players)
    made = Provenance("attribution", scenarios, seeds, options)
    write_attribution(out, result, notes, MODEL_LABELS, made)
    print(attribution_text(result))
    for line in mmm_warnings(result):
        print(f"warning: {line}")
    if not args.quiet:
        print(
            f"{args.replications} replications, common random numbers, seed {args.seed}",
            file=sys.stderr,
        )
    print(f"wrote {out}/report.html, truth.csv, curves.csv, lifts.csv, scoreboard.csv, MMM exports")
    return 0
