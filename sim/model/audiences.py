"""Today's channel audiences: who each kind of channel can reach, found once a day.

An audience of everyone in some stages is counted by the stage counts and never
listed: a channel draws the ranks it touches and :func:`ranked_rows` finds just
those rows (at a million prospects, listing an audience cost more than touching it).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numba import njit

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


@njit(cache=True, nogil=True)
def ranked_rows(stage, stages, size, ranks, cuts):  # noqa: ANN001, ANN201 - compiled
    """The rows at ``ranks`` among each replication's rows in ``stages``, without finding all.

    Replication ``r``'s ranks are ``ranks[cuts[r]:cuts[r+1]]``, sorted, and count its
    rows in ``stages`` in row order: the rows that indexing the scan's result would
    give, found by a pass that writes only them and stops after the last.
    """
    out = np.empty(ranks.size, dtype=np.int64)
    for r in range(cuts.size - 1):
        k, last = cuts[r], cuts[r + 1]
        rank = 0
        i, end = r * size, (r + 1) * size
        if (last - k) * 8 > size:  # many touched: whether a row is one is a coin toss,
            while k < last and i < end:  # so branch-free
                qualifies = stages[stage[i]]
                out[k] = i
                k += qualifies and rank == ranks[k]
                rank += qualifies
                i += 1
            continue
        sparse = (last - k) * 64 < size  # then count 64 rows at a time, and look inside
        while k < last and i < end:  # only where the next chosen rank falls
            stop = min(i + 64, end)
            if sparse:
                inside = 0
                for j in range(i, stop):
                    inside += stages[stage[j]]
                if rank + inside <= ranks[k]:
                    rank += inside
                    i = stop
                    continue
            for j in range(i, stop):
                if stages[stage[j]]:
                    if k < last and rank == ranks[k]:
                        out[k] = j
                        k += 1
                    rank += 1
            i = stop
    return out
