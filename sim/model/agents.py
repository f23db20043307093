"""The agents: prospects (thin views on their rows) and marketing channels.

Channels act in their own ``step`` (reps: :mod:`sim.model.reps`); everything population-wide is one
vectorized operation over the prospect columns. Subclass any of them and pass
the class to :class:`~sim.model.JourneyModel` to change a behaviour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.model import streams
from sim.model.ledger import Item
from sim.model.prospects import ACTIVE_CUSTOMER, OPEN_STAGES, Stage, in_stages, stage_mask
from sim.model.touch import deliver, listening
from sim.scenario.schema import Channel as ChannelSpec
from sim.scenario.vocabulary import DAYS_PER_MONTH, DIMENSIONS, Payer

if TYPE_CHECKING:
    from sim.model.market import Market
    from sim.model.replicas import Replicas


class Prospect(mesa.Agent):
    """One prospect: a view on row ``row`` of the model's prospect columns.

    Reading or writing an attribute reads or writes the shared columns, so
    per-agent code (``model.agents_by_type[Prospect].select(...)``) and the
    vectorized daily passes see the same state. A subclass passed as
    ``JourneyModel(..., prospect_class=...)`` that defines ``step`` is stepped once a
    day (one Python call per prospect: for small markets and teaching).
    """

    model: Market  # a JourneyModel

    def __init__(self, model: Market, row: int) -> None:
        """Create the agent for row ``row``."""
        super().__init__(model)
        self.row = row

    def remove(self) -> None:
        """Take the prospect out of the market: a prospect is lost, a customer churns.

        One that has left already (lost, disqualified, churned) stays as it is. Its
        row stays (totals keep it) but nothing touches or moves it again.
        """
        table = self.model.prospects
        rows = np.array([self.row])
        if in_stages(table.stage[rows], ACTIVE_CUSTOMER)[0]:
            table.move(rows, Stage.CHURNED)
            table.left_day[rows] = self.model.day
            self.model.recurring.add("churned", rows, table.term_price[rows])
            tally = self.model.tally
            tally.add(tally.churned, rows)
        elif in_stages(table.stage[rows], OPEN_STAGES)[0]:  # an exit stays what it was
            table.move(rows, Stage.LOST)
        table.need[rows] = False
        table.next_contact[rows] = np.inf
        super().remove()

    @property
    def stage(self) -> Stage:
        """Where the prospect is in the journey."""
        return Stage(int(self.model.prospects.stage[self.row]))

    @stage.setter
    def stage(self, value: Stage) -> None:
        self.model.prospects.move(np.array([self.row]), Stage(value))
        self.model.prospects.changed[self.row] = True  # the journey and sales look again

    @property
    def trust(self) -> dict[str, float]:
        """Trust on each of the four dimensions, in quality units."""
        row = self.model.prospects.trust[self.row]
        return {d: float(v) for d, v in zip(DIMENSIONS, row, strict=True)}

    @property
    def threshold(self) -> dict[str, float]:
        """Trust needed on each dimension before buying."""
        row = self.model.prospects.threshold[self.row]
        return {d: float(v) for d, v in zip(DIMENSIONS, row, strict=True)}

    @property
    def has_need(self) -> bool:
        """Whether the prospect currently has an active need (“Why touchpoint management?”)."""
        return bool(self.model.prospects.need[self.row])

    @property
    def good_fit(self) -> bool:
        """Whether we can solve their problem and they can buy (“Getting the next sale”)."""
        return bool(self.model.prospects.good_fit[self.row])

    @property
    def satisfaction(self) -> float:
        """Satisfaction (0..1) once a customer."""
        return float(self.model.prospects.satisfaction[self.row])


class Channel(mesa.Agent):
    """A marketing channel: each day it touches part of its eligible audience.

    The audience is the prospects in the target stages (and, for a pull channel,
    only those with an active need, or who browse such content without one), within the
    ``reach_share`` of the market the channel can ever reach (each prospect in it or not,
    drawn once on the channel's own stream). Each day
    the channel can reach a random ``reach_per_day`` share of the market; of its
    audience in that share it touches as many as the monthly budget buys, the first in
    the day's random order of its own stream. A larger budget touches the same
    prospects and more, so a budget change moves only what it touched (common random
    numbers). Each touch is paid for by the channel (“Rub those sore sales muscles!”).
    """

    model: Market  # a JourneyModel

    def __init__(self, model: Market, name: str, spec: ChannelSpec, source: int) -> None:
        """Create channel ``name`` whose touches are attributed to ``source``."""
        super().__init__(model)
        self.name = name
        self.spec = spec
        self.source = source
        self.weights = np.asarray(spec.trust.as_tuple())
        self._targets = stage_mask(Stage[s.upper()] for s in spec.stages)
        self.flighting = Flighting(spec.flighting)
        self.touches_stream = streams.channel(name, "touches")
        self.quality_stream = streams.channel(name, "quality")
        self.scale = model.budgets.of(name)
        """This channel's budget multiple per replication (``None``: 1 in every one)."""
        self._reachable = self._reach(model)  # who it can ever reach: drawn once, before the run
        # everyone in the target stages, chosen the default way: counted, never listed
        self._counted = (
            spec.audience == "everyone"
            and spec.best_connected_share is None
            and self._reachable is None
            and all(
                getattr(type(self), name) is getattr(Channel, name)
                for name in ("audience", "touches_today", "choose")
            )
        )

    def _reach(self, model: Market) -> np.ndarray | None:
        """Who the channel may ever touch: its ``reach_share``, less a lift test's holdout.

        Each is a draw per prospect on the channel's own stream, made once: a holdout
        of 10 % keeps the same prospects out whatever the budget (``None``: everyone).
        """
        spec, rows = self.spec, np.arange(model.replicas.rows)
        reachable = None
        if spec.reach_share < 1.0:
            stream = streams.channel(self.name, "audience")
            reachable = model.replicas.chance(stream, rows, spec.reach_share, once=True)
        if spec.holdout_share > 0.0:
            exposed = ~held_out(model.replicas, self.name, rows, spec.holdout_share)
            reachable = exposed if reachable is None else reachable & exposed
        return reachable

    def audience(self) -> np.ndarray:
        """Prospects this channel can reach today (within its ``reach_share`` of the market)."""
        kind = f"{self.spec.audience}:{self.spec.best_connected_share}"
        if self._reachable is not None:  # its own share of the market: no audience to share
            kind = f"{kind}:{self.name}"
        return self.model.audiences.rows(self._targets, kind, self._find_audience)

    def _find_audience(self) -> np.ndarray:
        table = self.model.prospects
        eligible = in_stages(table.stage, self._targets)
        if self.spec.audience == "active_need":
            eligible &= table.need | table.browses
        if self.spec.best_connected_share is not None:
            eligible &= self.model.best_connected(self.spec.best_connected_share)
        if self._reachable is not None:
            eligible &= self._reachable
        return np.flatnonzero(eligible)

    def touches_today(self, audience: np.ndarray) -> np.ndarray:
        """How many of ``audience`` to touch in each replication: what the budget buys."""
        return np.minimum(self._affordable(), self.model.replicas.counts(audience))

    def _affordable(self) -> np.ndarray:
        """Touches the budget buys today, per replication (no cost: no limit)."""
        replicas, scale = self.model.replicas, self.scale
        if self.spec.cost_per_touch <= 0:
            everyone = np.full(replicas.count, replicas.size, dtype=np.int64)
            return everyone if scale is None else np.where(scale > 0, everyone, 0)
        share = self.model.spec.population.sample_share
        exposed = 1.0 - self.spec.holdout_share  # a holdout's touches are not bought
        per_day = self.spec.budget * share * exposed / DAYS_PER_MONTH / self.spec.cost_per_touch
        day, flighting = self.model.day, self.flighting
        today = per_day * (flighting.to_date(day) - flighting.to_date(day - 1))
        if scale is None:
            return np.full(replicas.count, whole_on(today, day), dtype=np.int64)
        return np.array([whole_on(today * s, day) for s in scale], dtype=np.int64)

    def reach_window(self) -> np.ndarray | None:
        """Per replication, how many of the day's order are in reach (None: everyone).

        A Binomial(N, ``reach_per_day``) count from the channel's stream: each prospect is
        in reach with that chance, independently.
        """
        if self.spec.reach_per_day >= 1.0:
            return None
        replicas = self.model.replicas
        return replicas.prefix_counts(self.touches_stream, self.spec.reach_per_day)

    def choose(self, audience: np.ndarray, n: np.ndarray) -> np.ndarray:
        """Up to ``n[r]`` prospects of replication ``r``'s audience: the first in reach.

        The chosen stay in row order, so the touch that follows walks the columns
        in order (several times faster than in random order on large audiences).
        """
        replicas = self.model.replicas
        return replicas.first(self.touches_stream, audience, n, self.reach_window())

    def touch_quality(self, rows: np.ndarray) -> np.ndarray:
        """Quality of this channel's touch on each of ``rows``, lifted by what reps learned.

        Drawn only for the prospects who listen (:func:`~sim.model.touch.listening`).
        """
        model = self.model
        lift = model.content_lift()[model.replicas.of(rows)]
        return model.replicas.quality(self.quality_stream, rows, self.spec.quality) * lift

    def _by_list(self) -> np.ndarray:
        """The prospects touched today, from the listed audience."""
        audience = self.audience()
        n = self.touches_today(audience)
        return self.choose(audience, n) if n.any() else audience[:0]

    def _by_walk(self) -> np.ndarray:
        """As :meth:`_by_list`, for everyone in the target stages: the same prospects.

        When few of a large audience are touched, the day's order is walked until
        enough are found (the audience is counted from the stage counts, never
        listed); otherwise the audience is listed.
        """
        table, replicas = self.model.prospects, self.model.replicas
        available = table.stage_counts[:, self._targets].sum(axis=1)
        n = np.minimum(self._affordable(), available)
        if not n.any():
            return np.zeros(0, dtype=np.int64)
        window = self.reach_window()
        if replicas.walk_is_cheaper(n, available, window):
            return replicas.walk(self.touches_stream, table.stage, self._targets, n, window)
        return replicas.first(self.touches_stream, self.audience(), n, window)

    def step(self) -> None:
        """Touch today's share of the audience and pay for it."""
        model, spec = self.model, self.spec
        if self.scale is not None and not self.scale.any():
            return  # switched off in every replication: it costs nothing, not even a look
        if spec.fixed_cost_per_month:
            fixed = spec.fixed_cost_per_month * model.spec.population.sample_share / DAYS_PER_MONTH
            on = None if self.scale is None else self.scale > 0  # a channel at 0 is off
            model.ledger.record(model.day, Payer.CHANNEL, self.name, Item.FIXED, fixed, where=on)
        rows = self._by_walk() if self._counted else self._by_list()
        if rows.size == 0:
            return
        n = model.replicas.counts(rows)
        listen = listening(model.replicas, model.prospects, rows, self.name, model.spec.attention)
        quality = np.zeros(rows.size)
        quality[listen] = self.touch_quality(rows[listen])
        deliver(
            model.prospects,
            rows,
            quality,
            self.weights,
            self.source,
            model.spec.attention,
            intrusiveness=spec.intrusiveness,
            listen=listen,
        )
        if self._targets[Stage.UNAWARE]:
            model.audiences.awareness_changed()
        model.ledger.record(
            model.day,
            Payer.CHANNEL,
            self.name,
            Item.TOUCH,
            n * spec.cost_per_touch,
            touches=n,
            where=n > 0,
        )


def held_out(replicas: Replicas, channel: str, rows: np.ndarray, share: float) -> np.ndarray:
    """Whether each of ``rows`` is in ``channel``'s lift-test holdout of ``share``.

    One draw per prospect, made once on the channel's own stream: an analysis that knows
    the seed finds the same control group the run kept out.
    """
    return replicas.chance(streams.channel(channel, "holdout"), rows, share, once=True)


_GOLDEN_FRACTION = (5**0.5 - 1) / 2


def whole_on(amount: float, day: int) -> int:
    """Whole units due on ``day`` for ``amount`` due that day, fractions dithered over days.

    ``floor(amount + φ_day)`` with φ the golden-ratio sequence ``frac(day × 0.618…)``:
    2.78 calls a day are 2 or 3, on days spread evenly, and the days' totals stay within
    three units of 2.78 × days over ten years (the sequence's low discrepancy; Weyl 1916,
    Kuipers & Niederreiter 1974, *Uniform distribution of sequences*). Unlike carrying
    the fractions over, a larger amount never gives fewer units on any day, so a budget
    1 % higher touches, every day, everyone the lower one did (common random numbers).
    """
    return int(np.floor(amount + (day * _GOLDEN_FRACTION) % 1.0))


class Flighting:
    """A channel's weekly spend weights, repeating, scaled to average 1 over a cycle.

    Advertisers flight their budgets (weeks on, weeks off, seasonal bursts); spend that
    varies independently of demand is also what lets a marketing-mix model tell a
    channel's effect from the baseline (Jin, Wang, Sun, Chan & Koehler 2017, "Bayesian
    methods for media mix modeling with carryover and shape effects"). The budget is
    kept: each full cycle spends what the same weeks unflighted would.
    """

    def __init__(self, weeks: list[float] | None) -> None:
        """Weights per week (``None``: the same every day)."""
        weights = np.ones(1) if weeks is None else np.asarray(weeks, dtype=np.float64)
        daily = np.repeat(weights / weights.mean(), 7 if weeks is not None else 1)
        self.cycle_days = daily.size
        self._to_date = np.concatenate([[0.0], np.cumsum(daily)])

    def to_date(self, day: int) -> float:
        """Weighted days through ``day``: ``day`` itself when unflighted."""
        cycles, rest = divmod(day, self.cycle_days)
        return cycles * self.cycle_days + float(self._to_date[rest])
