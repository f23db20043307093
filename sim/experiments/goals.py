"""What ``optimise`` aims at: objectives (KPIs and their direction) and constraints on KPIs."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis.kpis import lower_is_better, scenario_kpis
from sim.scenario.errors import InputError
from sim.scenario.schema import Scenario

MAX_OBJECTIVES = 2
"""One objective, or two for a Pareto front."""

UNSPENT = "unspent"
"""Budget a plan's channels could not spend (reach caps them), currency over the horizon."""

CHARGED = ("marketing_spend", "acquisition_cost", "total_cost", "cost_of_sale", "roi",
           "lifetime_profit")  # fmt: skip
"""The money KPIs that count unspent budget as spent (see :func:`charge_unspent`)."""


@dataclass(frozen=True)
class Objective:
    """A KPI to make as good as it can be: lower (cost of sale) or higher (customers)."""

    kpi: str
    minimize: bool
    quantile: float | None = None

    @property
    def direction(self) -> str:
        """``minimize`` or ``maximize``, as optuna names them."""
        return "minimize" if self.minimize else "maximize"

    def better(self, a: float, b: float) -> bool:
        """Whether ``a`` beats ``b``."""
        return a < b if self.minimize else a > b

    def score(self, values: np.ndarray) -> float:
        """What a plan is judged by over its runs' values: their mean, or a worst case.

        With ``quantile`` q, the plausible worst case: the value a share 1 − q of the
        runs do better than. NaNs (undefined runs) are left out; NaN if none is left.
        """
        defined = np.asarray(values, dtype=float)
        defined = defined[np.isfinite(defined)]
        if not defined.size:
            return math.nan
        if self.quantile is None:
            return float(defined.mean())
        return float(np.quantile(defined, 1 - self.quantile if self.minimize else self.quantile))

    @property
    def measure(self) -> str:
        """How a plan's runs are summed up: "mean", or e.g. "10th percentile (worst case)"."""
        if self.quantile is None:
            return "mean"
        share = 1 - self.quantile if self.minimize else self.quantile
        return f"{_ordinal(round(share * 100))} percentile"


@dataclass(frozen=True)
class Constraint:
    """A KPI bound a plan must keep (on the mean of its replications): ``cost_of_sale<=400``."""

    kpi: str
    at_most: bool
    bound: float

    def excess(self, value: float) -> float:
        """How far ``value`` is beyond the bound (≤ 0: kept); NaN counts as broken."""
        if not math.isfinite(value):
            return math.inf
        return value - self.bound if self.at_most else self.bound - value

    def __str__(self) -> str:
        return f"{self.kpi}{'<=' if self.at_most else '>='}{self.bound:g}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def objectives(
    scenario: Scenario, kpis: Sequence[str], quantile: float | None = None
) -> list[Objective]:
    """Objectives from KPI names, each in its natural direction; checked against the KPIs.

    ``quantile`` q (0 < q < 0.5) judges plans by their plausible worst case instead of
    their mean (see :meth:`Objective.score`).
    """
    kpis = list(kpis) or ["cost_of_sale"]
    if len(kpis) > MAX_OBJECTIVES or len(set(kpis)) != len(kpis):
        raise InputError(f"--objective: give one or two different KPIs; got {kpis}")
    if quantile is not None and not 0 < quantile < 0.5:
        raise InputError(
            f"--quantile: must be between 0 and 0.5 (0.1: the worst decile); got {quantile}"
        )
    return [Objective(_kpi(scenario, k, "--objective"), lower_is_better(k), quantile) for k in kpis]


def constraints(scenario: Scenario, texts: Sequence[str]) -> list[Constraint]:
    """Constraints from ``KPI<=VALUE`` or ``KPI>=VALUE``."""
    out = []
    for text in texts:
        match = re.fullmatch(r"\s*([\w.]+)\s*(<=|>=)\s*(\S+)\s*", text)
        if match is None:
            raise InputError(f"--constraint {text!r}: expected KPI<=VALUE or KPI>=VALUE")
        kpi, op, raw = match.groups()
        try:
            bound = float(raw)
        except ValueError:
            raise InputError(f"--constraint {text!r}: VALUE must be a number") from None
        if not math.isfinite(bound):
            raise InputError(f"--constraint {text!r}: VALUE must be finite; got {raw}")
        out.append(Constraint(_kpi(scenario, kpi, f"--constraint {text!r}"), op == "<=", bound))
    return out


def _kpi(scenario: Scenario, name: str, where: str) -> str:
    known = scenario_kpis(scenario)
    if name not in known:
        raise InputError(
            f"{where}: no such KPI {name!r} (e.g. cost_of_sale, customers, lifetime_profit)"
        )
    return name


def charge_unspent(kpis: pd.DataFrame) -> pd.DataFrame:
    """Runs' KPIs with the budget channels could not spend counted as spent.

    At one budget, a plan that puts money where it cannot be spent has not saved it: it
    has failed to use it. Without this, a search lowers cost of sale by parking money in
    capped channels. Adds ``unspent``; changes the KPIs of :data:`CHARGED`.
    """
    out = kpis.copy()
    planned = [c for c in out.columns if c.startswith("spend_planned.")]
    unspent = sum(
        (out[c] - out[f"spend_actual.{c.removeprefix('spend_planned.')}"]).fillna(0.0)
        for c in planned
    )
    out[UNSPENT] = unspent if planned else 0.0
    margin_left = out["roi"] * out["total_cost"]  # margin on revenue − total cost
    for kpi in ("marketing_spend", "acquisition_cost", "total_cost"):
        out[kpi] = out[kpi] + out[UNSPENT]
    out["cost_of_sale"] = out["acquisition_cost"] / out["customers"].where(out["customers"] > 0)
    out["roi"] = (margin_left - out[UNSPENT]) / out["total_cost"]
    out["lifetime_profit"] = out["lifetime_profit"] - out[UNSPENT]
    return out
