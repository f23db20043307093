"""A role's team: its people, their speed day by day, their pay, and who does what when.

A team is the servers of a queue (:mod:`sim.model.queueing`) that works in the
calendar's hours. Everyone in post at the start sells at full speed; a new hire starts
on their hire day at ``ramp_start`` of full speed and reaches it over ``ramp_months``.
Everyone is paid from their first day, busy or not: hiring buys capacity at its cost,
and only after its ramp.

When the prospects are a sample of the market (``population.market_size``), the team
serves the whole market's leads, of which the sample's are a share: each activity of
the sample brings ``1 / share − 1`` unseen ones of the rest of the market (whole numbers,
dithered), due at a random hour of the day (or, if it was already waiting, when it
did), so the team is as busy as with the whole market and the sample's waits are the
market's. The sample pays its share of the payroll.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.model import queueing
from sim.model.calendar import BusinessCalendar
from sim.model.replicas import Replicas
from sim.scenario.schema import Quality, Role, Scenario
from sim.scenario.vocabulary import DAYS_PER_MONTH, DAYS_PER_YEAR

MINUTES_PER_DAY = 24.0 * 60.0
NEVER = np.iinfo(np.int64).max
"""The end day of someone who stays."""


class Team:
    """The people of one role, serving one queue of activities.

    Attributes:
        name: The role (``rep``, ``sdr``, ``ae``, ``csm``); its people are named
            ``<name>_1``, ``<name>_2``, ...
        role: The role's scenario section.
        starts: The day each person starts (0: in post at the start, fully ramped).
        ends: The first day each person is no longer employed (a fork that cuts the team,
            :func:`sim.model.fork.fork`; never, otherwise).
        free: ``(replications, people)`` when each is next free (days).
        member, start: Today's assignments, per activity of the last :meth:`serve`.
    """

    def __init__(
        self,
        name: str,
        role: Role,
        calendar: BusinessCalendar,
        replicas: Replicas,
        share: float,
    ) -> None:
        """Staff the team from the role's headcount and hires."""
        self.name = name
        self.role = role
        self.calendar = calendar
        self.replicas = replicas
        self.share = share
        self.starts = np.array([0] * role.headcount + [role.hire_day] * role.new_hires)
        self.ends = np.full(role.people, NEVER)
        self.free = np.zeros((replicas.count, role.people))
        self._pay(role)
        self.member = np.zeros(0, dtype=np.int64)
        self.start = np.zeros(0)
        self.rows = np.zeros(0, dtype=np.int64)
        self._work_stream = f"sales: {name} activity minutes"
        self._ghost_streams = (f"sales: {name} rest of market", f"sales: {name} its hour")

    def _pay(self, role: Role) -> None:
        """The role's pay and selling hours, per day and per selling minute."""
        self.role = role
        self.selling_share = min(1.0, role.hours_per_day / self.calendar.open_hours())
        self.pay_per_day = role.cost_per_year / DAYS_PER_YEAR * self.share
        minutes_a_year = self.calendar.working_days_per_year() * role.hours_per_day * 60.0
        self.cost_per_minute = role.cost_per_year / minutes_a_year if minutes_a_year else 0.0

    def restaff(self, role: Role, day: int) -> int:
        """From the day after ``day``, the role as ``role``: hire or let go the difference.

        New people start the next day and ramp up as any hire (in post at once on day 0);
        when the team shrinks, the latest to join leave first. Returns the people added.
        """
        self._pay(role)
        staying = np.flatnonzero(self.ends == NEVER)
        change = role.people - staying.size
        if change > 0:
            start = day + 1 if day > 0 else 0
            self.starts = np.concatenate([self.starts, np.full(change, start)])
            self.ends = np.concatenate([self.ends, np.full(change, NEVER)])
            self.free = np.hstack([self.free, np.zeros((self.free.shape[0], change))])
            return change
        if change < 0:
            self.ends[staying[change:]] = day + 1
        return 0

    @property
    def people(self) -> int:
        """Everyone in the role during the run (hires included)."""
        return self.starts.size

    def speed(self, day: int) -> np.ndarray:
        """Each person's speed on ``day`` (0 before they start), as a share of full speed."""
        role = self.role
        tenure = day - self.starts
        ramp = np.ones(self.people)
        hired = self.starts > 0
        if role.ramp_months > 0:
            grown = np.clip(tenure / (role.ramp_months * DAYS_PER_MONTH), 0.0, 1.0)
            ramp = np.where(hired, role.ramp_start + (1.0 - role.ramp_start) * grown, 1.0)
        return np.where((tenure >= 0) & (day < self.ends), ramp, 0.0)

    def on_payroll(self, day: int) -> np.ndarray:
        """Whether each person is employed on ``day``."""
        return (self.starts <= day) & (day < self.ends)

    def work(self, rows: np.ndarray, events: np.ndarray) -> np.ndarray:
        """Minutes of each activity (gamma around the role's mean, keyed by prospect and event)."""
        role = self.role
        mean = role.minutes_per_activity
        spread = Quality(mean=mean, sd=role.minutes_cv * mean)
        return self.replicas.quality(self._work_stream, rows, spread, event=events)

    def serve(
        self,
        rows: np.ndarray,
        due: np.ndarray,
        key: np.ndarray,
        minutes: np.ndarray,
        day: int,
        rest_key: Callable[[np.ndarray], np.ndarray],
    ) -> np.ndarray:
        """Assign today's due activities (one per row) to people; the rows served, in order.

        ``rest_key(due)`` orders the unseen activities of the rest of a sampled market
        (by when they became due, as the queue's policy does).
        Sets :attr:`rows`, :attr:`member` and :attr:`start` for the served rows.
        """
        window = self.calendar.window(day)
        served = np.zeros(rows.size, dtype=bool)
        member = np.full(rows.size, -1, dtype=np.int64)
        start = np.full(rows.size, np.inf)
        if window is not None and self.people:
            speed = np.broadcast_to(self.speed(day) * self.selling_share, self.free.shape)
            replica = self.replicas.of(rows)
            real = np.ones(rows.size, dtype=bool)
            if self.share < 1.0:
                due, key, minutes, replica, real = self._with_rest(
                    rows, due, key, minutes, replica, day, window, rest_key
                )
            order = np.lexsort((due, replica))
            blocks = np.searchsorted(replica[order], np.arange(self.replicas.count + 1))
            who, when = queueing.serve(
                blocks,
                due[order],
                key[order],
                minutes[order] / MINUTES_PER_DAY,
                self.free,
                np.ascontiguousarray(speed),
                window,
            )
            placed = np.empty_like(order)
            placed[order] = np.arange(order.size)
            member_all, start_all = who[placed], when[placed]
            member, start = member_all[real], start_all[real]
            served = member >= 0
        self.rows, self.member, self.start = rows[served], member[served], start[served]
        return self.rows

    def _with_rest(
        self,
        rows: np.ndarray,
        due: np.ndarray,
        key: np.ndarray,
        minutes: np.ndarray,
        replica: np.ndarray,
        day: int,
        window: tuple[float, float],
        rest_key: Callable[[np.ndarray], np.ndarray],
    ) -> tuple[np.ndarray, ...]:
        """The sample's activities and the rest of the market's, unseen (see the module)."""
        count_stream, hour_stream = self._ghost_streams
        extra = 1.0 / self.share - 1.0
        copies = np.floor(extra + self.replicas.uniform(count_stream, rows)).astype(np.int64)
        ghost = np.repeat(np.arange(rows.size), copies)
        number = np.arange(ghost.size) - np.repeat(np.cumsum(copies) - copies, copies)
        hour = self.replicas.uniform(hour_stream, rows[ghost], event=number)
        ghost_due = np.where(due[ghost] < window[0], due[ghost], day + hour)
        return (
            np.concatenate([due, ghost_due]),
            np.concatenate([key, rest_key(ghost_due)]),
            np.concatenate([minutes, minutes[ghost]]),
            np.concatenate([replica, replica[ghost]]),
            np.concatenate([np.ones(rows.size, dtype=bool), np.zeros(ghost.size, dtype=bool)]),
        )

    def assigned(self, person: int) -> tuple[np.ndarray, np.ndarray]:
        """The rows person ``person`` works on today and when each activity starts."""
        mine = self.member == person
        return self.rows[mine], self.start[mine]


def oldest_first(due: np.ndarray) -> np.ndarray:
    """Queue keys: the longest waiting first."""
    return due


def newest_first(due: np.ndarray) -> np.ndarray:
    """Queue keys: the newest first (speed to lead)."""
    return -due


def roles(scenario: Scenario) -> dict[str, Role]:
    """The roles of a scenario: generalist reps (``rep``), or its ``sdr``, ``ae``, ``csm``."""
    sales = scenario.sales
    if sales.roles is None:
        return {"rep": sales.generalist(DAYS_PER_YEAR * scenario.calendar.working_share)}
    named = {"sdr": sales.roles.sdr, "ae": sales.roles.ae, "csm": sales.roles.csm}
    return {name: role for name, role in named.items() if role is not None}


def staff(scenario: Scenario, calendar: BusinessCalendar, replicas: Replicas) -> dict[str, Team]:
    """The teams of a scenario, one per role (:func:`roles`)."""
    share = scenario.population.sample_share
    return {
        name: Team(name, role, calendar, replicas, share) for name, role in roles(scenario).items()
    }
