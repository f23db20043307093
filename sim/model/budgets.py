"""Channel budgets per replication: a coalition or a response curve's point as a multiple.

Replication ``r`` of a batch may run each channel at its own multiple of the scenario's
budget: 0 switches the channel off (no touch, no fixed cost, a free channel too), 0.5
halves what it buys, 2 doubles it. Every other draw stays where it was (streams are keyed
by name, seed, day and prospect: :mod:`sim.model.streams`), so replication ``r`` gives the
numbers of a run alone of the scenario with those budgets. A Shapley value's coalitions
and a response curve's points are therefore one scenario with multiples, not scenarios of
their own. The runner batches each coalition's replications together, where a channel off
in all of them costs nothing; several coalitions in one batch give the same numbers, no
faster at the sizes that matter (``python -m benchmarks.coalitions``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from sim.scenario.loading import with_overrides
from sim.scenario.schema import Scenario

BudgetScale = Mapping[str, float]
"""One replication's multiples of channels' budgets (a channel not named: 1)."""


class Budgets:
    """Each channel's budget multiple in each replication of a batch.

    Args:
        scales: One mapping per replication (``None``: every channel at 1 everywhere).
        count: Replications in the batch.
        channels: The scenario's enabled channels.

    Raises:
        ValueError: A count that is not one per replication, a channel that is not
            enabled, or a negative or non-finite multiple.
    """

    def __init__(
        self, scales: Sequence[BudgetScale] | None, count: int, channels: Sequence[str]
    ) -> None:
        self.scales = [dict(s) for s in scales] if scales is not None else [{}] * count
        if len(self.scales) != count:
            raise ValueError(f"budget scales: {len(self.scales)} given for {count} replications")
        self._by_channel: dict[str, np.ndarray] = {}
        for name in sorted({name for scale in self.scales for name in scale}):
            if name not in channels:
                raise ValueError(f"budget scales: {name!r} is not an enabled channel")
            values = np.array([s.get(name, 1.0) for s in self.scales], dtype=np.float64)
            if not np.all(np.isfinite(values) & (values >= 0)):
                raise ValueError(f"budget scales: {name}: multiples must be >= 0")
            if np.any(values != 1.0):
                self._by_channel[name] = values

    def of(self, channel: str) -> np.ndarray | None:
        """``channel``'s multiple per replication (``None``: 1 in every one)."""
        return self._by_channel.get(channel)

    def scenario(self, scenario: Scenario, replica: int) -> Scenario:
        """The scenario replication ``replica`` ran: budgets scaled, channels at 0 off."""
        changes: dict[str, object] = {}
        for name, values in self._by_channel.items():
            value = float(values[replica])
            if value == 0.0:
                changes[f"channels.{name}.enabled"] = False
            elif value != 1.0:
                changes[f"channels.{name}.budget"] = scenario.channels[name].budget * value
        return with_overrides(scenario, changes, scenario.name) if changes else scenario
