"""`JourneyModel`: a Mesa model built from a scenario, stepped one day at a time.

A day: needs arise and fade, trust decays; each channel touches its audience;
word of mouth spreads; prospects move along the journey and are handed to
sales; reps call their leads; those whose four trusts are met buy; customers
are cared for, repeat, churn and review. Every cost goes into the ledger.

One model can advance several replications of the scenario at once (``seeds``):
the prospect columns then hold every replication's rows, and every draw is keyed by
its replication's seed, its stream, the day and the prospect, so a replication's
numbers are those of a run of it alone (see :mod:`sim.model.replicas`). A plain run
is a batch of one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial

import mesa
import numpy as np
from mesa.agentset import AgentSet

from sim.model import aftersale, competition, journey, subscriptions, word_of_mouth
from sim.model.agents import Channel, Prospect
from sim.model.audiences import Audiences
from sim.model.budgets import Budgets, BudgetScale
from sim.model.daily import DailyRecord
from sim.model.ledger import Ledger, Tally
from sim.model.network import SocialGraph
from sim.model.organisation import organise
from sim.model.prospects import (
    N_DIMS,
    N_STAGES,
    OPEN_STAGES,
    ProspectTable,
    Stage,
    populate,
)
from sim.model.recurring import RecurringRevenue
from sim.model.referrals import ReferralProgramme
from sim.model.replicas import Replicas
from sim.model.reps import Rep
from sim.model.reviews import ReviewBoard
from sim.model.touch import decay
from sim.model.touchlog import TouchLog
from sim.scenario.edges import read_edges
from sim.scenario.schema import Scenario

_SELF_SERVE = OPEN_STAGES & (np.arange(N_STAGES) != Stage.UNAWARE)
"""Who may buy without a rep, if the scenario allows it: aware, open prospects."""


class JourneyModel(mesa.Model):
    """The customer journey simulator.

    Args:
        scenario: A validated :class:`~sim.scenario.Scenario` (see ``sim.load_scenario``).
        seed: Seeds everything. The population and the social graph have their own
            streams, so every strategy run with the same seed meets the same prospects;
            every daily draw is keyed by seed, mechanism, day and prospect, so two runs
            that differ in one lever share every other number (common random numbers).
        seeds: Several seeds: one replication each, advanced together (``seed`` is then
            ignored). Replication ``r`` gives the numbers of a run with ``seeds[r]``.
        channel_class: The class of every channel agent, or a mapping from channel name
            to class (channels not named keep :class:`Channel`).
        rep_class: The class of the rep agents.
        prospect_class: The class of the prospect agents. One that defines ``step``
            is stepped every day, after the journey moved (one replication only).
        touch_log: Keep every touch (prospect, day, source, quality) in
            ``prospects.touch_log``, for attribution (:mod:`sim.model.touchlog`).
        budget_scales: Per replication, multiples of channels' budgets (0 = off): a
            coalition or a response curve's point (:mod:`sim.model.budgets`).

    Extension points, besides the agent classes (override them in a subclass):
    :meth:`build_graph` makes the social graph, :meth:`lead_priority` orders the
    leads reps call, and the daily passes (:meth:`update_needs`,
    :meth:`advance_journeys`, :meth:`close_sales`, :meth:`care_for_customers`)
    are where prospect behaviour lives, vectorised over the prospect columns.

    Attributes:
        spec: The scenario (Mesa's own ``model.scenario`` holds the seed).
        replicas: The replications: seeds, generators, row blocks.
        prospects: The prospect columns (:class:`~sim.model.prospects.ProspectTable`),
            replication ``r`` in rows ``r·N .. (r+1)·N``.
        channels, reps: AgentSets of the channel and rep agents (one per channel and
            per rep; each acts in every replication).
        ledger: Every cost and revenue item.
        daily: The daily table of every replication (:class:`~sim.model.daily.DailyRecord`).
        datacollector: Mesa's data collector, one row per day of the first replication
            (while ``collect_every_day``; ``sim.simulate`` turns it off: its result
            holds the daily table of every replication).
    """

    def __init__(
        self,
        scenario: Scenario,
        seed: int = 0,
        *,
        seeds: Sequence[int] | None = None,
        channel_class: type[Channel] | Mapping[str, type[Channel]] = Channel,
        rep_class: type[Rep] = Rep,
        prospect_class: type[Prospect] = Prospect,
        touch_log: bool = False,
        budget_scales: Sequence[BudgetScale] | None = None,
    ) -> None:
        """Build the population, the social graph and the agents from ``scenario``."""
        seeds = [int(seed)] if seeds is None else [int(s) for s in seeds]
        self.prospect_class = prospect_class
        self._stepped_prospects = prospect_class.step is not mesa.Agent.step
        if self._stepped_prospects and len(seeds) > 1:
            raise ValueError("prospect agents with their own step run one replication at a time")
        super().__init__(rng=seeds[0])
        self.spec = scenario
        self.seed = seeds[0]
        size = scenario.population.size
        self.replicas = Replicas(seeds, size)
        self.sources = scenario.touch_sources()
        enabled = scenario.enabled_channels()
        self.source_index = {name: i for i, name in enumerate(self.sources)}
        self.budgets = Budgets(budget_scales, self.replicas.count, enabled)

        self.prospects = ProspectTable(self.replicas.rows, len(self.sources), size)
        if touch_log:
            self.prospects.touch_log = TouchLog()
        graphs = []
        for r, s in enumerate(seeds):
            population_seed, graph_seed = np.random.SeedSequence(s).spawn(2)
            populate(
                self.prospects,
                r * size,
                np.random.default_rng(population_seed),
                scenario.population,
                scenario.product.satisfaction,
            )
            graphs.append(self.build_graph(np.random.default_rng(graph_seed)))
        self.graph = SocialGraph.stack(graphs)
        self.prospects.term_price[:] = scenario.product.price
        subscriptions.spread_installed_base(self.prospects, scenario, self.replicas)
        self.recurring = RecurringRevenue(self.prospects, scenario, self.replicas)

        self.ledger = Ledger(self.replicas)
        programme = scenario.word_of_mouth.referral_programme
        self.referrals = ReferralProgramme(
            programme, self.replicas, scenario.population.sample_share
        )
        self.tally = Tally(self.sources, N_DIMS, self.replicas)
        sales = organise(self.prospects, scenario, self.replicas, self.lead_priority)
        self.calendar, self.committees, self.teams = sales.calendar, sales.committees, sales.teams
        self.pipeline, self.sales_queue = sales.pipeline, sales.queue
        self.reviews = ReviewBoard(
            self.prospects,
            scenario.reviews,
            scenario.attention,
            self.source_index["reviews"],
            self.replicas,
            scenario.population.sample_share,
        )
        if type(self).touched is not JourneyModel.touched:
            self.prospects.observers.append(
                lambda rows, quality, source: self.touched(rows, self.sources[source], quality)
            )
        self.rep_touches_total = np.zeros(self.replicas.count, dtype=np.int64)
        self.audiences = Audiences()
        self._hubs: dict[float, np.ndarray] = {}
        self._prospect_agents: AgentSet | None = None
        self._new_customers = np.zeros(self.replicas.count, dtype=np.int64)
        self.won_today: list[np.ndarray] = []

        classes = (
            channel_class
            if isinstance(channel_class, Mapping)
            else dict.fromkeys(enabled, channel_class)
        )
        self.channels = AgentSet(
            [
                classes.get(n, Channel)(self, n, scenario.channels[n], self.source_index[n])
                for n in enabled
            ],
            random=self.random,
        )
        self.reps = AgentSet(
            [
                rep_class(self, team, person)
                for name, team in self.teams.items()
                if name != "csm"
                for person in range(team.people)
            ],
            random=self.random,
        )
        self.daily = DailyRecord(
            scenario.horizon_days, self.replicas.count, enabled, scenario.population.sample_share
        )
        self._record_day()
        self.datacollector = mesa.DataCollector(
            model_reporters={key: partial(_today, key) for key in self.daily.columns}
        )
        self.datacollector.collect(self)
        self.collect_every_day = True

    @property
    def day(self) -> int:
        """The day being simulated (1 on the first step)."""
        return self.steps

    @property
    def today(self) -> dict[str, float]:
        """The daily-table row of the last day simulated (first replication)."""
        return self._today

    def prospect_agents(self) -> AgentSet:
        """Mesa agents viewing the prospects of the first replication, made on first use.

        Prospect state lives in the columns of ``prospects``; a :class:`Prospect` agent
        reads and writes its row. One Python object per prospect costs seconds and
        hundreds of megabytes per million, so the model makes them only when asked;
        after that ``agents_by_type[<prospect class>]`` holds them too.
        """
        if self._prospect_agents is None:
            rows = range(self.spec.population.size)
            self._prospect_agents = AgentSet(
                [self.prospect_class(self, row) for row in rows], random=self.random
            )
        return self._prospect_agents

    def content_lift(self) -> np.ndarray:
        """Quality lift of content from what reps have learned, per replication.

        Source: “Rub those sore sales muscles!”.
        """
        sales = self.spec.sales
        touches = self.rep_touches_total / self.spec.population.sample_share  # the market's
        return 1.0 + sales.feedback_to_marketing * (
            1.0 - np.exp(-touches / sales.feedback_scale_touches)
        )

    def step(self) -> None:
        """Simulate one day."""
        day = self.day
        self.ledger.start_day()
        self.recurring.start_day()
        self.replicas.day = day
        self.prospects.today = day
        self._new_customers[:] = 0
        self.won_today = []
        self.prospects.looked = self.prospects.looked[:0]
        self.update_needs()
        decay(self.prospects, self.spec.attention)
        self.committees.decay(self.spec.attention.decay_per_day)
        journey.opt_out(self)
        self.audiences.clear()
        self.channels.do("step")
        word_of_mouth.spread(self, self.graph)
        self.advance_journeys()
        if self._stepped_prospects:
            self.prospect_agents().shuffle_do("step")
        self.sales_queue.plan_day(day)
        if self.pipeline is not None:
            self.pipeline.plan_day(self.sales_queue.leads, day)
        self.reps.do("step")
        self.close_sales()
        competition.compete(self)
        self.sales_queue.give_up(day)
        self.care_for_customers()
        self._record_day()
        if self.collect_every_day:
            self.datacollector.collect(self)
        if day >= self.spec.horizon_days:
            self.running = False

    def run(self) -> None:
        """Run to the scenario's horizon."""
        while self.running:
            self.step()

    def update_needs(self) -> None:
        """Latent needs arise and active ones fade (:func:`sim.model.journey.update_needs`).

        An override that changes ``prospects.need`` (or trust) must also set
        ``prospects.changed[rows] = True``: the journey step, and self-serve buying, look only
        at changed rows.
        """
        journey.update_needs(self)

    def advance_journeys(self) -> None:
        """Prospects whose trust grew move on; leads go to sales (:func:`journey.advance`)."""
        journey.advance(self, self.day)

    def care_for_customers(self) -> None:
        """Care, repeats, churn and reviews (:func:`sim.model.aftersale.care_for_customers`)."""
        aftersale.care_for_customers(self, self.day)

    def best_connected(self, share: float) -> np.ndarray:
        """Whether each row is among the ``share`` of its replication with the most ties.

        Prospects tied with the last one in are in too (full mixing: everyone).
        """
        if share not in self._hubs:
            size = self.spec.population.size
            degrees = np.resize(self.graph.degrees(), self.prospects.n).reshape(-1, size)
            cut = np.quantile(degrees, 1.0 - share, axis=1, method="higher", keepdims=True)
            self._hubs[share] = (degrees >= cut).ravel()
        return self._hubs[share]

    def lead_priority(self, leads: np.ndarray) -> np.ndarray:
        """Sort keys of today's due leads (rows): reps call the smallest first.

        The default follows ``sales.queue_order``: longest waiting first (the time
        each lead became due), or newest first. Override to call, say, the warmest
        leads first (``-self.prospects.trust[leads].sum(axis=1)``).
        """
        due = self.prospects.next_contact[leads]
        return -due if self.spec.sales.queue_order == "newest_first" else due

    def build_graph(self, rng: np.random.Generator) -> SocialGraph:
        """The social graph of one replication's prospects (rows ``0 .. size-1``).

        Override to bring your own network, e.g.
        ``SocialGraph.from_edges(size, sources, targets)`` from a networkx graph.
        ``rng`` is the replication's graph stream.
        """
        wom = self.spec.word_of_mouth
        n = self.spec.population.size
        if wom.network == "full":
            return SocialGraph(n)
        if wom.network == "file":
            return SocialGraph.from_edges(n, *read_edges(wom.network_file, n))
        if wom.network == "small_world":
            return SocialGraph.small_world(rng, n, wom.mean_degree, wom.rewire_share)
        if wom.network == "scale_free":
            return SocialGraph.scale_free(rng, n, wom.mean_degree, wom.degree_exponent)
        degree = wom.mean_degree if wom.network == "graph" else 0.0
        return SocialGraph.random(rng, n, degree)

    def close_sales(self) -> None:
        """Today's eligible buyers (:meth:`eligible_buyers`) decide, and buy or shelve it.

        Leads may end in no decision first (:func:`sim.model.competition.decide`).
        An override hands its buyers to :func:`sim.model.aftersale.win`, the one
        place a prospect becomes a customer (revenue, satisfaction, rewards, tallies).
        """
        winners = competition.decide(self, self.eligible_buyers())
        aftersale.win(self, winners, self.day)
        self._new_customers = self.replicas.counts(winners)

    def touched(self, rows: np.ndarray, source: str, quality: np.ndarray) -> None:
        """Observe every touch as it lands: a public hook (the default does nothing).

        Called after each delivery with the prospects touched (rows), the source's name
        (a channel, ``rep``, ``referral``, ``reviews``) and each touch's quality (0 where
        it bounced). Defined in a subclass, it runs for every touch of every replication;
        write to your own state, not the prospect columns.
        """

    def eligible_buyers(self) -> np.ndarray:
        """Who may buy today (rows): a public hook; override it and filter ``super()``'s rows.

        Generalist reps: leads with a need, a good fit and every trust met. With roles:
        the deals that passed their last stage today with their need (one whose need went
        ended in no decision, :meth:`~sim.model.pipeline.Pipeline.meet`). With self-serve
        buying, also any aware prospect with a need, a good fit and every trust met, among
        those touched since the journey looked.
        """
        table = self.prospects
        if self.pipeline is not None:
            candidates = self.pipeline.deals_to_close()
        else:  # leads stay leads until they buy or give up: today's are the morning's
            leads = self.sales_queue.leads
            candidates = leads[table.need[leads] & table.good_fit[leads]]
            candidates = candidates[self.committees.agree(candidates)]
        if self.spec.handoff.self_serve:  # whoever could buy and did not, bought or left:
            # only prospects changed since the journey looked yesterday can buy today
            since = np.flatnonzero(table.changed)  # touched after the journey looked
            pool = np.union1d(table.looked, since) if since.size else table.looked
            pool = pool[_SELF_SERVE[table.stage[pool]]]
            pool = pool[table.need[pool] & table.good_fit[pool]]
            candidates = np.union1d(candidates, pool[self.committees.agree(pool)])
        return candidates

    def _record_day(self) -> None:
        self.daily.record(
            self.day,
            self.prospects.stage_counts,
            self.sales_queue.pipeline_counts(),
            self._new_customers,
            self.ledger,
            self.recurring,
            self.reviews.scores(),
        )
        self._today = self.daily.today(0)


def _today(key: str, model: JourneyModel) -> float:
    """Model reporter: one figure of the day just simulated (first replication)."""
    return model.today[key]
