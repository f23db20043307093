"""Shapley ground truth: each player's fair share of what the players win together.

A coalition of players is the scenario with every other player switched off: a channel
off spends nothing (its budget multiple 0, :mod:`sim.model.budgets`), reps, referrals,
reviews or care off in the scenario's own terms (:func:`~sim.experiments.truth.removals`).
Replication ``k`` of every coalition has the same seed (common random numbers), so the
value of a coalition is measured on the same prospects as every other.

A player's Shapley value is its marginal contribution averaged over the orders in which
the players could join (Shapley 1953, "A value for n-person games"); it splits the
players' joint effect (all of them against none) exactly, whatever their interactions:
two players that are both needed get half each, two perfect substitutes the same. Up to
:data:`EXACT_UP_TO` players every coalition is run (2ⁿ); beyond, orders are sampled
(Castro, Gómez & Tejada 2009, "Polynomial calculation of the Shapley value based on
sampling") and the interval carries the sampling error beside the seeds'.

Every estimate here is a weighted sum of coalition values (:class:`Design`), so the same
weights give the Shapley value of customers, revenue, profit, or of each day's customers.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from sim.scenario.errors import InputError
from sim.scenario.schema import Scenario

EXACT_UP_TO = 10
"""Most players whose every coalition is run (2¹⁰ = 1,024); more are sampled."""

PERMUTATIONS = 64
"""Orders sampled when the players are too many to run every coalition."""

OTHER_SOURCES = ("rep", "referral", "reviews", "care")
"""Sources that are not channels: reported by removal, players only if chosen."""


def default_players(scenario: Scenario) -> list[str]:
    """The paid channels: enabled channels with a budget or a fixed cost."""
    return [
        name
        for name in scenario.enabled_channels()
        if scenario.channels[name].budget > 0 or scenario.channels[name].fixed_cost_per_month > 0
    ]


def check_players(scenario: Scenario, players: list[str], switchable: list[str]) -> list[str]:
    """``players`` as given, refused if unknown, repeated, or fewer than one.

    Args:
        scenario: The market.
        players: The chosen players.
        switchable: Every source the scenario can switch off (channels, then others).

    Raises:
        InputError: A player the scenario cannot switch off, a repeat, or none.
    """
    if not players:
        raise InputError(f"{scenario.name}: --players: no player to attribute")
    for name in players:
        if name not in switchable:
            raise InputError(
                f"{scenario.name}: --players: {name!r} is not a source this market can switch "
                f"off; choose from {', '.join(switchable)}"
            )
    repeated = sorted({name for name in players if players.count(name) > 1})
    if repeated:
        raise InputError(f"{scenario.name}: --players: {repeated[0]!r} is named twice")
    return list(players)


@dataclass(frozen=True)
class Design:
    """The coalitions to run and the weights that turn their values into estimates.

    Attributes:
        players: The players, in order.
        coalitions: Each coalition as a sorted tuple of players (the grand one first,
            the empty one second).
        shapley: ``players × coalitions`` weights: Shapley values = weights @ values.
        orders: For a sampled design, ``orders × players × coalitions`` weights of each
            order's marginal contributions (their spread is the sampling error); ``None``
            when exact.
    """

    players: tuple[str, ...]
    coalitions: tuple[tuple[str, ...], ...]
    shapley: np.ndarray
    orders: np.ndarray | None

    @property
    def exact(self) -> bool:
        """Whether every coalition is run."""
        return self.orders is None

    def index(self, members: tuple[str, ...] | set[str] | frozenset[str]) -> int:
        """The column of the coalition with exactly ``members``."""
        return self._positions[tuple(sorted(members))]

    @cached_property
    def _positions(self) -> dict[tuple[str, ...], int]:
        return {c: i for i, c in enumerate(self.coalitions)}

    def removal(self) -> np.ndarray:
        """``players × coalitions`` weights of each player's removal (all − all but it)."""
        grand = set(self.players)
        out = np.zeros((len(self.players), len(self.coalitions)))
        for i, name in enumerate(self.players):
            out[i, self.index(grand)] += 1.0
            out[i, self.index(grand - {name})] -= 1.0
        return out

    def add_one(self) -> np.ndarray:
        """``players × coalitions`` weights of each player alone (it − none)."""
        out = np.zeros((len(self.players), len(self.coalitions)))
        for i, name in enumerate(self.players):
            out[i, self.index({name})] += 1.0
            out[i, self.index(())] -= 1.0
        return out

    def total(self) -> np.ndarray:
        """Weights of the players' joint effect: all of them against none."""
        out = np.zeros(len(self.coalitions))
        out[self.index(set(self.players))] += 1.0
        out[self.index(())] -= 1.0
        return out


