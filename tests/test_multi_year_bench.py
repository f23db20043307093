"""The multi-year benchmark (``python -m benchmarks.multi_year``) on a tiny market.

Only what the figures count and the shape of the table are checked here: how fast a
multi-year run is belongs to the benchmark itself (docs/performance.md).
"""

from __future__ import annotations

import numpy as np
import pytest

import sim.analysis.kpis.record as record
import sim.analysis.results as results
import sim.model.lifetime as lifetime
from benchmarks.multi_year import _clocks, format_table, main, measure, ratios
from tests.conftest import BUSY, small

TINY = {"population.size": 1_000, **BUSY}


def test_the_run_off_is_timed_on_every_customer_it_lives_on():
    originals = (results.collect_all, record.lifetimes, lifetime._lives)
    spec = small(size=1_000, days=60, **BUSY)
    with _clocks() as clock:
        runs = results.simulate_batch(spec, [0, 1])
    assert (results.collect_all, record.lifetimes, lifetime._lives) == originals
    still = 0
    for run in runs:  # won during the run and still a customer: the rows run off
        since, left = run.record.prospects["customer_since"], run.record.prospects["left_day"]
        still += int(np.count_nonzero((since >= 1) & (left < 0)))
    assert clock["customers"] == still > 0
    assert 0 < clock["_lives"] <= clock["lifetimes"] <= clock["collect_all"]


def test_every_figure_is_measured_and_tabled():
    short = measure("touchpoint_management", TINY, 30, 2)
    long = measure("touchpoint_management", TINY, 365, 2)
    for row in (short, long):
        assert (row["prospects"], row["market_size"], row["replications"]) == (1_000, 1_000, 2)
        assert row["run_s"] == pytest.approx(row["step_s"] + row["collect_s"])
        assert row["run_off_share"] == pytest.approx(row["run_off_s"] / row["run_s"])
        assert {row["run_off_s"] > 0, 0 < row["run_off_share"] < 1} == {True}
        assert row["customers_run_off"] > 0 and row["run_off_us_per_customer"] > 0
        assert row["customers"] > 0 and row["peak_rss_gb"] > 0 and row["cpu_s"] > 0
    rows = [short, long]
    assert ratios(rows) == {"touchpoint_management": long["run_s"] / short["run_s"]}
    assert ratios(rows[::-1], "cpu_s") == {"touchpoint_management": long["cpu_s"] / short["cpu_s"]}
    table = format_table(rows, "python -m benchmarks.multi_year --quick")
    lines = table.splitlines()
    rows_tabled = [line for line in lines if line.startswith("| touchpoint_management | 1,000 |")]
    header = next(line for line in lines if line.startswith("| scenario"))
    assert len(rows_tabled) == 2 and {line.count("|") for line in rows_tabled} == {
        header.count("|")
    }
    assert short["year_cpu_s"] == [] and len(long["year_cpu_s"]) == 1
    assert long["year_cpu_s"][0] > 0
    assert "1 y / 30 d" in table and "each simulated year of the 1 y run" in table
    assert lines[-1] == "`python -m benchmarks.multi_year --quick`"


def test_bad_input_is_one_line(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["--replications", "0"])
    assert stopped.value.code == 2
    assert "--replications" in capsys.readouterr().err.splitlines()[-1]
