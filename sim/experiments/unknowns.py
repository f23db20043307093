"""What a user does not know, as an experiment's input: a calibrated posterior, and notes.

``compare``, ``optimise``, ``attribution`` and ``sweep`` take ``--posterior DIR``:
the weighted particles a ``calibrate`` run wrote (``DIR/posterior.csv``: one column per
calibrated field, and ``weight``) become each scenario's ``uncertainty.posterior``, so
every replication draws one particle (by its seed: the same one in every plan) besides
any inputs the files themselves leave uncertain.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from sim.analysis.folders import read_marker
from sim.scenario.errors import InputError
from sim.scenario.loading import scenario_from_dict
from sim.scenario.schema import Scenario
from sim.scenario.schema.uncertainty import Posterior

CALIBRATE_KIND = "calibrate"
"""The kind of output folder a posterior is read from."""

POSTERIOR_FILE = "posterior.csv"
"""The particles and their weights in a calibrate folder."""


def read_posterior(folder: str | Path) -> Posterior:
    """The weighted particles of a ``calibrate`` output folder, checked.

    Raises:
        InputError: Not a calibrate output, no posterior file, or a bad value in it.
    """
    folder = Path(folder)
    where = f"--posterior {folder}"
    marker = read_marker(folder) if folder.is_dir() else None
    if marker is None or marker.get("kind") != CALIBRATE_KIND:
        raise InputError(f"{where}: not a calibrate output folder (run `calibrate` first)")
    path = folder / POSTERIOR_FILE
    try:
        table = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise InputError(f"{where}: cannot read {POSTERIOR_FILE}: {exc}") from None
    keys = [c for c in table.columns if c != "weight"]
    if "weight" not in table.columns or not keys or table.empty:
        raise InputError(f"{where}: {POSTERIOR_FILE} needs parameter columns and 'weight'")
    values = table[keys].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    weights = pd.to_numeric(table["weight"], errors="coerce").to_numpy(dtype=float)
    bad = [
        (r, c) for r, row in enumerate(values) for c, v in enumerate(row) if not math.isfinite(v)
    ]
    if bad or not all(math.isfinite(w) and w >= 0 for w in weights):
        row = bad[0][0] if bad else int(next(i for i, w in enumerate(weights) if not w >= 0))
        raise InputError(f"{where}: {POSTERIOR_FILE} row {row + 2}: not a finite number")
    return Posterior(
        source=str(folder), keys=keys, values=values.tolist(), weights=weights.tolist()
    )


def with_posterior(scenario: Scenario, posterior: Posterior, where: str) -> Scenario:
    """``scenario`` drawing its calibrated fields from ``posterior`` (checked: they exist)."""
    raw = scenario.model_dump()
    raw["uncertainty"]["posterior"] = posterior.model_dump()
    return scenario_from_dict(raw, source=where)


def uncertainty_notes(scenario: Scenario, replications: int) -> list[str]:
    """What a report must say about a scenario's uncertain inputs (nothing if none)."""
    unknowns = scenario.uncertainty
    if not unknowns:
        return []
    parts = [f"{key}: {d.text()}" for key, d in unknowns.inputs.items()]
    if unknowns.posterior is not None:
        p = unknowns.posterior
        parts.insert(
            0, f"{', '.join(p.keys)}: the posterior in {p.source} ({len(p.values)} particles)"
        )
    return [
        f"Uncertain inputs, one draw per replication, the same in every plan ({replications} "
        f"draws): {'; '.join(parts)}. Intervals include what is not known, not seed noise alone."
    ]
