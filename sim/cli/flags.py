"""Flags shared by several commands, as argparse parent parsers, and their checks."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

from sim.scenario.errors import InputError
from sim.scenario.loading import load_scenario
from sim.scenario.schema import Scenario


def scenario_flags() -> argparse.ArgumentParser:
    """``--set KEY=VALUE`` (repeatable) and ``--scenario-root DIR``."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a field (dotted path, e.g. population.size=20000; repeatable); the "
        "value may be a distribution of what you do not know, e.g. "
        "'channels.webinar.quality.mean={uniform: [0.3, 1.2]}'",
    )
    parent.add_argument(
        "--scenario-root",
        type=Path,
        metavar="DIR",
        help="the folder 'extends:' may reach (default: the nearest folder named "
        "'scenarios' above the file, else the file's own folder)",
    )
    return parent


def posterior_flag() -> argparse.ArgumentParser:
    """``--posterior DIR``: draw the calibrated fields from a ``calibrate`` output."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--posterior",
        type=Path,
        metavar="DIR",
        help="a calibrate output folder: each replication draws one of its weighted "
        "parameter sets (the same in every plan), so the answer carries what the data "
        "leave uncertain",
    )
    return parent


def seed_flag(help_text: str = "master seed (default 0)") -> argparse.ArgumentParser:
    """``--seed S``."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--seed", type=int, default=0, help=help_text)
    return parent


def engine_flags() -> argparse.ArgumentParser:
    """``--workers N`` or ``--dask ADDRESS``."""
    parent = argparse.ArgumentParser(add_help=False)
    engine = parent.add_mutually_exclusive_group()
    engine.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="local processes (default: the cores this process may use; 1 = serial)",
    )
    engine.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="run on a Dask cluster: tcp://scheduler:8786, or 'local' to start a "
        "LocalCluster (needs pip install '.[dask]')",
    )
    return parent


def output_flags(default: str) -> argparse.ArgumentParser:
    """``--out DIR`` and ``--quiet``."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--out",
        type=Path,
        help=f"output folder: new, empty or an earlier output of this command (default {default})",
    )
    parent.add_argument("--quiet", action="store_true", help="no progress bar or notes on stderr")
    return parent


def force_flag() -> argparse.ArgumentParser:
    """``--force``: run a job the estimate says will not fit in memory."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--force",
        action="store_true",
        help="run even if the estimated peak memory exceeds the memory available",
    )
    return parent


def many_runs_flags(
    default_out: str, seed_help: str = "master seed (default 0)"
) -> list[argparse.ArgumentParser]:
    """The flags of every command that runs the model many times, as parent parsers."""
    return [
        scenario_flags(),
        seed_flag(seed_help),
        engine_flags(),
        output_flags(default_out),
        force_flag(),
    ]


SHAPING = ("seed", "replications", "grid", "shift", "param", "method", "samples", "kpi")
"""Options that change a command's numbers or files (recorded for ``rerun``)."""


def shaping_options(args: argparse.Namespace) -> dict[str, Any]:
    """The options of ``args`` that shape its results, by name (see :data:`SHAPING`)."""
    return {name: getattr(args, name) for name in SHAPING if getattr(args, name, None) is not None}


def load(path: Path, args: argparse.Namespace) -> Scenario:
    """A scenario file with ``--set`` overrides, inside ``--scenario-root``, and ``--posterior``.

    The posterior (where the command has the flag) is read once per command.
    """
    with from_flag("--set"):
        scenario = load_scenario(path, args.set, root=args.scenario_root)
    folder = getattr(args, "posterior", None)
    if folder is None:
        return scenario
    from sim.experiments.unknowns import read_posterior, with_posterior

    if getattr(args, "posterior_read", None) is None:
        args.posterior_read = read_posterior(folder)
    return with_posterior(scenario, args.posterior_read, f"{path} with --posterior {folder}")


def from_flag(flag: str) -> contextlib.AbstractContextManager[None]:
    """Say which flag an override came from: the library says only "(override)"."""
    return in_flag_words("(override)", f"(from {flag})")


@contextlib.contextmanager
def in_flag_words(library: str, flag: str) -> Iterator[None]:
    """Reword an input error's ``library`` words (a Python argument) as the ``flag``."""
    try:
        yield
    except InputError as exc:
        raise type(exc)(str(exc).replace(library, flag)) from None


def check_run_args(args: argparse.Namespace) -> None:
    """Refuse a negative seed and fewer than one worker, replication or sample."""
    if args.seed < 0:
        raise InputError(f"--seed: must be >= 0; got {args.seed}")
    if getattr(args, "workers", None) is not None and args.workers < 1:
        raise InputError(f"--workers: must be >= 1; got {args.workers}")
    for name in ("replications", "samples"):
        value = getattr(args, name, None)
        if value is not None and value < 1:
            raise InputError(f"--{name}: must be >= 1; got {value}")


def cluster(args: argparse.Namespace) -> contextlib.AbstractContextManager[Executor | None]:
    """The Dask executor of ``--dask``, or None: runs then use the local pool of ``--workers``."""
    if args.dask:
        from sim.experiments.engines import dask_executor

        return dask_executor(args.dask)
    return contextlib.nullcontext(None)


def on_engine[T](
    args: argparse.Namespace, run: Callable[..., T], *inputs: Any, **options: Any
) -> T:
    """``run(*inputs, seed, engine options, progress, **options)`` on ``--workers``/``--dask``."""
    with cluster(args) as executor:
        return run(
            *inputs,
            seed=args.seed,
            executor=executor,
            workers=args.workers,
            progress=not args.quiet,
            **options,
        )
