"""``bench``: the benchmark, which lives in the repository's ``benchmarks/`` folder.

The benchmark and its naive Mesa yardstick are not part of the installed package;
this command runs them from a clone (``python run.py bench``).
"""

from __future__ import annotations

import argparse
import importlib

from sim.scenario.errors import InputError


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``bench`` command (its own arguments: ``bench --help``)."""
    cmd = commands.add_parser(
        "bench",
        add_help=False,
        help="measure speed against naive Mesa and at 10k-1M prospects (from a clone)",
    )
    cmd.set_defaults(handler=_bench, passes_arguments_on=True)


def _bench(args: argparse.Namespace) -> int:
    try:
        bench = importlib.import_module("benchmarks.bench")
    except ImportError:
        raise InputError(
            "bench: the benchmark is in the repository's benchmarks/ folder; run it from a "
            "clone: python run.py bench"
        ) from None
    return bench.main(args.rest)
