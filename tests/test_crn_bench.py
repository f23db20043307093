"""The common-random-numbers benchmark (``python -m benchmarks.crn``) on a tiny market.

Only the shape of the report is checked here: how small the paired ratios must be is
a property of the model, tested on full-size runs elsewhere.
"""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

import sim
from benchmarks.crn import LEVERS, field_value, format_table, measure, worktree
from tests.conftest import ROOT, small

TINY = {"size": 1_000, "days": 60, "seeds": 3, "replications": 2}


def test_every_figure_is_measured_and_tabled():
    report = measure(TINY)
    assert list(report["paired"]) == [label for label, _ in LEVERS]
    for (_, field), row in zip(LEVERS, report["paired"].values(), strict=True):
        assert row["field"] == field and row["value"] > 0
        assert (row["prospects"], row["days"], row["seeds"]) == (1_000, 60, 3)
        assert row["sd_customers"] > 0 and row["sd_difference"] >= 0
        assert row["ratio"] == pytest.approx(row["sd_difference"] / row["sd_customers"])
        assert math.isfinite(row["mean_difference"]) and row["seconds"] > 0
        is_budget = field.endswith(".budget")
        assert (row["budget_used"] is not None) == is_budget
    removal = report["removal"]
    assert removal["replications"] == 2 and "webinar" in removal["sources"]
    assert removal["customers"] > 0
    for source in removal["sources"].values():
        assert source["halfwidth"] >= 0 and isinstance(source["every_customer"], bool)
        lost_all = source["customers"] == pytest.approx(removal["customers"])
        assert source["every_customer"] == lost_all

    table = format_table([report, report], "python -m benchmarks.crn --quick --baseline")
    lines = table.splitlines()
    header = next(line for line in lines if line.startswith("| figure"))
    assert header.count("|") == 5 and "baseline" in header and "this checkout" in header
    rows = [line for line in lines if line.startswith("| paired") or line.startswith("| 95 %")]
    assert len(rows) == len(LEVERS) + len(removal["sources"])
    for line, source in zip(rows[len(LEVERS) :], removal["sources"].values(), strict=True):
        if source["halfwidth"] > 0:  # a report against itself: as narrow, not 2× narrower
            assert "1.00×" in line
        assert ("n/a: every customer" in line) == (source["every_customer"] and "×" in line)
    assert lines[-1] == "`python -m benchmarks.crn --quick --baseline`"


def test_a_lever_must_be_a_number_of_the_scenario():
    scenario = small(size=100, days=5)
    assert field_value(scenario, "channels.webinar.budget") == 2000
    for field in ("channels.nope.budget", "channels.webinar.enabled", "sales"):
        with pytest.raises(sim.InputError, match=field):
            field_value(scenario, field)


def test_the_baseline_worktree_is_removed_even_on_error():
    with pytest.raises(RuntimeError, match="inside"), worktree("HEAD") as tree:
        checked_out = tree
        assert (tree / "sim" / "__init__.py").is_file()
        raise RuntimeError("inside")
    assert not checked_out.exists()
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "list"], capture_output=True, text=True, check=True
    )
    assert str(checked_out) not in listed.stdout
    with pytest.raises(RuntimeError, match="no-such-ref"), worktree("no-such-ref"):
        pass


def test_bad_input_is_one_line_and_exit_2():
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.crn", "--seeds", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "--seeds" in done.stderr.splitlines()[-1]
