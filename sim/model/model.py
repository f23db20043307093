"""`JourneyModel`: a Mesa model built from a scenario, stepped one day at a time.

A day: needs arise and fade, trust decays; each channel touches its audience;
word of mouth spreads; prospects move along the journey and are handed to
sales; reps call their leads; those whose four trusts are met buy; customers
are cared for, repeat, churn and review. Every cost goes into the ledger.
"""

from __future__ import annotations

from functools import partial

import mesa
import numpy as np
from mesa.agentset import AgentSet

from sim.model import aftersale, journey
from sim.model.agents import Channel, Prospect, Rep
from sim.model.daily import day_row
from sim.model.ledger import Ledger, Tally
from sim.model.network import SocialGraph, recommendations
from sim.model.prospects import (
    N_DIMS,
    N_STAGES,
    OPEN_STAGES,
    Stage,
    in_stages,
    sample_population,
)
from sim.model.reviews import ReviewBoard
from sim.model.sales import SalesQueue
from sim.model.sampling import bernoulli_rows, sample_quality
from sim.model.touch import decay, deliver
from sim.scenario.schema import Scenario
from sim.scenario.vocabulary import SHARED_SOURCES

_NOT_UNAWARE = np.arange(N_STAGES) != Stage.UNAWARE


class JourneyModel(mesa.Model):
    """The customer journey simulator.

    Args:
        scenario: A validated :class:`~sim.scenario.Scenario` (see ``sim.load_scenario``).
        seed: Seeds everything. The population and the social graph have their own
            streams, so every strategy run with the same seed meets the same prospects.
        prospect_class, channel_class, rep_class: Agent classes, for custom behaviour.

    Attributes:
        spec: The scenario (Mesa's own ``model.scenario`` holds the seed).
        prospects: The prospect columns (:class:`~sim.population.ProspectTable`).
        channels, reps: AgentSets of the channel and rep agents.
        ledger: Every cost and revenue item.
        datacollector: One row per day: stage counts, spend by payer, new customers.
    """

    def __init__(
        self,
        scenario: Scenario,
        seed: int = 0,
        *,
        prospect_class: type[Prospect] = Prospect,
        channel_class: type[Channel] = Channel,
        rep_class: type[Rep] = Rep,
    ) -> None:
        """Build the population, the social graph and the agents from ``scenario``."""
        super().__init__(rng=seed)
        self.spec = scenario
        self.seed = seed
        population_seed, graph_seed = np.random.SeedSequence(seed).spawn(2)
        self.sources = scenario.touch_sources()
        enabled = self.sources[: -len(SHARED_SOURCES)]
        self.source_index = {name: i for i, name in enumerate(self.sources)}

        self.prospects = sample_population(
            np.random.default_rng(population_seed),
            scenario.population,
            scenario.product.satisfaction,
            len(self.sources),
        )
        not_yet = self.prospects.stage == Stage.UNAWARE
        self.prospects.reached[not_yet] = 1 << Stage.UNAWARE
        self.graph = self._build_graph(np.random.default_rng(graph_seed))

        self.ledger = Ledger()
        self.tally = Tally(self.sources, N_DIMS)
        self.sales_queue = SalesQueue(self.prospects, scenario.sales)
        self.reviews = ReviewBoard(
            self.prospects, scenario.reviews, scenario.attention, self.source_index["reviews"]
        )
        self.rep_touches_total = 0
        self._new_customers = 0
        self.today: dict[str, float] = {}

        for row in range(scenario.population.size):
            prospect_class(self, row)
        self.channels = AgentSet(
            [channel_class(self, n, scenario.channels[n], self.source_index[n]) for n in enabled],
            random=self.random,
        )
        self.reps = AgentSet(
            [rep_class(self, i + 1) for i in range(scenario.sales.reps)], random=self.random
        )
        self._referral_weights = np.asarray(scenario.word_of_mouth.trust.as_tuple())
        self.datacollector = mesa.DataCollector(model_reporters=self._reporters())
        self._record_day()
        self.datacollector.collect(self)

    @property
    def day(self) -> int:
        """The day being simulated (1 on the first step)."""
        return self.steps

    def content_lift(self) -> float:
        """Quality lift of content from what reps have learned (“Rub those sore sales muscles!”)."""
        sales = self.spec.sales
        return 1.0 + sales.feedback_to_marketing * (
            1.0 - np.exp(-self.rep_touches_total / sales.feedback_scale_touches)
        )

    def step(self) -> None:
        """Simulate one day."""
        day = self.day
        self.ledger.start_day()
        self._new_customers = 0
        journey.update_needs(self)
        decay(self.prospects, self.spec.attention)
        self._opt_out()
        self.channels.do("step")
        self._word_of_mouth()
        journey.advance(self, day)
        self.sales_queue.plan_day(day)
        self.reps.do("step")
        self._close_sales(day)
        self.sales_queue.give_up(day)
        aftersale.care_for_customers(self, day)
        self._record_day()
        self.datacollector.collect(self)
        if day >= self.spec.horizon_days:
            self.running = False

    def run(self) -> None:
        """Run to the scenario's horizon."""
        while self.running:
            self.step()

    def _build_graph(self, rng: np.random.Generator) -> SocialGraph:
        wom = self.spec.word_of_mouth
        n = self.spec.population.size
        if wom.network == "full":
            return SocialGraph(n)
        degree = wom.mean_degree if wom.network == "graph" else 0.0
        return SocialGraph.random(rng, n, degree)

    def _opt_out(self) -> None:
        """Prospects fatigued past the limit opt out (“Why touchpoint management?”)."""
        table = self.prospects
        tired = np.flatnonzero(table.fatigue > self.spec.attention.opt_out_fatigue)
        tired = tired[OPEN_STAGES[table.stage[tired]]]
        table.move(tired, Stage.LOST)
        table.fatigue[tired] = 0.0
        table.next_contact[tired] = np.inf

    def _word_of_mouth(self) -> None:
        """Open prospects talk with a tie; satisfied customers recommend.

        Source: “Why touchpoint management?”.
        """
        wom = self.spec.word_of_mouth
        table = self.prospects
        if wom.network == "none" or wom.conversation_rate_per_day == 0:
            return
        talkers = bernoulli_rows(
            self.rng, in_stages(table.stage, OPEN_STAGES), wom.conversation_rate_per_day
        )
        price = self.spec.product.price
        lift = wom.reward_uplift * wom.reward / price if price > 0 else 0.0
        lift = min(lift, 1e12)  # a reward worth more than a trillion prices is as good as any
        receivers, referrers = recommendations(self.rng, self.graph, table, talkers, lift)
        if receivers.size == 0:
            return
        latent = receivers[~table.need[receivers]]
        table.need[latent[self.rng.random(latent.size) < wom.need_activation]] = True
        table.referred_by[receivers] = referrers
        deliver(
            table,
            receivers,
            sample_quality(self.rng, wom.quality, receivers.size),
            self._referral_weights,
            self.source_index["referral"],
            self.spec.attention,
            online=False,
        )

    def _close_sales(self, day: int) -> None:
        """Leads (and, if self-serve, any warm prospect) whose four trusts are met buy."""
        table = self.prospects
        buying = Stage.SALES_QUALIFIED
        if self.spec.handoff.self_serve:
            eligible = in_stages(table.stage, OPEN_STAGES & _NOT_UNAWARE)
        else:
            eligible = table.stage == buying
        candidates = np.flatnonzero(eligible & table.need & table.good_fit)
        winners = candidates[table.trusts_met(candidates)]
        aftersale.win(self, winners, day)
        self._new_customers = winners.size

    def _record_day(self) -> None:
        self.today = day_row(
            self.day,
            self.prospects.stage,
            self._new_customers,
            self.ledger,
            (channel.name for channel in self.channels),
            self.reviews.score,
        )

    def _reporters(self) -> dict[str, object]:
        self._record_day()
        return {key: partial(_today, key) for key in self.today}


def _today(key: str, model: JourneyModel) -> float:
    """Model reporter: one figure of the day just simulated."""
    return model.today[key]
