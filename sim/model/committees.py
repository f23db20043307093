"""Buying committees: an account's stakeholders, whom reps multi-thread, and who decide.

Sources: Gartner, “The B2B buying journey” (2019): 6–10 people take part in a complex
B2B purchase; Dixon & McKenna, *The JOLT Effect* (2022): 40–60 % of qualified B2B deals
end in no decision, from the buyers' indecision.

Each account (a prospect row) has a committee of ``size`` people, drawn once from
``committee.sizes``. Its champion holds the row's trust: marketing, word of mouth and
the journey act on the champion. The other stakeholders (with the account's thresholds)
take ``champion_influence`` of the champion's trust (internal selling: Adamson, Dixon &
Toman, “The End of Solution Sales”, HBR 2012) and build the rest of their own only when
a rep meets them: a generalist rep's or an AE's meeting reaches the champion and up to
``threads_per_meeting − 1`` others, in turn, with the meeting's quality. A deal may close
when the champion's four trusts and those of ``on_side_share`` of the whole committee are
met; then each stakeholder may stall it with
chance ``competition.no_decision_share``, so a committee of *k* ends in no decision with
chance 1 − (1 − share)^*k*. An account of one person is the model without committees.
"""

from __future__ import annotations

import numpy as np

from sim.model.prospects import ProspectTable
from sim.model.replicas import Replicas
from sim.scenario.schema import Committee

SIZE_STREAM = "committee: size"
MEMBERS_STREAM = "committee: who a meeting reaches"


class Committees:
    """Every account's committee: its size and the stakeholders' trusts beside the champion's."""

    def __init__(self, table: ProspectTable, spec: Committee, replicas: Replicas) -> None:
        """Draw each account's committee size (once, keyed by the account)."""
        self.table = table
        self.spec = spec
        self.replicas = replicas
        sizes = np.array(sorted(s for s, share in spec.sizes.items() if share > 0))
        shares = np.array([spec.sizes[int(s)] for s in sizes], dtype=np.float64)
        cumulative = np.cumsum(shares) / shares.sum()
        rows = np.arange(table.n)
        if sizes.size == 1:
            self.size = np.full(table.n, sizes[0], dtype=np.int64)
        else:
            uniform = replicas.uniform(SIZE_STREAM, rows, once=True)
            pick = np.minimum(np.searchsorted(cumulative, uniform, side="right"), sizes.size - 1)
            self.size = sizes[pick].astype(np.int64)
        self.others = int(sizes.max()) - 1
        self.trust = np.zeros((table.n if self.others else 0, self.others, 4), dtype=np.float32)

    @property
    def active(self) -> bool:
        """Whether any account has more than one stakeholder."""
        return self.others > 0

    def meet(
        self, rows: np.ndarray, quality: np.ndarray, weights: np.ndarray, event: np.ndarray
    ) -> None:
        """A meeting with ``rows``' champions also reaches others of their committees.

        ``quality`` is each meeting's quality (0 where the champion did not listen: a
        meeting nobody listened to builds nobody's trust); ``event`` the meeting's number,
        which keys where in the committee it starts.
        """
        if not self.active or rows.size == 0:
            return
        others = self.size[rows] - 1
        reach = np.minimum(others, self.spec.threads_per_meeting - 1)
        mine = reach > 0
        rows, quality, others, reach = rows[mine], quality[mine], others[mine], reach[mine]
        if rows.size == 0:
            return
        turn = self.replicas.uniform(MEMBERS_STREAM, rows, event=event[mine])
        start = (turn * others).astype(np.int64)
        gain = (quality[:, None] * weights[None, :]).astype(np.float32)
        for k in range(int(reach.max())):
            going = reach > k
            member = (start[going] + k) % others[going]
            self.trust[rows[going], member] += gain[going]

    def decay(self, rate: float) -> None:
        """Stakeholders' trust fades as the champion's does (``attention.decay_per_day``)."""
        if self.active and rate:
            self.trust *= np.float32(1.0 - rate)

    def agree(self, rows: np.ndarray) -> np.ndarray:
        """Whether each account's committee is on side: its champion and ``on_side_share``."""
        table = self.table
        champion = table.trusts_met(rows)
        if not self.active:
            return champion
        threshold = table.threshold[rows][:, None, :]
        lent = np.float32(self.spec.champion_influence) * table.trust[rows][:, None, :]
        met = (self.trust[rows] + lent >= threshold).all(axis=2)
        met &= np.arange(self.others)[None, :] < (self.size[rows] - 1)[:, None]
        on_side = champion + met.sum(axis=1)
        return champion & (on_side >= np.ceil(self.spec.on_side_share * self.size[rows] - 1e-9))

    def stall_chance(self, rows: np.ndarray, share: float) -> np.ndarray:
        """Chance each account's deal ends in no decision: any of its people may stall it."""
        return 1.0 - (1.0 - share) ** self.size[rows]
