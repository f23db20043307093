"""What a KPI's function gives: a number, or why a run has none (never a division by zero)."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Undefined:
    """Why a KPI has no value in a run (no customers, nothing spent, ...)."""

    reason: str


Value = float | Undefined
"""What a KPI's function returns: a number, or why there is none."""


def ratio(num: float, den: float, reason: str) -> Value:
    """``num / den``, or undefined for ``reason`` when ``den`` is 0 or so small it overflows."""
    if den == 0:
        return Undefined(reason)
    value = float(num) / float(den)
    return value if math.isfinite(value) or not math.isfinite(float(num)) else Undefined(reason)


def defined(value: float | None, reason: str) -> Value:
    """``value`` as a float, or undefined for ``reason`` when it is None."""
    return Undefined(reason) if value is None else float(value)
