"""Bad input gets one short message naming file, field and value; exit 2; nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import sim
from tests.conftest import SHIPPED, run_cli


def write(tmp_path: Path, text: str, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_every_shipped_scenario_validates():
    result = run_cli("validate", *map(str, SHIPPED))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"ok {p}" for p in SHIPPED]


def test_shipped_strategies_share_one_population():
    populations = {json.dumps(sim.load_scenario(p).population.model_dump()) for p in SHIPPED}
    assert len(populations) == 1


@pytest.mark.parametrize(
    ("body", "field", "value"),
    [
        ("populaton:\n  size: 10\n", "populaton", "{'size': 10}"),
        ("population:\n  sise: 10\n", "population.sise", "10"),
        ("population:\n  size: many\n", "population.size", "'many'"),
        ("channels:\n  email:\n    budget: -5\n", "channels.email.budget", "-5"),
        ("channels:\n  email:\n    budget: .nan\n", "channels.email.budget", "nan"),
        ("channels:\n  email:\n    cost_per_touch: .inf\n", "channels.email.cost_per_touch", "inf"),
        ("population:\n  good_fit_share: 1.5\n", "population.good_fit_share", "1.5"),
        (
            "channels:\n  email:\n    quality: {mean: 0, sd: 1}\n",
            "channels.email.quality",
            "{'mean': 0, 'sd': 1}",
        ),
        ("channels:\n  email:\n    stages: [nowhere]\n", "channels.email.stages.0", "'nowhere'"),
        ("horizon_days: 0\n", "horizon_days", "0"),
        ("sales:\n  reach_at_once: 0.2\n  reach_later: 0.5\n", "sales.reach_later", "0.5"),
    ],
)
def test_bad_field_is_named_with_its_value(tmp_path, tmp_out, body, field, value):
    path = write(tmp_path, body)
    result = run_cli("run", str(path), "--out", str(tmp_out))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1
    assert str(path) in line and field in line and value in line
    assert not tmp_out.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("population: [1, 2\n", "malformed YAML"),
        ("- just\n- a list\n", "top level must be a mapping"),
        ("", "file is empty"),
        ("population: {size: !!python/object:os.system ls}\n", "malformed YAML"),
    ],
)
def test_unreadable_files_are_refused(tmp_path, text, expected):
    path = write(tmp_path, text)
    result = run_cli("validate", str(path))
    assert result.returncode == 2
    assert expected in result.stderr and str(path) in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_file(tmp_path):
    result = run_cli("run", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2
    assert "nope.yaml: file not found" in result.stderr


def test_yaml_bomb_is_refused_quickly(tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    path = write(tmp_path, "\n".join(lines) + "\n")
    with pytest.raises(sim.ScenarioError, match="aliases expand"):
        sim.load_scenario(path)


def test_huge_file_is_refused(tmp_path):
    path = write(tmp_path, "description: '" + "x" * 1_100_000 + "'\n")
    with pytest.raises(sim.ScenarioError, match="limited to 1 MB"):
        sim.load_scenario(path)


def test_error_never_echoes_a_whole_value(tmp_path):
    path = write(tmp_path, "name: [" + ", ".join(["'xxxxxxxxxx'"] * 500) + "]\n")
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(path)
    assert len(str(err.value)) < 300


def test_override_of_unknown_field_is_refused(tmp_out):
    result = run_cli("run", str(SHIPPED[0]), "--set", "population.sise=5", "--out", str(tmp_out))
    assert result.returncode == 2
    assert "population.sise (from --set): no such field" in result.stderr
    assert not tmp_out.exists()


def test_override_of_unknown_channel_is_refused():
    with pytest.raises(sim.ScenarioError, match="channels.telepathy.budget"):
        sim.load_scenario(SHIPPED[0], {"channels.telepathy.budget": 100})


def test_bad_override_value_names_the_field():
    with pytest.raises(sim.ScenarioError, match=r"population.size \(override\).*-3"):
        sim.load_scenario(SHIPPED[0], ["population.size=-3"])


def test_overrides_apply():
    scenario = sim.load_scenario(SHIPPED[0], ["population.size=1234", "handoff.qualify=true"])
    assert scenario.population.size == 1234 and scenario.handoff.qualify is True


def test_extends_cycle_is_refused(tmp_path):
    write(tmp_path, "extends: b.yaml\n", "a.yaml")
    write(tmp_path, "extends: a.yaml\n", "b.yaml")
    with pytest.raises(sim.ScenarioError, match="circular"):
        sim.load_scenario(tmp_path / "a.yaml")


def test_schema_is_json_schema_of_the_format():
    result = run_cli("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["additionalProperties"] is False
    assert {"population", "channels", "sales", "word_of_mouth"} <= set(schema["properties"])


def test_internal_error_is_one_line_without_debug(tmp_path):
    out = tmp_path / "file"
    out.write_text("not a folder")
    result = run_cli(
        "run", str(SHIPPED[0]), "--out", str(out / "x"), "--set", "population.size=100"
    )
    assert result.returncode == 2
    assert "exists and is not a folder" in result.stderr and "Traceback" not in result.stderr


# --- messages a user can act on: did you mean, the line, no silent default channel -------


def test_misspelled_channel_is_refused_with_a_suggestion_and_its_line(scenario_copy):
    path = scenario_copy / "typo.yaml"
    path.write_text(
        "extends: touchpoint_management.yaml\nname: typo\n"
        "channels:\n  webinars: {enabled: true, budget: 2000}\n"
    )
    result = run_cli("validate", str(path))
    assert result.returncode == 2
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1
    assert f"{path} line 4: channels.webinars" in line
    assert "did you mean 'webinar'?" in line and "missing cost_per_touch" in line


def test_a_new_channel_that_says_what_it_is_is_accepted(scenario_copy):
    path = scenario_copy / "new.yaml"
    path.write_text(
        "extends: touchpoint_management.yaml\nname: with_podcast\nchannels:\n"
        "  podcast: {enabled: true, budget: 500, cost_per_touch: 0.5, reach_per_day: 0.05,\n"
        "            audience: everyone, stages: [unaware, aware], quality: {mean: 0.8},\n"
        "            trust: {subject: 1.0}}\n"
    )
    assert sim.load_scenario(path).channels["podcast"].budget == 500


@pytest.mark.parametrize(
    ("body", "where", "suggestion"),
    [
        ("populaton:\n  size: 10\n", "line 1: populaton", "'population'"),
        ("sales:\n  reps: 2\n  response_time_hour: 3\n", "line 3: sales.response_time_hour",
         "'response_time_hours'"),
        ("channels:\n  email:\n    budgt: 5\n", "line 3: channels.email.budgt", "'budget'"),
    ],
)  # fmt: skip
def test_unknown_key_gets_its_line_and_a_suggestion(tmp_path, body, where, suggestion):
    path = write(tmp_path, body)
    with pytest.raises(sim.ScenarioError) as info:
        sim.load_scenario(path)
    message = str(info.value)
    assert f"{path} {where}" in message and f"did you mean {suggestion}?" in message


def test_the_line_is_in_the_file_that_wrote_the_value(scenario_copy):
    base = scenario_copy / "bad_base.yaml"
    base.write_text("extends: touchpoint_management.yaml\nname: b\nsales:\n  reps: -1\n")
    child = scenario_copy / "child.yaml"
    child.write_text("extends: bad_base.yaml\nname: c\n")
    with pytest.raises(sim.ScenarioError, match=rf"{child} \({base} line 4\): sales\.reps"):
        sim.load_scenario(child)
