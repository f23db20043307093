"""``rerun``: reproduce an output folder from what it recorded about itself.

Every command's folder holds ``provenance.json`` and the scenarios as they were run
(:mod:`sim.analysis.provenance`). ``rerun DIR`` runs the same command on those files
with the same options into a new folder, then says whether the numbers match.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pandas as pd

from sim.cli.flags import engine_flags
from sim.scenario.errors import InputError

RESULTS = {
    "run": "summary.json",
    "compare": "kpis.csv",
    "sweep": "sweep.csv",
    "sensitivity": "indices.csv",
    "optimise": "trials.csv",
    "attribution": "truth.csv",
}
"""The file holding each command's numbers, compared after a rerun."""


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``rerun`` command."""
    cmd = commands.add_parser(
        "rerun",
        parents=[engine_flags()],
        help="reproduce an output folder from its provenance",
        description="Run the command that wrote DIR again, on the scenarios exactly as they "
        "were run (DIR/scenarios/) with the same seeds and options, into --out (default "
        "DIR-rerun), and say whether its numbers match DIR's. Exit status 0 when they do, "
        "3 when they differ.",
    )
    cmd.add_argument("folder", type=Path, metavar="DIR")
    cmd.add_argument("--out", type=Path, help="where the rerun writes (default DIR-rerun)")
    cmd.add_argument("--quiet", action="store_true", help="no progress bar or notes on stderr")
    cmd.set_defaults(handler=lambda args: _rerun(args, commands))


def _rerun(args: argparse.Namespace, commands: argparse._SubParsersAction) -> int:
    folder: Path = args.folder
    record = _provenance(folder)
    command = record["command"]
    if command not in RESULTS:
        raise InputError(f"{folder / 'provenance.json'}: command: unknown {command!r}")
    out = args.out or folder.with_name(f"{folder.name}-rerun")
    if out.resolve() == folder.resolve():
        raise InputError(f"--out {out}: must differ from the folder being reproduced")
    files = [str(folder / name) for name in record["scenario_files"]]
    if command == "optimise" and len(files) > 1:  # the start, then its rivals
        files = [files[0], "--against", *files[1:]]
    argv = [*files, *_flags(record["options"]), "--out", str(out)]
    argv += ["--scenario-root", str(folder / "scenarios")]
    if command != "run":
        argv += ["--workers", str(args.workers)] if args.workers else []
        argv += ["--dask", args.dask] if args.dask else []
    argv += ["--quiet"] if args.quiet else []
    parser = commands.choices[command]
    again = parser.parse_args(argv)
    again.debug = args.debug
    code = again.handler(again) or 0
    if code:
        return code
    same = _same_numbers(folder / RESULTS[command], out / RESULTS[command])
    now = record.get("model_hash")
    from sim.model.version import model_hash

    note = "" if now == model_hash() else f" (model code then {now}, now {model_hash()})"
    verdict = "reproduced: identical" if same else "not reproduced: differs"
    print(f"{verdict} {RESULTS[command]} in {folder} and {out}{note}")
    return 0 if same else 3


def _provenance(folder: Path) -> dict[str, Any]:
    path = folder / "provenance.json"
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: not found; DIR must be an output folder of run, compare, "
                         "sweep or sensitivity") from None  # fmt: skip
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot read it ({type(exc).__name__})") from None
    if not isinstance(record, dict) or not {"command", "options", "scenario_files"} <= set(record):
        raise InputError(f"{path}: not a provenance record")
    return record


def _flags(options: dict[str, Any]) -> list[str]:
    """Command-line flags from recorded options: lists repeat their flag."""
    flags = []
    for name, value in options.items():
        for item in value if isinstance(value, list) else [value]:
            flags += [f"--{name}", str(item)]
    return flags


def _same_numbers(before: Path, after: Path) -> bool:
    if before.suffix == ".json":
        return json.loads(before.read_text())["kpis"] == json.loads(after.read_text())["kpis"]
    try:
        pd.testing.assert_frame_equal(pd.read_csv(before), pd.read_csv(after), check_exact=True)
    except AssertionError:
        return False
    return True
