"""Observed funnel figures to calibrate against: a targets file, checked like a scenario.

A targets file names the period its figures cover and each figure with its
uncertainty, in the words of a CRM (``sql``, ``won``, ``sql_to_won``) or as any KPI
of ``summary.json``; optionally a time series from a CSV (e.g. customers won per
week). :data:`CRM_TERMS` maps the CRM's words to the model's KPIs, once; a file may
override the mapping. Bad input is one line naming the file, the field and the value.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.analysis.kpis import scenario_kpis
from sim.model.daily import NEW_CUSTOMERS, REVENUE
from sim.scenario.errors import InputError
from sim.scenario.files import named_file, regular_file
from sim.scenario.messages import describe
from sim.scenario.schema import Scenario

CRM_TERMS = {
    "mql": "funnel.evaluating",
    "sql": "funnel.sales_qualified",
    "opportunity": "opportunities",
    "won": "customers",
    "mql_to_sql": "conversion_rate.evaluating_to_sales_qualified",
    "sql_to_opportunity": "conversion_rate.sales_qualified_to_opportunity",
    "opportunity_to_won": "conversion_rate.opportunity_to_customer",
    "sql_to_won": "conversion_rate.sales_qualified_to_customer",
    "reached_to_won": "conversion_rate.aware_to_customer",
    "sales_cycle_days": "sales_cycle_days",
    "churn": "churn_rate",
    "referral_share": "referral_share",
}
"""A CRM's words → the model's KPIs. A marketing-qualified lead (MQL) is a prospect who
reached the zero moment of truth (evaluating); a sales-qualified lead (SQL) one handed to
sales; an opportunity a lead a rep has spoken with; won a new customer."""

BY_SOURCE = "mql.<source>"
"""A CRM's MQLs by original lead source: the KPI ``mql`` means, counted by the source of
each prospect's first touch (``funnel.evaluating.source.<source>``; with ``mapping: {mql:
funnel.sales_qualified}``, ``funnel.sales_qualified.source.<source>``)."""

SERIES_COLUMNS = (NEW_CUSTOMERS, REVENUE)
"""Daily-table columns a series may be compared with (flows, summed per period)."""

Finite = Annotated[float, Field(allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Target(_Strict):
    """One observed figure and its uncertainty (a standard deviation, same unit)."""

    value: Finite
    sd: Annotated[float, Field(gt=0)]


class Series(_Strict):
    """A time series from a CSV: one row per period, summed from the daily table."""

    file: str = Field(description="CSV path, relative to the targets file, inside its folder.")
    column: str = Field(description="The column with the observed values.")
    daily: str = Field("new_customers", description="The daily-table column summed per period.")
    days_per_period: Annotated[int, Field(ge=1)] = Field(7, description="7: weekly figures.")
    sd: Annotated[float, Field(gt=0)] | None = Field(None, description="One sd for every row.")
    sd_column: str | None = Field(None, description="Or a column of sds, one per row.")


class TargetsFile(_Strict):
    """What a targets file may hold."""

    period_days: Annotated[int, Field(ge=1, le=36_500)] = Field(
        description="Days the figures cover: the model simulates this many days."
    )
    targets: dict[str, Target] = Field(default_factory=dict)
    mapping: dict[str, str] = Field(default_factory=dict, description="CRM term → KPI.")
    series: Series | None = None


@dataclass(frozen=True)
class Targets:
    """Checked targets: names, the KPI each is, observed values and sds (and a series)."""

    source: str
    period_days: int
    names: list[str]
    kpis: list[str]
    values: np.ndarray
    sds: np.ndarray
    series_daily: str | None = None
    series_days: int = 7

    def statistics(self) -> list[str]:
        """The names of every compared figure: the targets, then ``<daily>.p<k>`` per period."""
        return [*self.names, *(f"{self.series_daily}.p{k}" for k in range(self._periods()))]

    def _periods(self) -> int:
        return len(self.values) - len(self.names)

    def observed(self) -> dict[str, float]:
        """Every compared figure's observed value, by name."""
        return dict(zip(self.statistics(), self.values.tolist(), strict=True))

    def simulated(self, kpis: dict[str, Any], daily: pd.DataFrame | None) -> dict[str, float]:
        """The same figures from a run (NaN where a KPI is undefined)."""
        out = {n: _number(kpis.get(k)) for n, k in zip(self.names, self.kpis, strict=True)}
        if self.series_daily is not None and daily is not None:
            sums = _period_sums(daily[self.series_daily].to_numpy(), self.series_days)
            out.update(zip(self.statistics()[len(self.names) :], sums.tolist(), strict=False))
        return out


