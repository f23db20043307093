"""Tables, figures and the self-contained report that strategists send."""

from __future__ import annotations

import math

from sim.metrics import HEADLINE, Kpis


def format_value(value: float | None) -> str:
    """A KPI value for a table: undefined as 'n/a', big numbers with separators."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"


def kpi_table(kpis: Kpis, title: str = "", all_kpis: bool = False) -> str:
    """The headline KPIs of one run (or all of them) as an aligned text table."""
    names = list(kpis) if all_kpis else [k for k in HEADLINE if k in kpis]
    width = max(len(n) for n in names)
    lines = [title, "-" * max(len(title), width + 14)] if title else []
    lines += [f"{name:<{width}}  {format_value(kpis[name]):>12}" for name in names]
    return "\n".join(lines)
