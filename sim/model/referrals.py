"""The referral programme: who may take part, who is asked, what is promised and what is paid.

A reward lifts an eligible customer's willingness to recommend, satisfaction × (1 + lift),
by lift = ``max_uplift`` × reward / (reward + ``reward_for_half_lift``): the reward's
absolute size with diminishing returns, not its size against the price. Ryu & Feick 2007,
“A penny for your thoughts: referral reward programs and referral likelihood” (Journal of
Marketing): a reward raises referral likelihood, and their larger reward did not raise it
further. Only eligible customers are lifted or asked: long enough a customer and
satisfied enough; Wirtz & Chew 2002, “The effects of incentives, deal proneness,
satisfaction and tie strength on word-of-mouth behaviour” (International Journal of
Service Industry Management): incentives get satisfied customers to recommend, and
satisfaction is necessary but not sufficient.

A recommendation listened to by a prospect whose referrer could be rewarded that day
(eligible, under the cap, the month's budget not spent) is a promise: when the prospect
buys, the referrer's reward and the welcome credit are paid (payer ``referral`` in the
ledger) while the month's budget lasts. The company also asks eligible customers to
refer (``ask_rate_per_month``): one asked and willing recommends the product to a random
tie who is an open prospect, beside the conversations prospects start themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model import streams
from sim.model.ledger import Item
from sim.model.prospects import ACTIVE_CUSTOMER, OPEN_STAGES, ProspectTable
from sim.model.replicas import Replicas
from sim.scenario.schema import ReferralProgramme as ProgrammeSpec
from sim.scenario.vocabulary import DAYS_PER_MONTH, Payer

if TYPE_CHECKING:
    from sim.model.ledger import Ledger
    from sim.model.network import SocialGraph

_NOBODY = np.zeros(0, dtype=np.int64)


class ReferralProgramme:
    """The programme's state in a batch: promised rewards, rewards per referrer, the month's spend.

    Args:
        spec: The programme as the scenario states it.
        replicas: The batch's replications.
        sample_share: The share of the market simulated (the budget is market-wide).

    Attributes:
        promised: Per prospect, whether the referral they listened to last was promised
            a reward (paid if they buy while the month's budget lasts).
        rewarded: Per customer, the referrals they were rewarded for so far.
        spent: Per replication, the rewards paid in the current month.
    """

    def __init__(self, spec: ProgrammeSpec, replicas: Replicas, sample_share: float) -> None:
        """Start the programme: nothing promised, nothing paid."""
        self.replicas = replicas
        self.sample_share = sample_share
        self.promised = np.zeros(0, dtype=bool)
        self.rewarded = np.zeros(0, dtype=np.int32)
        self.spent = np.zeros(replicas.count)
        self._month = 0
        self.retune(spec)

    def retune(self, spec: ProgrammeSpec) -> None:
        """The programme's terms from now on (a fork's change); what was promised stays."""
        self.spec = spec
        if spec.running and self.promised.size == 0:  # an unused programme keeps no columns
            self.promised = np.zeros(self.replicas.rows, dtype=bool)
            self.rewarded = np.zeros(self.replicas.rows, dtype=np.int32)
        budget = spec.budget_per_month
        self.budget = np.inf if budget is None else budget * self.sample_share
        reward = spec.reward_referrer
        self.lift = spec.max_uplift * reward / (reward + spec.reward_for_half_lift)
        """Relative lift of an eligible customer's willingness to recommend."""

    def open_today(self, day: int) -> np.ndarray:
        """Per replication, whether the programme runs today: its month's budget not spent.

        A new 30-day month starts with nothing spent.
        """
        month = int((day - 1) // DAYS_PER_MONTH)
        if month != self._month:
            self._month = month
            self.spent[:] = 0.0
        return self.spent + self.spec.rewards_per_referral <= self.budget

    def eligible(self, table: ProspectTable, customers: np.ndarray, day: int) -> np.ndarray:
        """Whether each of ``customers`` may take part: tenure and satisfaction enough."""
        spec = self.spec
        ok = table.satisfaction[customers] >= spec.min_satisfaction
        if spec.eligible_after_months > 0:
            since = day - spec.eligible_after_months * DAYS_PER_MONTH
            ok &= table.customer_since[customers] <= since
        return ok

    def rewardable(self, table: ProspectTable, referrers: np.ndarray, day: int) -> np.ndarray:
        """Whether a referral by each of ``referrers`` today would be promised a reward."""
        if self.spec.rewards_per_referral <= 0:
            return np.zeros(referrers.size, dtype=bool)
        ok = (
            self.eligible(table, referrers, day) & self.open_today(day)[self.replicas.of(referrers)]
        )
        if self.spec.cap_per_referrer is not None:
            ok &= self.rewarded[referrers] < self.spec.cap_per_referrer
        return ok

    def willingness(self, table: ProspectTable, customers: np.ndarray, day: int) -> np.ndarray:
        """Each customer's chance to recommend: satisfaction, lifted if a reward awaits them."""
        satisfaction = table.satisfaction[customers]
        if self.lift <= 0:
            return satisfaction
        lift = np.where(self.rewardable(table, customers, day), self.lift, 0.0)
        return np.minimum(satisfaction * (1.0 + lift), 1.0)

    def promise(
        self, table: ProspectTable, receivers: np.ndarray, referrers: np.ndarray, day: int
    ) -> None:
        """Record, for referrals listened to today, whether each was promised a reward."""
        if self.promised.size:
            self.promised[receivers] = self.rewardable(table, referrers, day)

    def ask(
        self, table: ProspectTable, graph: SocialGraph, day: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Today's asks: eligible customers asked, and the open ties the willing recommend to.

        Returns:
            ``(receivers, referrers)``: row indices of equal length (a receiver may repeat).
        """
        rate = self.spec.ask_rate_per_month
        if rate <= 0:
            return _NOBODY, _NOBODY
        replicas = self.replicas
        chance = rate / DAYS_PER_MONTH
        asked = replicas.bernoulli_in(streams.REFERRAL_ASKED, table.stage, ACTIVE_CUSTOMER, chance)
        asked = asked[self.eligible(table, asked, day) & self.open_today(day)[replicas.of(asked)]]
        willing = replicas.chance(
            streams.REFERRAL_WILLING, asked, self.willingness(table, asked, day)
        )
        asked = asked[willing]
        ties = graph.pick_ties_in(replicas, asked, table.stage, OPEN_STAGES, streams.REFERRAL_TIE)
        found = ties >= 0
        return ties[found], asked[found]

    def pay_rewards(self, table: ProspectTable, ledger: Ledger, rows: np.ndarray, day: int) -> None:
        """Pay the promised rewards of today's new customers ``rows``, within the cap and budget.

        Each referral promised a reward costs the referrer's reward plus the welcome credit;
        they are paid in the order of ``rows`` while the month's budget lasts and the
        referrer is under the cap (payer ``referral``, item ``reward``, prospect the buyer).
        A promise not paid now is not paid later.
        """
        spec = self.spec
        if spec.rewards_per_referral <= 0 or rows.size == 0:
            return
        due = rows[self.promised[rows]]
        self.promised[due] = False  # settled, paid or not
        referrers = table.referred_by[due]
        if spec.cap_per_referrer is not None:
            keep = self.rewarded[referrers] + _rank_within(referrers) < spec.cap_per_referrer
            due, referrers = due[keep], referrers[keep]
        replica = self.replicas.of(due)
        self.open_today(day)  # a new month starts with nothing spent
        room = np.floor((self.budget - self.spent) / spec.rewards_per_referral)
        keep = _rank_within(replica) < room[replica]
        due, referrers = due[keep], referrers[keep]
        if due.size == 0:
            return
        np.add.at(self.rewarded, referrers, 1)
        self.spent += self.replicas.counts(due) * spec.rewards_per_referral
        for amount in (spec.reward_referrer, spec.reward_referred):
            if amount > 0:
                ledger.record(day, Payer.REFERRAL, "referral", Item.REWARD, amount, due)


def _rank_within(groups: np.ndarray) -> np.ndarray:
    """Each element's place among the earlier elements of its group (0 for the first)."""
    order = np.argsort(groups, kind="stable")
    ordered = groups[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    sizes = np.diff(np.r_[starts, ordered.size])
    rank = np.empty(groups.size, dtype=np.int64)
    rank[order] = np.arange(groups.size) - np.repeat(starts, sizes)
    return rank
