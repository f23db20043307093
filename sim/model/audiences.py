"""Today's channel audiences: who each kind of channel can reach, found once a day.

A channel that targets everyone in some stages may not list its audience at all: it
walks its order of the day until it has found the prospects it touches
(:meth:`~sim.model.replicas.Replicas.walk`; at a million prospects, listing an audience
cost more than touching it).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.model.prospects import Stage


class Audiences:
    """Today's channel audiences, found once per kind of audience.

    Channels that target the same stages and the same kind of audience (everyone,
    or prospects with an active need) share one scan of the population. A touch
    moves prospects only from unaware to aware, so after a channel that reaches the
    unaware has touched, the audiences that tell the two apart are found again.
    """

    def __init__(self) -> None:
        self._found: dict[tuple[bytes, str], tuple[np.ndarray, np.ndarray]] = {}

    def rows(self, targets: np.ndarray, kind: str, find: Callable[[], np.ndarray]) -> np.ndarray:
        """The audience of stages ``targets`` and ``kind``, found by ``find`` if not yet."""
        key = (targets.tobytes(), kind)
        if key not in self._found:
            self._found[key] = (targets, find())
        return self._found[key][1]

    def awareness_changed(self) -> None:
        """Some prospects went from unaware to aware: forget audiences that differ on it."""
        self._found = {
            key: (targets, rows)
            for key, (targets, rows) in self._found.items()
            if targets[Stage.UNAWARE] == targets[Stage.AWARE]
        }

    def clear(self) -> None:
        """A new day: every audience is found again."""
        self._found.clear()
