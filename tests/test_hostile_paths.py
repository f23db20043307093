"""Files a scenario or a targets file names: anything but a regular file is one line, exit 2.

``extends``, ``word_of_mouth.network_file`` and a targets file's ``series.file`` name
files. A named pipe, a folder, a device, a loop of symbolic links, a NUL character, a
name too long for the file system or one that is not UTF-8 is refused without opening
the file (a pipe would block the reader forever), naming the file, the field and the
value.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from sim.cli.main import main
from tests.conftest import ROOT, SCENARIOS

SECONDS = 60
"""A refusal takes a few seconds even on a busy machine; a reader blocked on a pipe is
stopped (and fails) after this."""

MEMORY = 2 * 1024**3
"""Bytes a command may map: a reader of /dev/zero fails at this instead of filling the machine."""


def pipe(folder: Path, suffix: str) -> str:
    os.mkfifo(folder / f"pipe{suffix}")
    return f"pipe{suffix}"


def subfolder(folder: Path, suffix: str) -> str:
    (folder / f"box{suffix}").mkdir()
    return f"box{suffix}"


def device(folder: Path, suffix: str) -> str:
    (folder / f"zero{suffix}").symlink_to("/dev/zero")
    return f"zero{suffix}"


def loop(folder: Path, suffix: str) -> str:
    (folder / f"loop{suffix}").symlink_to(f"loop{suffix}")
    return f"loop{suffix}"


def nul(folder: Path, suffix: str) -> str:
    return f"a\0b{suffix}"


def too_long(folder: Path, suffix: str) -> str:
    return "a" * 300 + suffix


def not_utf8(folder: Path, suffix: str) -> str:
    return f"caf\udce9{suffix}"  # the byte 0xe9 (Latin-1 é), as Python spells it


def surrogate(folder: Path, suffix: str) -> str:
    return f"a\ud800b{suffix}"


UNICODE = "not valid UTF-8|unable to parse raw data as a unicode string"
"""The refusal of a name that is not UTF-8: ours, or the schema's for a field it types."""

HOSTILE: dict[str, tuple[Callable[[Path, str], str], str]] = {
    "folder": (subfolder, "is a folder, not a regular file"),
    "symlink-loop": (loop, "a loop of symbolic links"),
    "nul": (nul, "cannot contain a NUL character"),
    "too-long": (too_long, "name too long"),
    "not-utf8": (not_utf8, UNICODE),
    "surrogate": (surrogate, UNICODE),
}
"""How to make each hostile name in a folder, and what the refusal says (a pattern)."""


def yaml_string(name: str) -> str:
    """``name`` as a YAML double-quoted string (escapes for NUL and lone surrogates)."""
    return json.dumps(name)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A scenario tree with the shipped market, for files that extend it."""
    root = tmp_path / "scenarios"
    shutil.copytree(SCENARIOS / "base", root / "base")
    shutil.copy(SCENARIOS / "touchpoint_management.yaml", root / "tpm.yaml")
    return root


def extends(tree: Path, name: str) -> list[str]:
    (tree / "mine.yaml").write_text(f"extends: {yaml_string(name)}\n")
    return ["validate", str(tree / "mine.yaml")]


def network_file(tree: Path, name: str) -> list[str]:
    (tree / "mine.yaml").write_text(
        "extends: tpm.yaml\npopulation: {size: 300}\n"
        f"word_of_mouth: {{network: file, network_file: {yaml_string(name)}}}\n"
    )
    return ["validate", str(tree / "mine.yaml")]


def series(tree: Path, name: str) -> list[str]:
    (tree / "targets.yaml").write_text(
        f"period_days: 14\nseries: {{file: {yaml_string(name)}, column: won, sd: 1}}\n"
    )
    prior = "population.need_rate_per_day=0.001:0.01"
    return ["calibrate", str(tree / "tpm.yaml"), "--targets", str(tree / "targets.yaml"),
            "--param", prior, "--out", str(tree / "out")]  # fmt: skip


FIELDS = {
    "extends": (extends, ".yaml", ("mine.yaml", "extends: ")),
    "network_file": (network_file, ".csv", ("mine.yaml", "word_of_mouth.network_file: ")),
    "series": (series, ".csv", ("targets.yaml", "series.file: ")),
}
"""Each field that names a file: the command that reads it, its suffix, where it is named."""


def refusal(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert lines[0].startswith("error: ") and "Traceback" not in text, text
    return lines[0]


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("case", HOSTILE)
def test_a_hostile_name_is_refused_in_one_line(tree, capsys, field, case):
    command, suffix, (where, key) = FIELDS[field]
    make, reason = HOSTILE[case]
    status = main(command(tree, make(tree, suffix)))
    line = refusal(capsys.readouterr().err)
    assert status == 2
    assert where in line and key in line and re.search(reason, line), line


def limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize(
    ("make", "kind"), [(pipe, "is a named pipe"), (device, "is a device")], ids=["pipe", "device"]
)
def test_a_file_without_end_is_refused_without_being_opened(tree, field, make, kind):
    command, suffix, (where, key) = FIELDS[field]
    name = make(tree, suffix)
    args = command(tree, name)
    if make is device and field != "series":
        args += ["--scenario-root", "/"]  # /dev/zero is inside this tree: only its kind refuses
    if make is device and field == "series":  # the link leads out of the targets' folder
        kind = "is outside the targets file's folder"
    result = subprocess.run(  # a reader that opened it would block or fill the memory: it fails
        [sys.executable, str(ROOT / "run.py"), *args],
        capture_output=True,
        text=True,
        timeout=SECONDS,
        cwd=ROOT,
        preexec_fn=limited,
    )
    line = refusal(result.stderr)
    assert result.returncode == 2
    assert f"{where}: {key}{name!r} {kind}" in line and "refused" in line


def test_a_targets_file_that_is_a_named_pipe_is_refused_without_being_opened(tree):
    os.mkfifo(tree / "targets.yaml")
    prior = "population.need_rate_per_day=0.001:0.01"
    args = ["calibrate", str(tree / "tpm.yaml"), "--targets", str(tree / "targets.yaml"),
            "--param", prior]  # fmt: skip
    result = subprocess.run(
        [sys.executable, str(ROOT / "run.py"), *args],
        capture_output=True,
        text=True,
        timeout=SECONDS,
        cwd=ROOT,
    )
    line = refusal(result.stderr)
    assert result.returncode == 2 and "targets.yaml is a named pipe, not a regular file" in line


def test_a_scenario_file_that_is_a_symlink_loop_is_one_line(tmp_path, capsys):
    (tmp_path / "loop.yaml").symlink_to("loop.yaml")
    assert main(["validate", str(tmp_path / "loop.yaml")]) == 2
    assert "loop.yaml: a loop of symbolic links; refused" in refusal(capsys.readouterr().err)


@pytest.mark.parametrize("case", ["symlink-loop", "nul", "too-long", "not-utf8"])
def test_a_story_side_with_a_hostile_name_is_one_line(tree, case):
    from sim.dashboard.stories import StoryError, load_story

    make, reason = HOSTILE[case]
    (tree / "stories").mkdir()
    story = tree / "stories" / "mine.yaml"
    story.write_text(
        f"title: Hostile\nleft: tpm.yaml\nright: {yaml_string(make(tree, '.yaml'))}\n"
        "steps:\n  - {caption: Watch., plots: [cost_of_sale]}\n"
    )
    with pytest.raises(StoryError) as caught:
        load_story(story, tree)
    line = str(caught.value)
    assert "\n" not in line and f"{story}: right: " in line and re.search(reason, line), line
