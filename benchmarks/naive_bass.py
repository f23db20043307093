"""The Bass model written the naive Mesa way, as the benchmark's yardstick.

Every prospect is a Python :class:`mesa.Agent` with its own ``step``, activated
once a day in random order with ``shuffle_do``, as in Mesa's tutorials. It is the
same model as ``scenarios/validation/bass.yaml`` run by :class:`~sim.model.JourneyModel`:
an open prospect is reached by mass media with chance ``p``; otherwise it talks with
one random other person with chance ``q`` and adopts if that person had adopted
before today. So the adoption chance is ``1 - (1 - p)(1 - q F)``, as in ours.
"""

from __future__ import annotations

import mesa


class NaiveProspect(mesa.Agent):
    """One prospect: adopted or not, and on which day."""

    model: NaiveBassModel

    def __init__(self, model: NaiveBassModel) -> None:
        """A prospect who has not adopted."""
        super().__init__(model)
        self.adopted_on = -1

    def step(self) -> None:
        """One day: mass media, then word of mouth with an adopter of an earlier day."""
        if self.adopted_on >= 0:
            return
        model = self.model
        random = model.random
        day = model.steps
        if random.random() < model.p:
            self.adopted_on = day
        elif random.random() < model.q:
            other = model.prospects[random.randrange(model.n - 1)]
            if other is self:  # anyone else: the last one stands in for oneself
                other = model.prospects[-1]
            if 0 <= other.adopted_on < day:
                self.adopted_on = day


class NaiveBassModel(mesa.Model):
    """Bass diffusion with one agent object per prospect.

    Args:
        n: Prospects.
        p: Innovation: chance a day that mass media reaches an open prospect.
        q: Imitation: chance a day that an open prospect talks with someone.
        seed: Random seed.
    """

    def __init__(self, n: int, p: float, q: float, seed: int = 0) -> None:
        """Create ``n`` prospect agents."""
        super().__init__(rng=seed)
        self.n, self.p, self.q = n, p, q
        self.prospects = [NaiveProspect(self) for _ in range(n)]

    def step(self) -> None:
        """Every prospect steps once, in random order."""
        self.agents.shuffle_do("step")

    def adopters(self) -> int:
        """Prospects who have adopted."""
        return sum(1 for a in self.prospects if a.adopted_on >= 0)
