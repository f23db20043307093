"""A real social network from a file: an edge list of prospect numbers.

CSV (two columns, an optional header row, ``#`` comments) or Parquet (the first two
columns). Each row is one tie between two prospects numbered 0 .. size-1. The file is
read once per process and checked whole: a bad file is one line naming it, the row
and the value.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import numpy as np

from sim.scenario.errors import ScenarioError
from sim.scenario.files import regular_file

SUFFIXES = (".csv", ".parquet")


def read_edges(path: str | Path, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The ties of ``path`` as two arrays of prospect numbers, checked against ``size``.

    Raises:
        ScenarioError: The file is missing, not a regular file (checked before it is
            opened), unreadable, or a row is not two prospect numbers below ``size``.
    """
    path = Path(path)
    stamp = regular_file(path, f"{path}: network file").st_mtime_ns
    return _read(os.path.realpath(path), stamp, size)


@lru_cache(maxsize=4)
def _read(path: str, stamp: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    import pandas as pd

    where = f"{path}: network file"
    try:
        if path.lower().endswith(".parquet"):
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(path, header=None, comment="#", dtype=str, skipinitialspace=True)
    except ImportError:
        raise ScenarioError(f"{where}: reading Parquet needs pyarrow ('.[experiments]')") from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{where}: cannot read it ({type(exc).__name__})") from None
    if frame.shape[1] < 2:
        raise ScenarioError(f"{where}: expected two columns (prospect, prospect)")
    pair = frame.iloc[:, :2].apply(pd.to_numeric, errors="coerce")
    if len(pair) and pair.iloc[0].isna().any():  # a header row
        pair, frame = pair.iloc[1:], frame.iloc[1:]
    bad = pair.isna().any(axis=1) | (pair % 1 != 0).any(axis=1)
    bad |= ((pair < 0) | (pair >= size)).any(axis=1)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        values = ", ".join(str(v) for v in frame.iloc[row, :2])
        raise ScenarioError(
            f"{where}: row {row + 1}: expected two prospect numbers 0..{size - 1} "
            f"(population.size {size}); got {values[:60]}"
        )
    ties = pair.to_numpy(dtype=np.int64)
    return ties[:, 0].copy(), ties[:, 1].copy()