def load_targets(path: str | Path, scenario: Scenario) -> Targets:
    """Read and check a targets file against the KPIs a run of ``scenario`` reports."""
    path = Path(path)
    source = str(path)
    regular_file(path, source, InputError)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{source}: cannot read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{source}: malformed YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(raw, dict):
        raise InputError(f"{source}: the top level must be a mapping; got {type(raw).__name__}")
    try:
        spec = TargetsFile.model_validate(raw)
    except ValidationError as exc:
        raise InputError(describe(exc, TargetsFile, source)) from None
    known = set(scenario_kpis(scenario))
    mapping = {**CRM_TERMS, **spec.mapping}
    for term, kpi in spec.mapping.items():
        if kpi not in known:
            raise InputError(f"{source}: mapping.{term}: no such KPI; got {kpi!r}")
    if not spec.targets and spec.series is None:
        raise InputError(f"{source}: targets: give at least one figure (or a series)")
    names, kpis = [], []
    for name, target in spec.targets.items():
        kpi = mapping.get(name) or _by_source(name, mapping, scenario, known, source) or name
        if kpi not in known:
            raise InputError(
                f"{source}: targets.{name}: not a KPI this scenario reports, nor a CRM term "
                f"({', '.join(CRM_TERMS)}, {BY_SOURCE}); got {target.value:g}"
            )
        names.append(name)
        kpis.append(kpi)
    values = [t.value for t in spec.targets.values()]
    sds = [t.sd for t in spec.targets.values()]
    daily = None
    if spec.series is not None:
        observed, spread = _read_series(path, spec.series, spec.period_days)
        values += observed
        sds += spread
        daily = spec.series.daily
    return Targets(
        source,
        spec.period_days,
        names,
        kpis,
        np.asarray(values, dtype=float),
        np.asarray(sds, dtype=float),
        daily,
        spec.series.days_per_period if spec.series else 7,
    )


def _by_source(
    name: str, mapping: dict[str, str], scenario: Scenario, known: set[str], source: str
) -> str | None:
    """The KPI of a ``mql.<source>`` target, or None when ``name`` is not one.

    Raises:
        InputError: The source is not one of the scenario's, or ``mql`` is mapped to a
            KPI that is not counted by source.
    """
    term, _, member = name.partition(".")
    if f"{term}.<source>" != BY_SOURCE or not member:
        return None
    sources = scenario.touch_sources()
    if member not in sources:
        raise InputError(
            f"{source}: targets.{name}: no such touch source in {scenario.name}; "
            f"its sources are {', '.join(sources)}"
        )
    kpi = f"{mapping[term]}.source.{member}"
    if kpi not in known:
        raise InputError(
            f"{source}: targets.{name}: {term} means {mapping[term]} here, which is not "
            f"counted by source (funnel.evaluating and funnel.sales_qualified are)"
        )
    return kpi


def _read_series(path: Path, series: Series, period_days: int) -> tuple[list[float], list[float]]:
    """Observed values and sds of a series CSV, checked row by row."""
    where = f"{path}: series"
    if series.daily not in SERIES_COLUMNS:
        raise InputError(
            f"{where}.daily: must be one of {', '.join(SERIES_COLUMNS)}; got {series.daily!r}"
        )
    if (series.sd is None) == (series.sd_column is None):
        raise InputError(f"{where}: give exactly one of sd and sd_column; got neither or both")
    folder = Path(os.path.realpath(path)).parent
    csv = named_file(
        series.file,
        folder,
        inside=folder,
        where=str(path),
        field="series.file",
        folder="the targets file's folder",
        error=InputError,
    )
    try:
        table = pd.read_csv(csv)
    except (OSError, ValueError) as exc:
        raise InputError(f"{where}.file: cannot read {csv}: {exc}") from None
    for column in (series.column, series.sd_column):
        if column is not None and column not in table.columns:
            raise InputError(
                f"{where}: {csv.name} has no column {column!r}; it has {list(table.columns)}"
            )
    periods = period_days // series.days_per_period
    if len(table) != periods:
        raise InputError(
            f"{where}: {csv.name} needs one row per {series.days_per_period} days of the "
            f"{period_days}-day period ({periods} rows); got {len(table)}"
        )
    values = pd.to_numeric(table[series.column], errors="coerce").to_numpy(dtype=float)
    spread = (
        np.full(len(table), series.sd)
        if series.sd is not None
        else pd.to_numeric(table[series.sd_column], errors="coerce").to_numpy(dtype=float)
    )
    for column, data, low in ((series.column, values, -math.inf), (series.sd_column, spread, 0)):
        bad = np.flatnonzero(~np.isfinite(data) | (data <= low))
        if bad.size:
            raw = table[column or "sd"].iloc[bad[0]] if column else data[bad[0]]
            raise InputError(f"{where}: {csv.name} row {bad[0] + 2} column {column!r}: got {raw}")
    return values.tolist(), spread.tolist()


def _period_sums(values: np.ndarray, days: int) -> np.ndarray:
    """Sums over whole periods of ``days`` (a trailing partial period is left out)."""
    whole = len(values) // days * days
    return values[:whole].reshape(-1, days).sum(axis=1)


def _number(value: Any) -> float:
    return math.nan if value is None else float(value)
