"""What a KPI declaration is, and the catalogue that expands, scores and looks them up.

A KPI is one :class:`Kpi`, shaped like EMA workbench's ``ScalarOutcome(name, kind,
function)``: its name, unit, direction, whether it sums across the market, whether
tables show it first, its definition in words and the function that computes it from
a run's :class:`~sim.analysis.kpis.measures.Measures`. A :class:`Family` declares
KPIs that exist once per member of an :class:`Axis` (a touch source, a channel, a
stage, ...), so ``funnel.<stage>`` is one declaration however many stages there are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

from sim.analysis.kpis.measures import Measures
from sim.analysis.kpis.record import RunRecord
from sim.analysis.kpis.value import Undefined, Value

Kpis = dict[str, float | None]
"""KPI name → value of one run, None where it is undefined."""


class Direction(StrEnum):
    """Which way a KPI is better."""

    HIGHER = "higher"
    LOWER = "lower"
    NEITHER = "neither"


@dataclass(frozen=True)
class Kpi:
    """One KPI: everything the tables, the docs and the optimiser know about it.

    Attributes:
        name: Its name in results; in a family, with its axis's placeholder.
        unit: What it is counted in (``currency``, ``share``, ``days``, ...).
        direction: Which way is better; ``neither`` for numbers that are context.
        definition: How it is computed, in words, for the docs.
        function: ``function(measures)``, or ``function(measures, member)`` in a
            family: its value in one run.
        total: A count or an amount: it sums across runs and grows with the market,
            so a sample's value is divided by its share of the market.
        headline: Its place among the KPIs shown first (1 = first), or None; a single
            KPI only, not a family's.
    """

    name: str
    unit: str
    direction: Direction
    definition: str
    function: Callable[..., Value]
    total: bool = False
    headline: int | None = None


@dataclass(frozen=True)
class Axis:
    """What a family of KPIs expands over, member by member.

    Attributes:
        placeholder: What stands for a member in the family's names (``<source>``).
        meaning: Its members in words, for the docs.
        members: The members for a run's touch sources, in order.
        fixed: Whether the members are the same in every scenario (stages, dimensions).
    """

    placeholder: str
    meaning: str
    members: Callable[[Sequence[str]], Sequence[str]]
    fixed: bool = False


@dataclass(frozen=True)
class Family:
    """KPIs reported once per member of an axis, member by member, in the order given."""

    axis: Axis
    kpis: tuple[Kpi, ...]


Entry = Kpi | Family
"""One declaration in a catalogue: a KPI, or a family of them."""


class Catalogue:
    """The declared KPIs in the order runs report them.

    Args:
        entries: KPIs and families, in report order.

    Raises:
        ValueError: Two declarations share a name, two KPIs share a headline place, or
            a family's KPI lacks its placeholder or is given a headline place.
    """

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = tuple(entries)
        declared = [kpi.name for kpi, _ in self.declarations()]
        places = [kpi.headline for kpi, _ in self.declarations() if kpi.headline is not None]
        for name in declared:
            if declared.count(name) > 1:
                raise ValueError(f"KPI {name!r} is declared twice")
        if len(set(places)) != len(places):
            raise ValueError(f"two KPIs share a headline place: {sorted(places)}")
        for kpi, axis in self.declarations():
            if axis is not None and kpi.name.count(axis.placeholder) != 1:
                raise ValueError(f"family KPI {kpi.name!r} must hold {axis.placeholder} once")
            if axis is not None and kpi.headline is not None:
                raise ValueError(f"family KPI {kpi.name!r} cannot be a headline: it is many")

    def declarations(self) -> Iterator[tuple[Kpi, Axis | None]]:
        """Every declaration with its family's axis (None for a single KPI), in order."""
        for entry in self.entries:
            if isinstance(entry, Kpi):
                yield entry, None
            else:
                yield from ((kpi, entry.axis) for kpi in entry.kpis)

    def expand(self, sources: Sequence[str]) -> Iterator[tuple[str, Kpi, str | None]]:
        """``(name, declaration, member)`` of every KPI a run with these sources reports."""
        for entry in self.entries:
            if isinstance(entry, Kpi):
                yield entry.name, entry, None
                continue
            for member in entry.axis.members(sources):
                for kpi in entry.kpis:
                    yield kpi.name.replace(entry.axis.placeholder, member), kpi, member

    def names(self, sources: Sequence[str]) -> list[str]:
        """Every KPI a run with these touch sources reports, in order."""
        return [name for name, _, _ in self.expand(sources)]

    def score(self, record: RunRecord) -> tuple[Kpis, dict[str, str]]:
        """Every KPI of one run from its record.

        Returns:
            ``(kpis, undefined)``: KPI name → value (None if undefined), and KPI
            name → why it is undefined. Totals are the whole market's.
        """
        measures = Measures(record)
        kpis: Kpis = {}
        undefined: dict[str, str] = {}
        for name, kpi, member in self.expand(record.sources):
            value = kpi.function(measures) if member is None else kpi.function(measures, member)
            if isinstance(value, Undefined):
                kpis[name] = None
                undefined[name] = value.reason
            else:  # a sample's totals, as the whole market's
                kpis[name] = float(value) / record.sample_share if kpi.total else float(value)
        return kpis, undefined

    def declaration(self, name: str) -> Kpi:
        """The declaration behind a reported KPI name (``funnel.aware`` → ``funnel.<stage>``).

        Raises:
            KeyError: No declaration gives that name.
        """
        singles = {kpi.name: kpi for kpi, axis in self.declarations() if axis is None}
        if name in singles:
            return singles[name]
        for kpi, axis in self.declarations():
            if axis is None:
                continue
            head, tail = kpi.name.split(axis.placeholder)
            member = name[len(head) : len(name) - len(tail)]
            if not (name.startswith(head) and name.endswith(tail) and member):
                continue
            if not axis.fixed or member in axis.members(()):
                return kpi
        raise KeyError(f"no KPI is declared as {name!r}")

    def headline(self) -> tuple[str, ...]:
        """The KPIs shown first in tables, in their headline order."""
        first = [kpi for kpi, _ in self.declarations() if kpi.headline is not None]
        return tuple(kpi.name for kpi in sorted(first, key=lambda kpi: kpi.headline or 0))
