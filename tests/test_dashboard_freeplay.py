"""Free play without a browser: each lever's value in words, and the saved named setups."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from sim.dashboard import setups
from sim.dashboard.freeplay import choices, lever_value, shipped_value, value_words
from sim.dashboard.levers import LEVERS
from sim.scenario.loading import load_scenario
from tests.conftest import ROOT


def test_free_play_shows_each_levers_value_as_shipped_in_words():
    scenario = load_scenario(ROOT / "scenarios" / "aida_funnel.yaml")
    assert shipped_value("response_time", scenario) == scenario.sales.response_time_hours
    assert shipped_value("competition", scenario) == pytest.approx(
        scenario.competition.buy_elsewhere_per_day * 100
    )
    assert shipped_value("network", scenario) == scenario.word_of_mouth.network
    assert shipped_value("budget_split", scenario) == round(
        100 * scenario.channel_budget() / scenario.monthly_budget()
    )
    assert shipped_value("touch_quality", scenario) == 1.0
    lever = LEVERS["response_time"]
    assert 4.0 in choices(lever, 4.0) and choices(lever, 6.0)[-1] == 72  # the value now, offered
    assert value_words(LEVERS["network"], "graph") == "friends at random"

    @dataclass
    class Side:
        shipped: object
        pulled: dict

    assert lever_value(Side(scenario, {"care": 2}), "care") == (2, False)
    assert lever_value(Side(scenario, {}), "care") == (
        scenario.after_sale.care_touches_per_month,
        True,
    )


def test_setups_are_saved_by_name_in_one_file_and_read_back(tmp_path):
    folder = tmp_path / "touchpoint"
    assert setups.load_setups(folder) == {}
    setups.save_setup("  Fast   reps ", {"left": {"response_time": 1}, "right": {}}, folder)
    saved = setups.save_setup("No care", {"right": {"care": 0}}, folder)
    assert list(saved) == ["Fast reps", "No care"]
    assert setups.load_setups(folder) == saved
    assert saved["No care"] == {"left": {}, "right": {"care": 0}}
    assert sorted(p.name for p in folder.iterdir()) == ["setups.json"]  # no temporary left


@pytest.mark.parametrize(
    ("name", "setup", "message"),
    [
        ("", {}, "setup name: 1 to 60 characters; got 0"),
        ("x" * 61, {}, "got 61"),
        ("../../etc/passwd", {"left": {"not_a_lever": 1}}, "no lever named 'not_a_lever'"),
    ],
)
def test_a_bad_setup_is_refused_in_one_line_and_nothing_is_written(tmp_path, name, setup, message):
    with pytest.raises(setups.SetupError, match=message):
        setups.save_setup(name, setup, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_setup_name_is_a_key_never_a_path(tmp_path):
    setups.save_setup("../../outside", {"left": {"care": 1}}, tmp_path / "mine")
    assert [p.name for p in tmp_path.rglob("*")] == ["mine", "setups.json"]


def test_a_foreign_setups_file_is_one_line_naming_it(tmp_path):
    (tmp_path / "setups.json").write_text("[1, 2]")
    with pytest.raises(setups.SetupError, match=r"setups.json: not a setups file"):
        setups.load_setups(tmp_path)
    (tmp_path / "setups.json").write_text("{nope")
    with pytest.raises(setups.SetupError, match=r"setups.json: not a setups file"):
        setups.load_setups(tmp_path)


def test_the_setups_folder_is_the_trainers_own(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert setups.setups_folder() == tmp_path / "touchpoint"
    assert str(setups.setups_folder()).startswith(str(Path(tmp_path)))