def design(
    players: list[str], *, exact_up_to: int = EXACT_UP_TO, orders: int = PERMUTATIONS, seed: int = 0
) -> Design:
    """Every coalition of up to ``exact_up_to`` players, else ``orders`` sampled orders.

    A sampled design also runs the grand and the empty coalition, each player alone and
    each player removed, so removal and add-one effects are exact either way.
    """
    named = tuple(players)
    n = len(named)
    if n <= exact_up_to:
        coalitions = _ordered(
            [c for k in range(n + 1) for c in itertools.combinations(sorted(named), k)], named
        )
        positions = {c: i for i, c in enumerate(coalitions)}
        weights = np.zeros((n, len(coalitions)))
        for i, name in enumerate(named):
            others = [p for p in named if p != name]
            for k in range(n):
                w = math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n)
                for group in itertools.combinations(others, k):
                    weights[i, positions[tuple(sorted((*group, name)))]] += w
                    weights[i, positions[tuple(sorted(group))]] -= w
        return Design(named, coalitions, weights, None)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x5A4D]))
    drawn = [tuple(named[j] for j in rng.permutation(n)) for _ in range(orders)]
    needed = {(), tuple(sorted(named))}
    for name in named:
        needed |= {(name,), tuple(sorted(set(named) - {name}))}
    for order in drawn:
        needed |= {tuple(sorted(order[:k])) for k in range(n + 1)}
    coalitions = _ordered(sorted(needed, key=lambda c: (len(c), c)), named)
    positions = {c: i for i, c in enumerate(coalitions)}
    per_order = np.zeros((orders, n, len(coalitions)))
    for o, order in enumerate(drawn):
        for k, name in enumerate(order):
            i = named.index(name)
            per_order[o, i, positions[tuple(sorted(order[: k + 1]))]] += 1.0
            per_order[o, i, positions[tuple(sorted(order[:k]))]] -= 1.0
    return Design(named, coalitions, per_order.mean(axis=0), per_order)


def _ordered(coalitions: list[tuple[str, ...]], players: tuple[str, ...]) -> tuple:
    """The grand coalition first, the empty one second, the rest as given."""
    grand, empty = tuple(sorted(players)), ()
    rest = [c for c in coalitions if c not in (grand, empty)]
    return (grand, empty, *rest) if grand != empty else (grand,)


def estimate(weights: np.ndarray, values: np.ndarray, spread: np.ndarray | None = None) -> dict:
    """Mean and 95 % interval of ``weights @ values`` over replications.

    Args:
        weights: ``estimates × coalitions``.
        values: ``replications × coalitions`` (common random numbers: replication ``k``
            of every coalition has the same seed, so the differences are paired).
        spread: A sampled design's ``orders × estimates × coalitions`` weights: their
            spread over orders is added to the seeds' (independent errors add).

    Returns:
        ``mean``, ``low``, ``high``: arrays with one entry per estimate.
    """
    from scipy import stats  # here, not at the top: every pool worker imports this module

    per_run = values @ weights.T  # replications × estimates
    runs = per_run.shape[0]
    mean = per_run.mean(axis=0)
    var = per_run.var(axis=0, ddof=1) / runs if runs > 1 else np.full(mean.shape, np.nan)
    freedom = max(runs - 1, 1)
    if spread is not None:
        per_order = np.einsum("oec,c->oe", spread, values.mean(axis=0))
        var = var + per_order.var(axis=0, ddof=1) / per_order.shape[0]
        freedom = min(freedom, per_order.shape[0] - 1)
    half = stats.t.ppf(0.975, freedom) * np.sqrt(var)
    return {"mean": mean, "low": mean - half, "high": mean + half}


def value_table(
    design: Design, values: dict[str, np.ndarray], kinds: dict[str, str]
) -> pd.DataFrame:
    """Per player: Shapley value, removal and add-one effect of each outcome, with CIs.

    Args:
        design: The coalitions and weights.
        values: Per outcome (``customers``, ``revenue``, ...), ``replications ×
            coalitions`` values.
        kinds: Each player's kind (``channel``, ``rep``, ...).

    Returns:
        One row per player: ``player``, ``kind``; per outcome ``<outcome>`` (the Shapley
        value) with ``_low``/``_high``, ``removal_<outcome>`` and ``add_one_<outcome>``
        with theirs; ``share`` (of the players' joint effect on customers).
    """
    table = pd.DataFrame({"player": list(design.players)})
    table["kind"] = table["player"].map(kinds)
    for outcome, matrix in values.items():
        for prefix, weights, spread in (
            ("", design.shapley, design.orders),
            ("removal_", design.removal(), None),
            ("add_one_", design.add_one(), None),
        ):
            found = estimate(weights, matrix, spread)
            table[f"{prefix}{outcome}"] = found["mean"]
            table[f"{prefix}{outcome}_low"] = found["low"]
            table[f"{prefix}{outcome}_high"] = found["high"]
    joint = float(np.mean(values["customers"] @ design.total()))
    table.insert(2, "share", table["customers"] / joint if joint != 0 else np.nan)
    return table


def interaction(design: Design, customers: np.ndarray) -> dict[str, float]:
    """The players' joint effect on customers against the sums of their removals and add-ones.

    Returns:
        ``customers`` (all players, mean a run), ``without_players`` (none of them),
        ``joint`` (the difference: what Shapley values split), ``sum_of_shapley`` (equals
        ``joint``), ``sum_of_removals``, ``sum_of_add_ones`` and ``ratio`` (removals over
        joint: 1 if players act alone, above 1 for complements, below 1 for substitutes).
    """
    mean = customers.mean(axis=0)
    joint = float(design.total() @ mean)
    removals = float((design.removal() @ mean).sum())
    return {
        "customers": float(mean[design.index(set(design.players))]),
        "without_players": float(mean[design.index(())]),
        "joint": joint,
        "sum_of_shapley": float((design.shapley @ mean).sum()),
        "sum_of_removals": removals,
        "sum_of_add_ones": float((design.add_one() @ mean).sum()),
        "ratio": removals / joint if joint != 0 else float("nan"),
    }


def coalition_name(members: tuple[str, ...], players: tuple[str, ...]) -> str:
    """How a coalition is labelled in the runs table."""
    if set(members) == set(players):
        return "all players"
    if not members:
        return "no player"
    return "only " + " + ".join(members)
