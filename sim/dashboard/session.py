"""The model a dashboard session steps: the chosen scenario with its levers, and a rival.

Every browser session builds its own (see :mod:`sim.dashboard.app`), so a room of
trainees do not step each other's runs.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from sim.dashboard.levers import apply_levers
from sim.model.model import JourneyModel
from sim.scenario.loading import load_scenario, scenario_from_dict

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"
FILE_ENV = "TOUCHPOINT_DASHBOARD_FILE"
"""Environment variable through which ``run.py dashboard FILE`` passes its file."""
NO_RIVAL = "none"
GRAPH_SAMPLE = 60
"""Prospects shown in the social graph view."""


class DashboardModel(JourneyModel):
    """A :class:`JourneyModel` built from the dashboard's levers, with an optional rival.

    The rival (``compare_with``) is the other scenario as shipped, on the same
    population size, horizon and seed, stepped in lockstep: the two strategies meet
    the same prospects. Keyword arguments only, as Mesa's SolaraViz rebuilds the
    model from them on Reset.

    Attributes:
        rival: The second run, or None.
        acquired: Per day, cumulative customers by first-touch source.
        graph_sample: ``(rows, positions, edges)`` of the sampled social graph view.
    """

    def __init__(
        self,
        *,
        scenario_file: str = str(SCENARIO_DIR / "touchpoint_management.yaml"),
        compare_with: str = NO_RIVAL,
        marketing_share: float | None = None,
        quality: float = 1.0,
        response_time_hours: float | None = None,
        referral_reward: float | None = None,
        care_touches_per_month: float | None = None,
        population: int | None = None,
        seed: int = 0,
    ) -> None:
        """Load ``scenario_file``, apply the levers (:func:`apply_levers`), build both runs.

        The levers are spelled out (not ``**levers``): SolaraViz passes a ``scenario``
        keyword to any model that accepts arbitrary keywords.
        """
        scenario = apply_levers(
            load_scenario(scenario_file),
            marketing_share=marketing_share,
            quality=quality,
            response_time_hours=response_time_hours,
            referral_reward=referral_reward,
            care_touches_per_month=care_touches_per_month,
            population=population,
        )
        super().__init__(scenario, int(seed))
        self.rival: JourneyModel | None = None
        if compare_with and compare_with != NO_RIVAL:
            other = load_scenario(
                resolve_choice(compare_with),
                {
                    "population.size": scenario.population.size,
                    "horizon_days": scenario.horizon_days,
                },
            )
            if other.name == scenario.name:
                other = scenario_from_dict(
                    {**other.model_dump(), "name": f"{other.name} (shipped)"}
                )
            self.rival = JourneyModel(other, int(seed))
        self.acquired: list[np.ndarray] = [self.tally.by_first_touch[0].copy()]
        self.rival_acquired: list[np.ndarray] = (
            [] if self.rival is None else [self.rival.tally.by_first_touch[0].copy()]
        )
        self.graph_sample = sample_graph(self, GRAPH_SAMPLE, seed=int(seed))

    def step(self) -> None:
        """One day of both runs."""
        super().step()
        self.acquired.append(self.tally.by_first_touch[0].copy())
        if self.rival is not None and self.rival.running:
            self.rival.step()
            self.rival_acquired.append(self.rival.tally.by_first_touch[0].copy())

    def runs(self) -> list[tuple[str, JourneyModel, list[np.ndarray]]]:
        """``(label, model, acquired)`` of this run and the rival, if any."""
        out = [(self.spec.name, self, self.acquired)]
        if self.rival is not None:
            out.append((self.rival.spec.name, self.rival, self.rival_acquired))
        return out


def daily_table(model: JourneyModel) -> pd.DataFrame:
    """The model's daily table so far (day 0 = the start).

    Safe to call while another thread steps the model (SolaraViz's "Use Threads"):
    it keeps the days every column has already recorded.
    """
    columns = dict(model.datacollector.model_vars)
    days = min((len(v) for v in columns.values()), default=0)
    return pd.DataFrame({k: v[:days] for k, v in columns.items()})


def acquisition_table(model: JourneyModel, acquired: list[np.ndarray]) -> pd.DataFrame:
    """Cumulative customers by first-touch source, one row per day (index = day)."""
    rows = list(acquired)
    return pd.DataFrame(
        np.asarray(rows).reshape(len(rows), len(model.sources)), columns=model.sources
    )


def sample_graph(
    model: JourneyModel, size: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A small connected sample of the social graph and a layout of it.

    Breadth-first from a random prospect until ``size`` prospects, so the view shows
    real neighbourhoods; only these few nodes are laid out. The sample uses its own
    generator (seeded from ``seed``), never the model's, so drawing does not change a run.

    Returns:
        ``(rows, positions, edges)``: the sampled prospects' rows, their ``(n, 2)``
        coordinates and the ``(m, 2)`` edges among them (indices into ``rows``);
        all empty when the scenario has no explicit graph (full mixing or none).
    """
    graph = model.graph
    empty = (np.zeros(0, dtype=np.int64), np.zeros((0, 2)), np.zeros((0, 2), dtype=np.int64))
    if graph.indptr is None or graph.n == 0 or len(graph.indices) == 0:
        return empty
    rng = np.random.default_rng([seed, 20_24])
    start = int(rng.choice(np.flatnonzero(graph.degrees() > 0)))
    rows, seen, frontier = [start], {start}, [start]
    while frontier and len(rows) < size:
        nxt = []
        for node in frontier:
            ties = graph.indices[graph.indptr[node] : graph.indptr[node + 1]]
            for tie in rng.permutation(ties):
                tie = int(tie)
                if tie not in seen and len(rows) < size:
                    seen.add(tie)
                    rows.append(tie)
                    nxt.append(tie)
        frontier = nxt
    index = {row: i for i, row in enumerate(rows)}
    edges = [
        (index[row], index[int(tie)])
        for row in rows
        for tie in graph.indices[graph.indptr[row] : graph.indptr[row + 1]]
        if int(tie) in index and row < int(tie)
    ]
    import networkx as nx

    small = nx.Graph()
    small.add_nodes_from(range(len(rows)))
    small.add_edges_from(edges)
    layout = nx.spring_layout(small, seed=int(rng.integers(2**31)))
    positions = np.array([layout[i] for i in range(len(rows))])
    return np.array(rows, dtype=np.int64), positions, np.array(edges, dtype=np.int64).reshape(-1, 2)


def scenario_choices() -> dict[str, str]:
    """Label → path of the scenarios on offer: the command line's file first, then the shipped."""
    choices: dict[str, str] = {}
    extra = os.environ.get(FILE_ENV)
    if extra:
        path = Path(extra)
        choices[f"{path.stem} ({path.name})"] = str(path.resolve())
    for path in sorted(SCENARIO_DIR.glob("*.yaml")):
        choices.setdefault(path.stem, str(path))
    return choices


def resolve_choice(choice: str) -> str:
    """A label from :func:`scenario_choices`, or a path, as a path."""
    return scenario_choices().get(choice, choice)
