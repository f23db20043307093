"""Public extension points: agent classes, the hooks of JourneyModel, and every runner."""

from __future__ import annotations

import mesa
import numpy as np
import pytest

import sim
from sim.analysis.results import collect
from sim.experiments import compare, sensitivity, sweep
from sim.model.agents import Channel, Prospect
from sim.model.model import JourneyModel
from sim.model.network import SocialGraph
from sim.model.prospects import Stage
from sim.model.reps import Rep
from tests.conftest import small


class Curious(Prospect):
    """A prospect with its own daily step: it counts its days."""

    def step(self) -> None:
        self.model.curious_steps += 1


class CountingModel(JourneyModel):
    curious_steps = 0


class Loud(Channel):
    """A channel that doubles the quality of its touches."""

    def touch_quality(self, rows):
        return 2.0 * super().touch_quality(rows)


class Recording(Rep):
    """A rep that remembers whom it called each day, when each became due and was called."""

    called: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def choose_leads(self):
        leads = super().choose_leads()
        due = self.model.prospects.next_contact[leads].copy()
        Recording.called.append((leads, due, self.when.copy()))
        return leads


def test_a_prospect_class_with_a_step_is_stepped_every_day():
    model = CountingModel(small(size=200, days=5), seed=1, prospect_class=Curious)
    model.run()
    assert model.curious_steps == 200 * 5
    assert len(model.agents_by_type[Curious]) == 200
    assert all(type(a) is Curious for a in model.prospect_agents())
    with pytest.raises(ValueError, match="one replication"):
        JourneyModel(small(size=200, days=5), seeds=[1, 2], prospect_class=Curious)


def test_removing_a_prospect_takes_it_out_of_the_market():
    model = JourneyModel(small(size=300, days=60), seed=2)
    agent = model.prospect_agents().to_list()[5]
    row = agent.row
    agent.remove()
    touches = model.prospects.touches_by_source[row].copy()
    model.run()
    assert model.prospects.stage[row] == Stage.LOST
    np.testing.assert_array_equal(model.prospects.touches_by_source[row], touches)
    assert agent not in model.agents


def test_channel_classes_per_channel():
    scenario = small(size=300, days=10)
    model = JourneyModel(scenario, seed=1, channel_class={"webinar": Loud})
    kinds = {c.name: type(c) for c in model.channels}
    assert kinds.pop("webinar") is Loud
    assert set(kinds.values()) == {Channel}


def test_lead_priority_orders_the_calls():
    class Highest(JourneyModel):
        def lead_priority(self, leads):
            return -leads.astype(float)  # highest row first

    Recording.called = []
    busy = {"sales.reps": 1, "sales.minutes_per_touch": 90}  # leads wait: the order shows
    scenario = small("aida_funnel", size=3000, days=90, **busy)
    model = Highest(scenario, seed=1, rep_class=Recording)
    model.run()
    assert sum(leads.size for leads, _, _ in Recording.called) > 10
    # whenever a rep picked a lead, every lead already due that they called later that
    # day came after it in the priority: a lower row
    compared = 0
    for leads, due, when in Recording.called:
        order = np.argsort(when, kind="stable")
        leads, due, when = leads[order], due[order], when[order]
        for i in range(leads.size):
            waiting = due[i + 1 :] <= when[i]
            compared += int(waiting.sum())
            assert (leads[i + 1 :][waiting] < leads[i]).all()
    assert compared > 0


def test_a_graph_of_ones_own():
    class Star(JourneyModel):
        def build_graph(self, rng):
            n = self.spec.population.size
            return SocialGraph.from_edges(n, np.zeros(n - 1, int), np.arange(1, n))

    model = Star(small(size=100, days=5), seed=1)
    degrees = model.graph.degrees()
    assert degrees[0] == 99 and set(degrees[1:]) == {1}
    model.run()
    with pytest.raises(ValueError, match="ties must be pairs"):
        SocialGraph.from_edges(3, [0], [3])


def test_custom_data_collection_does_not_break_results():
    model = JourneyModel(small(size=300, days=20), seed=3)
    model.datacollector = mesa.DataCollector(
        model_reporters={"warm": lambda m: int((m.prospects.trust.sum(axis=1) > 1).sum())}
    )
    model.run()
    assert len(model.datacollector.get_model_vars_dataframe()) == 20
    result = collect(model)
    assert (
        result.kpis["customers"] == sim.simulate(small(size=300, days=20), seed=3).kpis["customers"]
    )


