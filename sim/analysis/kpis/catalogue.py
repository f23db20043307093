"""The KPIs every run reports, in report order: their names, their scores, their direction.

:func:`kpi_names` lists, without running anything, every KPI a scenario's runs report, in
the order :func:`score` reports them. A new KPI is one declaration in the list of its
theme: :mod:`~sim.analysis.kpis.acquisition`, :mod:`~sim.analysis.kpis.journey` or
:mod:`~sim.analysis.kpis.money`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from sim.analysis.kpis import acquisition, journey, money, recurring
from sim.analysis.kpis.declaration import Catalogue, Direction, Kpis
from sim.analysis.kpis.record import RunRecord

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

CATALOGUE = Catalogue([*acquisition.KPIS, *recurring.KPIS, *journey.KPIS, *money.KPIS])
"""Every declared KPI, in report order."""

HEADLINE = CATALOGUE.headline()
"""The KPIs shown first in tables, in this order."""

META_COLUMNS = frozenset({"scenario", "replication", "seed", "run_id", "sample"})
"""Columns of tidy results tables that are not KPIs (besides ``param.*`` and ``input.*``)."""

INPUT_PREFIX = "input."
"""The prefix of a tidy table's columns holding the values a run drew for uncertain inputs."""


def kpi_names(sources: Sequence[str]) -> list[str]:
    """Every KPI a run reports, in order, for a model with these touch sources."""
    return CATALOGUE.names(sources)


def scenario_kpis(scenario: Scenario) -> list[str]:
    """Every KPI a run of ``scenario`` reports."""
    return kpi_names(scenario.touch_sources())


def score(record: RunRecord) -> tuple[Kpis, dict[str, str]]:
    """All KPIs of one run from its record: ``(kpis, undefined)``, see :meth:`Catalogue.score`."""
    return CATALOGUE.score(record)


def lower_is_better(kpi: str) -> bool:
    """Whether a plan that lowers ``kpi`` is the better one (cost of sale: yes).

    Raises:
        KeyError: ``kpi`` is not a declared KPI.
    """
    return CATALOGUE.declaration(kpi).direction is Direction.LOWER


def kpi_columns(frame: pd.DataFrame) -> list[str]:
    """The KPI columns of a tidy results table, headline KPIs first."""
    names = [
        c
        for c in frame.columns
        if c not in META_COLUMNS and not c.startswith(("param.", INPUT_PREFIX))
    ]
    first = [c for c in HEADLINE if c in names]
    return first + [c for c in names if c not in first]
