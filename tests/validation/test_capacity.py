"""The B2B sales organisation as queues: Little's law, capacity that binds, speed to lead.

On the shipped B2B market (``scenarios/b2b/saas.yaml``: SDRs answer and qualify leads
in office hours, AEs run each opportunity through its stages), with the team and the
policy set here so that the tests do not hang on the file's tuning:

- Little's law (Little 1961): in a steady state, the opportunities open on an average
  day equal the rate at which they open times the mean time one stays open, each
  measured on its own (the daily table's ``pipeline.<stage>`` columns; the entry and
  exit of every deal, seen in the prospect table day by day).
- Capacity binds: twice the leads for the same SDRs answers them later and turns fewer
  into opportunities; one more SDR answers them sooner, at an SDR's pay.
- Oldroyd, McElheran & Elkington, "The Short Life of Online Sales Leads", Harvard
  Business Review (2011), 1.25 M leads: firms that tried a lead within the hour were
  nearly 7× as likely to qualify it (a conversation with a decision maker) as those
  that tried an hour later; Elkington / MIT & InsideSales.com, "Lead Response
  Management Study" (2007): 21× the odds when called within 5 minutes rather than 30.
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.analysis.results import RunResult, simulate_batch
from sim.model.daily import pipeline_column
from sim.model.model import JourneyModel
from sim.model.pipeline import DISCOVERY
from sim.model.prospects import Stage
from sim.model.reps import Rep
from sim.scenario.vocabulary import OPPORTUNITY_STAGES
from tests.conftest import SCENARIOS

B2B = SCENARIOS / "b2b" / "saas.yaml"
AT_ONCE = {"sales.response_time_hours": 0}
"""The policy: call a lead as soon as someone is free, so response time is all capacity and
calendar (the shipped file may add a policy delay; a lead due two hours after it arrives
is never answered within the hour)."""


def open_deals(model: JourneyModel) -> np.ndarray:
    """Whether each row is an open opportunity (a lead past the SDR, not yet decided)."""
    table = model.prospects
    return (table.stage == Stage.SALES_QUALIFIED) & (table.deal_stage >= DISCOVERY)


def test_open_opportunities_are_their_arrival_rate_times_their_time_open():
    """L = λW over days 150-399 of eight replications of 8,000 accounts (steady by then).

    The pipeline fills in a wave over the first ~150 days, then holds steady. λ: deals
    opened in the window per day; W: the mean days each stays open (exit day − entry
    day: the days it is counted at the end of a day), to its exit even after the
    window (the run goes on 160 days, more than any deal stays); L: the mean of the
    daily columns. The two edges (deals open at the start; the days after the end of
    those opened in it) cancel only on average: over 24 seeds one replication's L/λW
    had an SD of 0.05, so the mean of eight is within 8 % (4 SD) of 1.
    """
    seeds, horizon, first, last = list(range(1, 9)), 560, 150, 400
    scenario = sim.load_scenario(B2B, {"population.size": 8000, "horizon_days": horizon})
    model = JourneyModel(scenario, seeds=seeds)
    model.collect_every_day = False
    was = open_deals(model)
    since = np.where(was, 0, -1)
    stays, counts = [], [model.replicas.counts(np.flatnonzero(was))]
    while model.running:
        model.step()
        now = open_deals(model)
        since[now & ~was] = model.day
        gone = np.flatnonzero(was & ~now)
        stays.append(np.column_stack([gone, since[gone], np.full(gone.size, model.day)]))
        counts.append(model.replicas.counts(np.flatnonzero(now)))
        was = now
    still = np.flatnonzero(was)  # open at the end: left after the horizon
    stays.append(np.column_stack([still, since[still], np.full(still.size, horizon + 1)]))
    row, entry, leave = np.concatenate(stays).T
    counts = np.array(counts)  # (day 0 .. horizon, replication)
    columns = [pipeline_column(stage) for stage in OPPORTUNITY_STAGES]
    for r in range(len(seeds)):  # from day 1: day 0's row shows no opening pipeline
        daily = model.daily.frame(r)[columns].sum(axis=1).to_numpy()
        assert np.array_equal(daily[1:], counts[1:, r]), r
    once = np.isin(row, np.flatnonzero(np.bincount(row) == 1)) & (entry > 0)
    assert np.array_equal(model.prospects.opportunity_day[row[once]], entry[once])

    window = (entry >= first) & (entry < last)
    assert (leave[window] <= horizon).all()  # every deal opened in the window has left
    arrivals = window.sum() / (last - first)
    time_open = (leave - entry)[window].mean()
    in_pipeline = counts[first:last].sum(axis=1).mean()
    assert in_pipeline == pytest.approx(arrivals * time_open, rel=0.08)


SEEDS = [1, 2, 3]
"""Paired seeds: every arm runs on the same three."""


def sdr_team(size: int, sdrs: int) -> sim.Scenario:
    """The B2B market of ``size`` accounts, a year, its leads answered by ``sdrs`` SDRs.

    Each SDR gives 5 hours a day to inbound leads, 10 minutes an activity (exponential):
    30 activities a day. 6,000 accounts (~1,000 leads a year) keep one SDR busy; 12,000
    overload them.
    """
    team = {
        "population.size": size,
        "horizon_days": 365,
        "sales.roles.sdr.headcount": sdrs,
        "sales.roles.sdr.hours_per_day": 5,
        "sales.roles.sdr.minutes_per_activity": 10,
        "sales.roles.sdr.minutes_cv": 1.0,
    }
    return sim.load_scenario(B2B, {**AT_ONCE, **team})


@pytest.fixture(scope="module")
def arms() -> dict[str, list[RunResult]]:
    """Each arm's runs, one per seed: the base, twice the leads, and one more SDR."""
    teams = {"base": (6000, 1), "twice the leads": (12000, 1), "one more SDR": (12000, 2)}
    return {arm: simulate_batch(sdr_team(*team), SEEDS) for arm, team in teams.items()}


