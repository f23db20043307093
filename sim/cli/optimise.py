"""``optimise``: the best plan for a monthly budget, searched on the simulation, resumable.

Every input is checked before anything is written or run (one line, exit 2).
optuna's study lives in ``OUT/optuna/`` and every finished run in ``OUT/runs/``, so
Ctrl-C keeps the plans tried and the same command continues; the tables, figures,
``best.yaml`` and the report are written at the end, each whole.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
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
from sim.cli.resumable import check_settings, kept_on_stop, record_settings
from sim.scenario.errors import InputError

KIND = "optimise"


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``optimise`` command."""
    parser = commands.add_parser(
        "optimise",
        parents=[
            *many_runs_flags(
                "results/optimise-<scenario>/",
                "seed of the replications and the search (default 0)",
            ),
            posterior_flag(),
        ],
        help="find the best plan for a budget (optuna's TPE on the simulation)",
        description="Search --lever values for the plan with the best --objective at one "
        "monthly --budget (channel budgets + rep payroll). A lever is a channel budget "
        "(channels.NAME.budget: a share of what the payroll and the other channels leave) "
        "or KEY=LOW:HIGH[:log] for any number field (whole where the field is). Every plan "
        "runs on the same --replications seeds; the best --confirm plans are run again on "
        "fresh seeds beside the start and any --against scenarios. Writes best.yaml, "
        "trials.parquet/.csv, verdict.csv, convergence.png, pareto.png (two objectives), "
        "importance.png and report.html to --out; after Ctrl-C the same command continues.",
    )
    parser.add_argument("file", type=Path, metavar="FILE")
    parser.add_argument(
        "--budget",
        type=float,
        metavar="MONEY",
        help="monthly budget, channels + rep payroll (default: the scenario's)",
    )
    parser.add_argument(
        "--lever",
        action="append",
        default=[],
        metavar="channels.NAME.budget | KEY=LOW:HIGH[:log]",
        help="what the search may change (repeatable)",
    )
    parser.add_argument(
        "--objective",
        action="append",
        default=[],
        metavar="KPI",
        help="a KPI to improve in its natural direction (cost_of_sale: lower; "
        "customers, lifetime_profit: higher); twice for a Pareto front "
        "(default cost_of_sale)",
    )
    parser.add_argument(
        "--constraint",
        action="append",
        default=[],
        metavar="KPI<=VALUE",
        help="a bound a plan's mean must keep, KPI<=VALUE or KPI>=VALUE",
    )
    parser.add_argument(
        "--trials", type=int, default=200, metavar="N", help="plans to try (default 200)"
    )
    parser.add_argument(
        "--replications",
        type=int,
        default=10,
        metavar="R",
        help="runs per plan, the same seeds for every plan (default 10)",
    )
    parser.add_argument(
        "--confirm",
        type=int,
        default=3,
        metavar="K",
        help="best plans run again on fresh seeds (default 3)",
    )
    parser.add_argument(
        "--confirm-replications", type=int, default=30, metavar="R", help="their runs (default 30)"
    )
    parser.add_argument(
        "--against",
        type=Path,
        nargs="+",
        default=[],
        metavar="FILE",
        help="rival scenarios for the confirmation, e.g. scenarios/*.yaml",
    )
    parser.add_argument(
        "--quantile",
        type=float,
        default=None,
        metavar="Q",
        help="judge plans by a plausible worst case, the objective's value a share 1-Q of the "
        "runs do better than (0.1: the worst decile), instead of the mean: robust "
        "optimisation over uncertain inputs or a --posterior, every plan on the same draws",
    )
    parser.add_argument(
        "--fresh", action="store_true", help="discard a study in --out made with other settings"
    )
    parser.set_defaults(handler=_optimise)  # fmt: skip


