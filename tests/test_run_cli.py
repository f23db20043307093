"""The tests' ``run_cli``: a command in a forked process, started as ``python run.py`` would."""

from __future__ import annotations

import os
import sys

from tests.conftest import SCENARIOS, run_cli


def test_a_command_runs_in_its_folder_with_its_own_streams_and_exit_code(tmp_path):
    before = (os.getcwd(), sys.stdout, sys.stderr)
    ok = run_cli("validate", "aida_funnel.yaml", cwd=SCENARIOS)
    assert (ok.returncode, ok.stdout.strip(), ok.stderr) == (0, "ok aida_funnel.yaml", "")
    bad = run_cli("validate", "no_such_file.yaml", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stdout == ""
    assert len(bad.stderr.splitlines()) == 1 and "no_such_file.yaml" in bad.stderr
    assert (os.getcwd(), sys.stdout, sys.stderr) == before  # this process is untouched


def test_a_usage_error_exits_as_argparse_makes_it():
    usage = run_cli("no-such-command")
    assert usage.returncode == 2
    assert "invalid choice: 'no-such-command'" in usage.stderr
    assert run_cli("--help").returncode == 0