def figure(arms: dict[str, list[RunResult]], arm: str, kpi: str) -> np.ndarray:
    """One KPI of one arm, per seed."""
    return np.array([run.kpis[kpi] for run in arms[arm]], dtype=float)


def sdr_pay(arms: dict[str, list[RunResult]], arm: str) -> np.ndarray:
    """What the SDRs were paid (the ledger's rows of ``sdr_1``, ``sdr_2``, ...), per seed."""
    return np.array(
        [
            run.ledger.loc[run.ledger["payer"].str.startswith("sdr_"), "amount"].sum()
            for run in arms[arm]
        ]
    )


RESPONSE = "lead_response_hours"
TO_OPPORTUNITY = "conversion_rate.sales_qualified_to_opportunity"


def test_twice_the_leads_for_the_same_team_are_answered_later_and_won_less(arms):
    """One SDR busy, then overloaded: per seed, the median answer at least 2× later
    (measured: 22-40 h → 75-106 h) and at least 3 points fewer leads become opportunities
    (measured: 29-32 % → 23-26 %: leads wait, reach fewer decision makers, more have gone
    cold, and some are never called).
    """
    base, twice = "base", "twice the leads"
    assert (figure(arms, twice, RESPONSE) >= 2 * figure(arms, base, RESPONSE)).all()
    assert (figure(arms, twice, TO_OPPORTUNITY) <= figure(arms, base, TO_OPPORTUNITY) - 0.03).all()


def test_one_more_sdr_answers_the_overload_sooner_at_an_sdrs_pay(arms):
    """Per seed, a second SDR answers at least 3× sooner (measured: 75-106 h → 5.1-6.6 h),
    turns more leads into opportunities, and costs more: the SDRs' pay rises by 90-100 %
    of an SDR's 70,000 a year (the second SDR's pay, less any overtime the lone one did:
    calls started before closing and ended after it, booked at the same rate; 0-41 a year
    in this market, where cold leads need few follow-ups). A cent of slack for the sums.
    """
    alone, helped = "twice the leads", "one more SDR"
    assert (figure(arms, helped, RESPONSE) * 3 <= figure(arms, alone, RESPONSE)).all()
    assert (figure(arms, helped, TO_OPPORTUNITY) > figure(arms, alone, TO_OPPORTUNITY)).all()
    assert (figure(arms, helped, "sales_cost") > figure(arms, alone, "sales_cost")).all()
    extra = sdr_pay(arms, helped) - sdr_pay(arms, alone)
    assert ((extra >= 0.9 * 70_000) & (extra <= 70_000 + 0.01)).all(), extra


