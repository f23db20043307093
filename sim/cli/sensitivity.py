"""``sensitivity``: Sobol or Morris indices of every KPI over --param ranges, resumable.

Every input is checked before any run starts; finished runs are kept in ``OUT/runs/``
and skipped when the same command is run again (see :mod:`sim.cli.experiments`).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

from sim.cli.estimates import announce, check_cost, largest_market
from sim.cli.experiments import (
    check_kpis,
    need_pyarrow,
    parents,
    parse_param,
    provenance,
    saved_on_stop,
    unique,
)
from sim.cli.flags import check_run_args, from_flag, in_flag_words, load, on_engine
from sim.scenario.errors import InputError


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``sensitivity`` command."""
    sensitivity = commands.add_parser(
        "sensitivity",
        parents=parents("results/sensitivity-<scenario>-<method>/"),
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


def _sensitivity(args: argparse.Namespace) -> int:
    check_run_args(args)
    if not args.param:
        raise InputError("--param: give at least one KEY=LOW:HIGH")
    params = unique([parse_param(text) for text in args.param], "--param")
    base = load(args.file, args)

    from sim.analysis.folder_lock import claim_output_folder
    from sim.experiments import salib
    from sim.experiments.sensitivity import SENSITIVITY_KIND, parameter_bounds, run_sensitivity
    from sim.experiments.store import RunStore, content_hash

    why = salib.check_samples(args.method, args.samples)
    if why:
        raise InputError(f"--samples {args.samples}: {why}")
    with from_flag("--param"):
        parameter_bounds(base, params, str(args.file))
    kpis = check_kpis(base, args.kpi)
    out = args.out or Path("results") / f"sensitivity-{base.name}-{args.method}"
    need_pyarrow()
    if importlib.util.find_spec("SALib") is None:
        raise InputError("sensitivity needs SALib: pip install '.[experiments]'")
    samples = salib.run_count(args.method, args.samples, len(params))
    cost = check_cost(args, [largest_market(base, params, samples * args.replications)])
    claim_output_folder(out, SENSITIVITY_KIND, [args.file, args.scenario_root])
    with in_flag_words("(fresh=True)", "(--fresh)"):
        RunStore(out, SENSITIVITY_KIND).check(content_hash(base), fresh=args.fresh)
    announce(cost, args)
    if not args.quiet:
        print(
            f"sensitivity {base.name} ({args.method}): {len(params)} parameters, "
            f"{samples} samples x {args.replications} replications -> {out}",
            file=sys.stderr,
        )
    with saved_on_stop(out):
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

    from sim.outputs.tables import indices_text
    from sim.outputs.writers import write_sensitivity

    write_sensitivity(out, result, kpis, provenance("sensitivity", base, args))
    print(indices_text(result.indices, kpis))
    for line in result.warnings(kpis):
        print(f"warning: {line}", file=sys.stderr)
    print(
        f"\nwrote {out}/indices.csv, indices.parquet, runs.csv, runs.parquet, sensitivity.png "
        f"({len(result.runs)} runs; store {out}/runs/)"
    )
    return 0