def test_every_runner_takes_custom_classes():
    base = small(size=300, days=20)
    plain = compare([base, small("aida_funnel", size=300, days=20)], 2, workers=1, progress=False)
    custom = compare(
        [base, small("aida_funnel", size=300, days=20)],
        2,
        workers=1,
        progress=False,
        rep_class=Recording,
        model_class=CountingModel,
    )
    # a subclass that changes nothing gives the same numbers, run one at a time
    assert plain.kpis.equals(custom.kpis)
    loud = sweep(base, {"sales.reps": [1, 2]}, workers=1, progress=False,
                 channel_class={"webinar": Loud})  # fmt: skip
    assert len(loud) == 2
    indices = sensitivity(base, {"handoff.level": (0.4, 0.9)}, "morris", samples=2,
                          replications=2, workers=1, progress=False,
                          channel_class=Loud)  # fmt: skip
    assert len(indices)


def test_classes_other_processes_cannot_import_are_refused():
    class Local(Rep):
        pass

    with pytest.raises(sim.InputError, match="cannot import"):
        compare([small(size=200, days=5), small("aida_funnel", size=200, days=5)], 2,
                workers=2, progress=False, rep_class=Local)  # fmt: skip


def test_importable_classes_run_on_other_processes():
    scenarios = [small(size=300, days=20), small("aida_funnel", size=300, days=20)]
    plain = compare(scenarios, 2, workers=1, progress=False)
    pooled = compare(scenarios, 2, workers=2, progress=False, rep_class=Recording)
    assert plain.kpis.equals(pooled.kpis)


def test_removing_a_prospect_who_has_left_changes_nothing():
    model = JourneyModel(small(size=300, days=60), seed=2)
    model.run()
    gone = np.flatnonzero(model.prospects.stage == Stage.CHURNED)
    disqualified = np.flatnonzero(model.prospects.stage == Stage.DISQUALIFIED)
    agents = {a.row: a for a in model.prospect_agents()}
    for row in [*gone[:3], *disqualified[:3]]:
        before = model.prospects.stage[row]
        agents[row].remove()
        assert model.prospects.stage[row] == before


def test_a_prospect_agent_made_a_lead_is_called_like_any_lead():
    """Leads are tracked from the handoffs; a stage set by an agent is still found."""
    model = JourneyModel(small(size=300, days=5), 1)
    model.step()
    agent = next(a for a in model.prospect_agents() if a.stage == Stage.AWARE)
    agent.stage = Stage.SALES_QUALIFIED
    model.sales_queue.plan_day(model.day + 1)
    assert agent.row in model.sales_queue.leads
    assert model.sales_queue.leads.size == model.prospects.stage_counts[0, Stage.SALES_QUALIFIED]


def test_a_channel_class_sets_the_quality_of_its_touches():
    scenario = small(size=300, days=10)
    plain = JourneyModel(scenario, seed=1, touch_log=True)
    loud = JourneyModel(scenario, seed=1, channel_class={"webinar": Loud}, touch_log=True)
    webinar = plain.source_index["webinar"]
    for _ in range(10):  # until the webinar has touched someone who listened
        plain.step()
        loud.step()
        a, b = plain.prospects.touch_log.columns(), loud.prospects.touch_log.columns()
        mine = a["source"] == webinar
        if (a["quality"][mine] > 0).any():
            break
    assert (a["quality"][mine] > 0).any()
    np.testing.assert_allclose(b["quality"][mine], 2.0 * a["quality"][mine], rtol=1e-6)


class TwoCallsFirst(JourneyModel):
    """Who may buy: only leads a rep has called at least twice (a buying-committee rule)."""

    def eligible_buyers(self):
        rows = super().eligible_buyers()
        return rows[self.prospects.rep_touches[rows] >= 2]


def test_who_may_buy_is_a_hook_a_subclass_filters():
    scenario = small(size=3000, days=150)
    stock, strict = JourneyModel(scenario, seed=5), TwoCallsFirst(scenario, seed=5)
    stock.run()
    strict.run()
    won = strict.prospects.customer_since > 0
    assert won.any()
    assert (strict.prospects.rep_touches[won] >= 2).all()
    assert (stock.prospects.rep_touches[stock.prospects.customer_since > 0] < 2).any()