def _optimise(args: argparse.Namespace) -> int:
    check_run_args(args)
    for name in ("trials", "confirm", "confirm_replications"):
        if getattr(args, name) < 1:
            flag = name.replace("_", "-")
            raise InputError(f"--{flag}: must be >= 1; got {getattr(args, name)}")
    base = load(args.file, args)

    from sim.analysis.folder_lock import claim_output_folder
    from sim.analysis.folders import open_folder, register_owned
    from sim.analysis.provenance import Provenance
    from sim.experiments import goals
    from sim.experiments.optimise import UndefinedObjectiveError, optimise
    from sim.experiments.plans import make_plans
    from sim.experiments.search import STUDY, STUDY_FILES
    from sim.outputs.optimisation import verdict_text, write_optimisation, write_trials

    plans = make_plans(base, args.lever, args.budget, "--lever", "--budget")
    aims = goals.objectives(base, args.objective, args.quantile)
    goals.constraints(base, args.constraint)
    rivals = [load(path, args) for path in args.against]
    names = [base.name, *(r.name for r in rivals)]
    if len(set(names)) != len(names):
        raise InputError(f"--against: scenario names must differ from each other; got {names}")
    for extra in ("optuna", "pyarrow"):
        if importlib.util.find_spec(extra) is None:
            raise InputError(f"optimise needs {extra}: pip install '.[optimise]'")
    confirmed = (args.confirm + 1) * args.confirm_replications  # the best plans and the start
    searched = [runs_of(base, args.trials * args.replications + confirmed)]
    cost = check_cost(args, searched + [runs_of(r, args.confirm_replications) for r in rivals])
    out = args.out or Path("results") / f"optimise-{base.name}"
    settings = _settings(args, base, plans.budget)
    claim_output_folder(out, KIND, [args.file, *args.against, args.scenario_root])
    made_of = "scenario, budget, levers, objectives, constraints, replications or seed"
    check_settings(out / STUDY, "study.db", settings, args.fresh, "a search", made_of)
    open_folder(out, KIND)
    register_owned(out, STUDY, STUDY_FILES)
    record_settings(out / STUDY, settings)
    announce(cost, args)
    if not args.quiet:
        print(
            f"optimise {base.name}: {len(plans.levers)} levers at {plans.budget:,.0f} a month, "
            f"{' and '.join(f'{a.direction} {a.kpi}' for a in aims)}; {args.trials} plans x "
            f"{args.replications} runs -> {out}",
            file=sys.stderr,
        )
    options = {
        **shaping_options(args),
        "budget": plans.budget,
        "lever": args.lever,
        "objective": args.objective,
        "constraint": args.constraint,
        "trials": args.trials,
        "confirm": args.confirm,
        "confirm-replications": args.confirm_replications,
        **({"quantile": args.quantile} if args.quantile is not None else {}),
    }
    provenance = Provenance("optimise", [base, *rivals], [args.seed], options)
    with kept_on_stop(f"the plans tried are kept in {out}/optuna and {out}/runs"):
        try:
            result = on_engine(
                args, optimise, base, args.lever, plans.budget, args.objective,
                args.constraint, args.trials, args.replications, confirm=args.confirm,
                confirm_replications=args.confirm_replications, against=rivals, store=out,
                fresh=args.fresh, quantile=args.quantile,
            )  # fmt: skip
        except UndefinedObjectiveError as exc:  # a finding: the plans tried are kept
            write_trials(out, exc.trials, provenance)
            raise InputError(f"{exc}; the plans tried are in {out}/trials.csv") from None
    from sim.experiments.unknowns import uncertainty_notes

    judged = [] if args.quantile is None else [
        f"plans judged by the {aims[0].measure} of {aims[0].kpi} over their runs, not the mean"
    ]  # fmt: skip
    notes = [
        f"{len(result.trials)} plans x {args.replications} runs (the same seeds for every plan); "
        f"the best {args.confirm} run again {args.confirm_replications} times on fresh seeds",
        *uncertainty_notes(base, args.replications),
        *judged,
        *result.warnings(),
    ]
    write_optimisation(out, result, provenance, notes)
    print(verdict_text(result))
    for line in result.warnings():
        print(f"warning: {line}", file=sys.stderr)
    print(f"\nwrote {out}/best.yaml, trials.parquet, verdict.csv, report.html, ...")
    return 0


def _settings(args: argparse.Namespace, base: object, budget: float) -> dict:
    """What the study's plans depend on: a different setting needs a new study."""
    from sim.experiments.store import content_hash

    return {
        "scenario": content_hash(base),
        "budget": budget,
        "lever": args.lever,
        "objective": args.objective,
        "constraint": args.constraint,
        "replications": args.replications,
        "seed": args.seed,
        **({"quantile": args.quantile} if args.quantile is not None else {}),
    }
