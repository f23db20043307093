"""The sales organisation of a scenario, assembled: calendar, committees, teams, pipeline, queue.

One place builds them in order, so the model holds the parts and each part is told only
what it needs (:mod:`sim.model.calendar`, :mod:`sim.model.committees`,
:mod:`sim.model.teams`, :mod:`sim.model.pipeline`, :mod:`sim.model.sales`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.model.calendar import BusinessCalendar
from sim.model.committees import Committees
from sim.model.pipeline import Pipeline, open_pipeline
from sim.model.prospects import ProspectTable, Stage
from sim.model.replicas import Replicas
from sim.model.sales import SalesQueue
from sim.model.teams import Team, staff
from sim.scenario.schema import Scenario


@dataclass
class SalesOrganisation:
    """The parts of the sales side, as the model holds them."""

    calendar: BusinessCalendar
    committees: Committees
    teams: dict[str, Team]
    pipeline: Pipeline | None
    queue: SalesQueue


def organise(
    table: ProspectTable,
    scenario: Scenario,
    replicas: Replicas,
    priority: Callable[[np.ndarray], np.ndarray],
) -> SalesOrganisation:
    """Build the sales side and open its opening pipeline (``priority``: the leads' order)."""
    calendar = BusinessCalendar(scenario.calendar, scenario.horizon_days)
    committees = Committees(table, scenario.committee, replicas)
    teams = staff(scenario, calendar, replicas)
    pipeline = (
        Pipeline(table, scenario, replicas, calendar, teams["ae"], committees)
        if "ae" in teams
        else None
    )
    lead_team = teams["sdr" if pipeline else "rep"]
    queue = SalesQueue(table, scenario, replicas, calendar, lead_team, priority, pipeline)
    open_pipeline(table, scenario, replicas, pipeline)
    queue.leads = np.flatnonzero(table.stage == Stage.SALES_QUALIFIED)
    return SalesOrganisation(calendar, committees, teams, pipeline, queue)
