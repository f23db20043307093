"""What ``sweep`` and ``sensitivity`` share: their flags, KPI choice, provenance and Ctrl-C.

Both commands check every input before any run starts (bad input: one line,
exit 2, nothing written), keep each finished run in ``OUT/runs/`` as it comes
back, skip the runs already there when the same command is run again, and
(re)build their tables and figures from that store at the end, each file written
whole or not at all. Heavy imports wait until a command runs, so the CLI starts fast.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import math
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.cli.flags import (
    many_runs_flags,
    shaping_options,
)
from sim.scenario.errors import InputError
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.analysis.provenance import Provenance

DEFAULT_KPIS = ("cost_of_sale", "customers", "clv_to_cac")
"""KPIs printed and plotted unless ``--kpi`` says otherwise."""


def parents(default_out: str) -> list[argparse.ArgumentParser]:
    """The flags both commands take: FILE, ``--kpi``, ``--fresh`` and the shared ones."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("file", type=Path, metavar="FILE")
    common.add_argument(
        "--kpi",
        action="append",
        default=None,
        metavar="NAME",
        help=f"KPI to print and plot (repeatable; default {', '.join(DEFAULT_KPIS)})",
    )
    common.add_argument(
        "--fresh",
        action="store_true",
        help="discard the runs kept in --out by another model version or scenario, "
        "instead of refusing them",
    )
    return [common, *many_runs_flags(default_out)]


def parse_param(text: str) -> tuple[str, tuple[float, float]]:
    """``KEY=LOW:HIGH`` for a sensitivity analysis (LOW < HIGH, both finite)."""
    key, sep, spec = text.partition("=")
    key, spec = key.strip(), spec.strip()
    where = f"--param {text}"
    if not sep or not key or spec.count(":") != 1:
        raise InputError(f"{where}: expected KEY=LOW:HIGH")
    low, high = (p.strip() for p in spec.split(":"))
    lo, hi = number(low, where, "LOW"), number(high, where, "HIGH")
    if lo >= hi:
        raise InputError(f"{where}: LOW must be below HIGH; got {low}:{high}")
    return key, (lo, hi)


def number(text: str, where: str, what: str) -> float:
    """``text`` as a finite number, or a one-line refusal naming ``where`` and ``what``."""
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{where}: {what} must be a number; got {text!r}") from None
    if not math.isfinite(value):
        raise InputError(f"{where}: {what} must be finite; got {text!r}")
    return value


def unique(pairs: Sequence[tuple[str, Any]], flag: str) -> dict[str, Any]:
    """``pairs`` as a dict, refusing a key given twice to ``flag``."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise InputError(f"{flag} {key}: given twice")
        found[key] = value
    return found


def provenance(command: str, base: Scenario, args: argparse.Namespace) -> Provenance:
    """The base scenario as run, the replication seeds and the options that shape the runs."""
    from sim.analysis.provenance import Provenance
    from sim.experiments.specs import replication_seeds

    seeds = replication_seeds(args.seed, args.replications)
    return Provenance(command, [base], seeds, shaping_options(args))


@contextlib.contextmanager
def saved_on_stop(out: Path) -> Iterator[None]:
    """On Ctrl-C or a dead worker, say what was kept and how to resume."""
    from concurrent.futures.process import BrokenProcessPool

    from sim.experiments.store import RunStore

    try:
        yield
    except (KeyboardInterrupt, BrokenProcessPool) as exc:
        kept = len(RunStore(out).load())
        why = "interrupted" if isinstance(exc, KeyboardInterrupt) else "a worker process died"
        print(
            f"{why}: {kept} finished runs are kept in {out}/runs/; run the same command "
            "again to resume",
            file=sys.stderr,
        )
        raise


def check_kpis(base: Scenario, chosen: list[str] | None) -> list[str]:
    """The chosen KPIs, checked against those a run of ``base`` reports."""
    from sim.analysis.kpis import scenario_kpis

    names = scenario_kpis(base)
    if chosen is None:
        return [k for k in DEFAULT_KPIS if k in names]
    for kpi in chosen:
        if kpi not in names:
            raise InputError(f"--kpi {kpi}: no such KPI (e.g. {', '.join(DEFAULT_KPIS)})")
    return list(dict.fromkeys(chosen))


def need_pyarrow() -> None:
    """Refuse to start without pyarrow: the tables are written as Parquet."""
    if importlib.util.find_spec("pyarrow") is None:
        raise InputError("writing Parquet needs pyarrow: pip install '.[experiments]'")
