"""The parser, and the one place that turns errors into a line and an exit status.

Every command reports bad input as one line naming the file or argument, the
field and the value, exits with status 2 and writes nothing; an internal error
is one line too (exit 1), with the traceback only under ``--debug``.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback

from sim.analysis.folder_lock import release_output_folders
from sim.cli import (
    attribution,
    calibrate,
    compare,
    dashboard,
    optimise,
    rerun,
    scenario_commands,
    sensitivity,
    shipped,
    sweep,
)
from sim.scenario.errors import InputError

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1
EXIT_INTERRUPTED = 130

COMMANDS = (
    scenario_commands.register,
    shipped.register,
    compare.register,
    sweep.register,
    sensitivity.register,
    calibrate.register,
    optimise.register,
    attribution.register,
    rerun.register,
    dashboard.register,
)
"""Each adds its command(s) to the parser."""


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return args.handler(args) or 0
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader went away (e.g. `| head`): nothing left to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - the one place that turns crashes into a line
        if args.debug:
            traceback.print_exc()
        else:
            print(
                f"internal error: {type(exc).__name__}: {exc} (rerun with --debug)", file=sys.stderr
            )
        return EXIT_INTERNAL
    finally:
        release_output_folders()  # the output folders the command claimed


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command registered."""
    parser = argparse.ArgumentParser(
        description="Touchpoint: simulate customer journeys and compare cost of sale.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for register in COMMANDS:
        register(commands)
    return parser
