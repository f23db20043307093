"""Foundations: extends stays in the scenario tree, YAML 1.2 scalars, the editor schema,
stores bound to a model version and a scenario, KPI names known before a run, help."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest
import yaml

import sim
import sim.scenario.loading as loading
from sim.analysis.kpis import scenario_kpis
from sim.experiments.store import MANIFEST, RUNS, StoreMismatchError
from sim.model.version import model_version
from sim.scenario.schema import json_schema
from sim.scenario.yaml12 import CoreLoader, parse_value
from tests.conftest import SCENARIOS, run_cli

MARKER_TEXT = "SECRET-MARKER-42"
TPM = SCENARIOS / "touchpoint_management.yaml"
TINY = {"population.size": 300, "horizon_days": 20}
TINY_SET = ("--set", "population.size=300", "--set", "horizon_days=20")


def one_line_refusal(result) -> str:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


# --- extends stays inside the scenario tree ---------------------------------------------


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A real scenario file outside the tree, with a marker that must never be echoed."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    path = folder / "secret.yaml"
    path.write_text(f"name: {MARKER_TEXT}\ndescription: {MARKER_TEXT} private\n")
    return path


def escapes(scenario_copy: Path, outside: Path) -> dict[str, str]:
    """``extends`` values that leave the tree or are not YAML, by test id."""
    (scenario_copy / "notes.txt").write_text(f"name: {MARKER_TEXT}\n")
    (scenario_copy / "link.yaml").symlink_to(outside)
    depth = len(scenario_copy.resolve().parts)
    return {
        "absolute": "/etc/passwd",
        "absolute-yaml": str(outside),
        "dotdot": "../" * depth + "etc/passwd",
        "dotdot-yaml": "../" * depth + str(outside).lstrip("/"),
        "dotdot-parent": f"../{outside.parent.name}/{outside.name}",
        "symlink-out": "link.yaml",
        "proc": "/proc/self/environ",
        "not-yaml-inside": "notes.txt",
    }


ESCAPE_IDS = [
    "absolute",
    "absolute-yaml",
    "dotdot",
    "dotdot-yaml",
    "dotdot-parent",
    "symlink-out",
    "proc",
    "not-yaml-inside",
]


@pytest.mark.parametrize("case", ESCAPE_IDS)
def test_extends_outside_the_tree_is_refused_unread(
    scenario_copy, outside, tmp_path, monkeypatch, case
):
    # "dotdot-parent" climbs from scenarios/ into the sibling tmp_path/elsewhere/
    assert outside.parent.parent == scenario_copy.parent
    target = escapes(scenario_copy, outside)[case]
    strategy = scenario_copy / "strategy.yaml"
    strategy.write_text(f"name: mailed\nextends: {target}\n")
    read: list[Path] = []
    real_read = loading.read_mapping
    monkeypatch.setattr(
        loading, "read_mapping", lambda path, where: read.append(path) or real_read(path, where)
    )
    with pytest.raises(sim.ScenarioError) as caught:
        sim.load_scenario(strategy)
    message = str(caught.value)
    assert message.startswith(f"{strategy}: extends: {target!r}")
    assert "refused" in message
    assert MARKER_TEXT not in message and "root:" not in message
    assert read == [strategy]  # the foreign file was never opened

    result = run_cli("validate", str(strategy), cwd=tmp_path)
    line = one_line_refusal(result)
    assert str(strategy) in line and repr(target) in line
    assert MARKER_TEXT not in result.stderr + result.stdout
    assert result.stdout == ""


def test_proc_environ_is_never_echoed(scenario_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("TOUCHPOINT_TEST_SECRET", MARKER_TEXT)
    strategy = scenario_copy / "environ.yaml"
    strategy.write_text("extends: /proc/self/environ\n")
    result = run_cli("validate", str(strategy), cwd=tmp_path)
    line = one_line_refusal(result)
    assert "/proc/self/environ" in line and "refused" in line
    assert MARKER_TEXT not in result.stderr and os.environ["PATH"] not in result.stderr


def test_chain_is_named_when_a_parent_escapes(scenario_copy, outside):
    (scenario_copy / "walkthrough" / "step.yaml").write_text("extends: ../middle.yaml\n")
    (scenario_copy / "middle.yaml").write_text(f"extends: ../elsewhere/{outside.name}\n")
    start = scenario_copy / "walkthrough" / "step.yaml"
    with pytest.raises(sim.ScenarioError) as caught:
        sim.load_scenario(start)
    message = str(caught.value)
    assert message.startswith(f"{start} -> {start.parent / '../middle.yaml'}: extends:")
    assert "outside the scenario tree" in message and MARKER_TEXT not in message


def test_scenario_root_allows_a_parent_folder(scenario_copy, outside, tmp_path):
    strategy = scenario_copy / "strategy.yaml"
    strategy.write_text(f"description: mine\nextends: ../elsewhere/{outside.name}\n")
    with pytest.raises(sim.ScenarioError, match="outside the scenario tree"):
        sim.load_scenario(strategy)
    loaded = sim.load_scenario(strategy, root=tmp_path)
    assert loaded.name == MARKER_TEXT and loaded.description == "mine"

    refused = run_cli("validate", str(strategy), cwd=tmp_path)
    assert "outside the scenario tree" in one_line_refusal(refused)
    allowed = run_cli("validate", str(strategy), "--scenario-root", str(tmp_path), cwd=tmp_path)
    assert allowed.returncode == 0, allowed.stderr
    assert allowed.stdout.strip() == f"ok {strategy}"


def test_scenario_root_does_not_widen_beyond_itself(scenario_copy, outside):
    strategy = scenario_copy / "walkthrough" / "deep.yaml"
    strategy.write_text(f"extends: ../../elsewhere/{outside.name}\n")
    with pytest.raises(sim.ScenarioError, match="outside the scenario tree"):
        sim.load_scenario(strategy, root=scenario_copy / "walkthrough")
    with pytest.raises(sim.ScenarioError, match="outside the scenario tree"):
        sim.load_scenario(scenario_copy / "walkthrough" / "tpm_no_graph.yaml", root=strategy.parent)


def test_shipped_walkthrough_files_still_load(scenario_copy, tmp_path):
    shipped = sorted((SCENARIOS / "walkthrough").glob("*.yaml"))
    assert len(shipped) >= 4
    for path in shipped:
        scenario = sim.load_scenario(path)
        assert scenario.name == path.stem
        parent = yaml.load(path.read_text(), CoreLoader)["extends"]
        assert parent.startswith("../")
        base = sim.load_scenario(path.parent / parent)
        assert scenario.population == base.population  # the parent was really merged in
    copies = sorted((scenario_copy / "walkthrough").glob("*.yaml"))
    result = run_cli("validate", *(str(p.relative_to(tmp_path)) for p in copies), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == len(shipped)


# --- YAML 1.2 core scalars ------------------------------------------------------------------


def test_sexagesimal_override_is_a_string_not_ninety(tmp_path):
    result = run_cli("validate", str(TPM), "--set", "horizon_days=1:30", cwd=tmp_path)
    line = one_line_refusal(result)
    assert "horizon_days" in line and "'1:30'" in line and "--set" in line
    assert "90" not in line
    with pytest.raises(sim.ScenarioError, match="horizon_days"):
        sim.load_scenario(TPM, ["horizon_days=1:30"])


def test_yaml12_numbers_and_strings_in_a_file(tmp_path):
    path = tmp_path / "yaml12.yaml"
    path.write_text("name: no\ndescription: no\npopulation: {size: 1.0e3}\nhorizon_days: 0x1E\n")
    scenario = sim.load_scenario(path)
    assert scenario.population.size == 1000 and type(scenario.population.size) is int
    assert scenario.description == "no" and scenario.name == "no"
    assert scenario.horizon_days == 30


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("1:30", "1:30"),
        ("1.0e3", 1000.0),
        ("true", True),
        ("False", False),
        ("~", None),
        ("0o17", 15),
        ("012", 12),
    ],
)
def test_parse_value_uses_yaml12_core(text, value):
    parsed = parse_value(text)
    assert parsed == value and type(parsed) is type(value)


def test_yes_is_not_a_boolean(tmp_path):
    # YAML 1.2 reads "yes" as a string and switches are strict: true/false only,
    # in the program as in the editor's schema.
    data = yaml.load("handoff: {qualify: yes, self_serve: no}\n", CoreLoader)
    assert data == {"handoff": {"qualify": "yes", "self_serve": "no"}}
    for field, text in data["handoff"].items():
        with pytest.raises(jsonschema.ValidationError, match=f"'{text}' is not of type 'boolean'"):
            jsonschema.validate({"handoff": {field: text}}, json_schema())
        with pytest.raises(sim.ScenarioError, match=rf"handoff\.{field}: .*boolean.*'{text}'"):
            sim.scenario_from_dict({"handoff": {field: text}}, source="x.yaml")


# --- the editor schema ---------------------------------------------------------------


SCENARIO_FILES = sorted(p for p in SCENARIOS.rglob("*.yaml") if "stories" not in p.parts)


def test_every_folder_of_scenarios_is_covered():
    folders = {p.parent.relative_to(SCENARIOS).as_posix() for p in SCENARIO_FILES}
    assert {".", "base", "walkthrough", "validation"} <= folders


@pytest.mark.parametrize(
    "path", SCENARIO_FILES, ids=[p.relative_to(SCENARIOS).as_posix() for p in SCENARIO_FILES]
)
def test_every_scenario_file_validates_against_the_schema(path):
    jsonschema.validate(yaml.load(path.read_text(), CoreLoader), json_schema())


@pytest.mark.parametrize(
    ("document", "culprit"),
    [
        ({"populaton": {"size": 3}}, "populaton"),
        ({"channels": {"email": {"budgett": 5}}}, "budgett"),
        ({"sales": {"reps": 2, "rep_count": 3}}, "rep_count"),
        ({"extends": "base/market.json"}, "base/market.json"),
        ({"population": {"size": "1:30"}}, "1:30"),
    ],
)
def test_schema_rejects_typos(document, culprit):
    schema = json_schema()
    with pytest.raises(jsonschema.ValidationError, match=culprit):
        jsonschema.validate(document, schema)


def test_cli_schema_is_the_library_schema():
    result = run_cli("schema")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == json.loads(json.dumps(json_schema()))


# --- stores bound to a model version and a base scenario ---------------------------------


def runs_listing(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / RUNS).iterdir())}


def forge_model_hash(out: Path) -> None:
    """Make the store look as if another version of the model made its runs."""
    path = out / RUNS / MANIFEST
    manifest = json.loads(path.read_text())
    manifest["model_hash"] = "0" * 16
    path.write_text(json.dumps(manifest))


def test_store_of_another_model_is_refused_unless_fresh(tmp_out):
    base = sim.load_scenario(TPM, TINY)
    grid = {"sales.reps": [1, 2]}
    first = sim.sweep(base, grid, workers=1, store=tmp_out)
    current = json.loads((tmp_out / RUNS / MANIFEST).read_text())
    assert current["model_hash"] == model_version()["model_hash"]
    assert len(runs_listing(tmp_out)) == 3  # two runs and the manifest

    forge_model_hash(tmp_out)
    before = runs_listing(tmp_out)
    with pytest.raises(StoreMismatchError) as caught:
        sim.sweep(base, grid, workers=1, store=tmp_out)
    assert isinstance(caught.value, sim.InputError)
    assert str(tmp_out / RUNS) in str(caught.value) and "another model" in str(caught.value)
    assert runs_listing(tmp_out) == before  # nothing discarded

    again = sim.sweep(base, grid, workers=1, store=tmp_out, fresh=True)
    assert json.loads((tmp_out / RUNS / MANIFEST).read_text()) == current
    kpis = [c for c in first.columns if c != "seed"]
    assert again[kpis].equals(first[kpis])


def test_store_of_another_scenario_is_refused(tmp_out):
    grid = {"sales.reps": [1, 2]}
    sim.sweep(sim.load_scenario(TPM, TINY), grid, workers=1, store=tmp_out)
    before = runs_listing(tmp_out)
    other = sim.load_scenario(TPM, {**TINY, "population.size": 301})
    with pytest.raises(StoreMismatchError, match="another scenario"):
        sim.sweep(other, grid, workers=1, store=tmp_out)
    assert runs_listing(tmp_out) == before


def test_cli_sweep_refuses_a_stale_store_and_fresh_restarts_it(tmp_path, tmp_out):
    args = ["sweep", str(TPM), "--grid", "sales.reps=1,2", "--workers", "1", "--quiet"]
    out = ["--out", str(tmp_out)]
    assert run_cli(*args, *TINY_SET, *out, cwd=tmp_path).returncode == 0
    current = json.loads((tmp_out / RUNS / MANIFEST).read_text())

    other = run_cli(
        *args, "--set", "population.size=301", "--set", "horizon_days=20", *out, cwd=tmp_path
    )
    line = one_line_refusal(other)
    assert str(tmp_out / RUNS) in line and "another scenario" in line
    assert "(--fresh)" in line and "fresh=True" not in line  # the flag, not the Python argument

    forge_model_hash(tmp_out)
    before = runs_listing(tmp_out)
    stale = run_cli(*args, *TINY_SET, *out, cwd=tmp_path)
    line = one_line_refusal(stale)
    assert line.startswith(f"error: store {tmp_out / RUNS}:") and "another model" in line
    assert runs_listing(tmp_out) == before

    fresh = run_cli(*args, *TINY_SET, *out, "--fresh", cwd=tmp_path)
    assert fresh.returncode == 0, fresh.stderr
    assert json.loads((tmp_out / RUNS / MANIFEST).read_text()) == current
    assert (tmp_out / "sweep.parquet").is_file()


# --- KPI names before a run; help ---------------------------------------------------------


@pytest.mark.parametrize("name", ["touchpoint_management", "aida_funnel"])
def test_scenario_kpis_are_the_kpis_of_a_run(name):
    scenario = sim.load_scenario(SCENARIOS / f"{name}.yaml", TINY)
    names = scenario_kpis(scenario)
    assert len(names) == len(set(names))
    assert names == list(sim.simulate(scenario, seed=3).kpis)


def test_help_exits_zero():
    result = run_cli("--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: run.py")
    assert result.stderr == ""