class FirstCalls(Rep):
    """A rep who notes, for each lead they call first, the hours it waited since it arrived."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.first_calls: list[np.ndarray] = []  # (row, handoff day, hours waited)

    def choose_leads(self) -> np.ndarray:
        rows = super().choose_leads()
        table = self.model.prospects
        if self.team.name == "sdr":
            first = table.rep_touches[rows] == 0
            lead, when = rows[first], self.when[first]
            arrived = table.handoff_day[lead] + table.handoff_hour[lead] / 24.0
            self.first_calls.append(
                np.column_stack([lead, table.handoff_day[lead], (when - arrived) * 24.0])
            )
        return rows


@pytest.fixture(scope="module")
def first_calls() -> tuple[np.ndarray, np.ndarray]:
    """Hours each lead of the shipped market waited for its first call, and whether it became
    an opportunity: two replications of 25,000 accounts over a year, leads handed off by
    day 335 (each has had its calls) and once only (the outcome is theirs).
    """
    horizon = 365
    scenario = sim.load_scenario(B2B, {**AT_ONCE, "horizon_days": horizon})
    model = JourneyModel(scenario, seeds=[1, 2], rep_class=FirstCalls)
    model.collect_every_day = False
    model.run()
    calls = np.concatenate([call for rep in model.reps for call in rep.first_calls])
    row, handoff = calls[:, 0].astype(np.int64), calls[:, 1]
    table = model.prospects
    once = np.bincount(row, minlength=table.n)[row] == 1
    kept = once & (table.handoff_day[row] == handoff) & (handoff <= horizon - 30)
    return np.round(calls[kept, 2], 6), table.opportunity_day[row[kept]] >= 0


def test_leads_called_within_the_hour_become_opportunities_more_often(first_calls):
    """The direction: leads called within the hour of arriving become opportunities more
    often than those called later, by more than 4 standard errors of the difference.
    (Measured: 67 % of ~1,800 leads against 24 % of ~2,700: about 31 standard errors.)
    """
    waited, opportunity = first_calls
    soon, late = opportunity[waited < 1.0], opportunity[waited >= 1.0]
    error = np.sqrt(soon.var() / soon.size + late.var() / late.size)
    assert soon.mean() - late.mean() > 4 * error, (soon.mean(), late.mean(), error)


def test_leads_called_within_the_hour_are_several_times_as_likely_to_qualify(first_calls):
    """The order of magnitude: HBR's ~7× within the hour against later, within a factor of 3
    (at least 2.3×; the MIT study's 21× odds for 5 against 30 minutes is the same order).

    Measured: 2.8× (67 % of ~1,800 leads against 24 % of ~2,700; 2.6-2.9× per seed over
    six seeds). Two things make a late answer cost more than the first call's reach: a
    first call reaches the decision maker with a chance that fades from ``reach_at_once``
    towards ``reach_later`` (half-life ``reach_half_life_hours``), and a lead reached for
    the first time is still interested with a chance that fades from 1 towards
    ``interest_later`` (half-life ``interest_half_life_hours``): the rest have moved on.
    Without the second, the follow-up calls every ``follow_up_days`` reach most of the
    late leads that are reached at all, and the model gave ~1.4×.
    """
    waited, opportunity = first_calls
    ratio = opportunity[waited < 1.0].mean() / opportunity[waited >= 1.0].mean()
    assert 7.0 / 3.0 <= ratio <= 7.0 * 3.0, ratio
