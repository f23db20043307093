"""Flighting: a channel's weekly spend weights move its budget in time and keep it."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.model.agents import Flighting
from tests.conftest import run_cli, small


def weekly_spend(result: sim.RunResult, channel: str) -> np.ndarray:
    days = result.daily[result.daily["day"] >= 1]
    return days.groupby((days["day"] - 1) // 7)[f"spend.{channel}"].sum().to_numpy()


def test_unflighted_time_is_calendar_time():
    plain = Flighting(None)
    assert [plain.to_date(d) for d in (0, 1, 7, 365)] == [0, 1, 7, 365]


def test_cycle_keeps_the_budget():
    flighting = Flighting([3, 1, 0, 0])  # scaled to average 1: [3, 1, 0, 0] / 1
    assert flighting.cycle_days == 28
    assert flighting.to_date(28) == pytest.approx(28)
    assert flighting.to_date(56) == pytest.approx(56)
    assert flighting.to_date(7) == pytest.approx(21)  # the first week carries 3 weeks' budget
    assert flighting.to_date(21) == pytest.approx(28)  # nothing left for the off weeks


def test_week_on_week_off_spends_twice_in_the_on_weeks_and_the_same_in_total():
    plain = small(days=84, **{"channels.search_content.reach_per_day": 1.0})
    flighted = small(
        days=84,
        **{
            "channels.search_content.reach_per_day": 1.0,
            "channels.search_content.flighting": [1, 0],
        },
    )
    a, b = sim.simulate(plain, seed=3), sim.simulate(flighted, seed=3)
    on, off = weekly_spend(b, "search_content")[0::2], weekly_spend(b, "search_content")[1::2]
    steady = weekly_spend(a, "search_content")
    assert off.sum() == 0
    assert on == pytest.approx(2 * steady[0::2], rel=0.02)
    assert b.kpis["spend_actual.search_content"] == pytest.approx(
        a.kpis["spend_actual.search_content"], rel=0.01
    )


def test_a_reach_capped_channel_cannot_catch_up_in_its_on_weeks():
    # the webinar's audience caps its touches: twice the budget in a week buys no more
    capped = {"channels.webinar.reach_per_day": 0.01}
    plain = small(days=84, **capped)
    flighted = small(days=84, **capped, **{"channels.webinar.flighting": [1, 0]})
    a, b = sim.simulate(plain, seed=3), sim.simulate(flighted, seed=3)
    assert b.kpis["spend_actual.webinar"] < 0.8 * a.kpis["spend_actual.webinar"]


@pytest.mark.parametrize(
    ("value", "shown"),
    [("[0, 0]", "[0, 0]"), ("[1, -1]", "-1"), ("[]", "[]"), ("[1, .nan]", "nan")],
)
def test_bad_flighting_is_one_line_naming_the_field(tmp_path, value, shown):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "channels:\n  webinar:\n    cost_per_touch: 1\n    reach_per_day: 1\n"
        "    audience: everyone\n    stages: [aware]\n    quality: {mean: 1}\n"
        f"    trust: {{subject: 1}}\n    flighting: {value}\n"
    )
    result = run_cli("validate", str(path))
    assert result.returncode == 2, result.stdout
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in line
    assert str(path) in line and "channels.webinar.flighting" in line and shown in line, line
