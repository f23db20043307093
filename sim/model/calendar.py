"""The business calendar: which days the team works, its hours, and when leads arrive.

Time in the model is in days; day ``d`` runs from ``d`` to ``d + 1`` and an hour ``h``
of it is ``d + h / 24``. Leads arrive at any hour (by an arrival profile); the team
works only in its open hours on working days (Oldroyd, McElheran & Elkington, “The
Short Life of Online Sales Leads”, HBR 2011: most leads are answered hours later, many
the next working day).
"""

from __future__ import annotations

import numpy as np

from sim.scenario.schema import Calendar
from sim.scenario.vocabulary import DAYS_PER_YEAR, WEEKDAYS


class BusinessCalendar:
    """A scenario's calendar over the days of a run."""

    def __init__(self, spec: Calendar, horizon_days: int) -> None:
        """Work out every day's window for days ``1 .. horizon_days``."""
        self.spec = spec
        first = WEEKDAYS.index(spec.first_weekday)
        days = np.arange(horizon_days + 1)
        weekday = (first + days - 1) % 7
        working = np.isin(weekday, [WEEKDAYS.index(d) for d in spec.working_days])
        working[[d for d in spec.holidays if d <= horizon_days]] = False
        working[0] = False  # day 0 is before the run
        self.working = working
        self.opens, self.closes = spec.open_hours[0] / 24.0, spec.open_hours[1] / 24.0
        self._hours = _cumulative(spec.lead_hours)
        off = spec.lead_hours_days_off
        self._hours_off = self._hours if off is None else _cumulative(off)

    def window(self, day: int) -> tuple[float, float] | None:
        """The open hours of ``day`` as times (days), or None if nobody works that day."""
        if day >= self.working.size or not self.working[day]:
            return None
        return day + self.opens, day + self.closes

    def arrival_hours(self, day: int, uniform: np.ndarray) -> np.ndarray:
        """Hours (0-24) at which leads arriving on ``day`` arrive, from uniforms in [0, 1).

        The inverse of the day's arrival profile: an hour is picked by its weight, the
        minute evenly within it, so a flat profile gives ``24 × uniform``.
        """
        working = day < self.working.size and self.working[day]
        cumulative = self._hours if working else self._hours_off
        hour = np.searchsorted(cumulative, uniform, side="right") - 1
        hour = np.clip(hour, 0, 23)
        low, high = cumulative[hour], cumulative[hour + 1]
        within = np.where(high > low, (uniform - low) / np.maximum(high - low, 1e-300), 0.5)
        return hour + np.clip(within, 0.0, 1.0 - 1e-9)

    def working_days_per_year(self) -> float:
        """Working days in a year of this calendar (holidays of the run averaged in)."""
        days = self.working[1:]
        return DAYS_PER_YEAR * float(days.mean()) if days.size else 0.0

    def open_hours(self) -> float:
        """Hours the team is open on a working day."""
        return self.spec.open_length_hours


def _cumulative(profile: list[float] | None) -> np.ndarray:
    """The 25 cut points of an hourly profile's distribution (0 .. 1)."""
    weights = np.ones(24) if profile is None else np.asarray(profile, dtype=np.float64)
    cumulative = np.concatenate([[0.0], np.cumsum(weights)])
    return cumulative / cumulative[-1]
