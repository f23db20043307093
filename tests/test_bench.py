"""The benchmark: a fast smoke run by default, the full one on demand (``-m slow``)."""

from __future__ import annotations

import json

import pytest

from benchmarks.bench import compare_naive, format_report, run_benchmark
from tests.conftest import run_cli


def test_bench_smoke(tmp_path):
    out = tmp_path / "bench.json"
    result = run_cli("bench", "--quick", "--json", str(out))
    assert result.returncode == 0, result.stderr
    assert "naive Mesa" in result.stdout and "peak RSS" in result.stdout
    report = json.loads(out.read_text())
    assert [c["prospects"] for c in report["comparison"]] == [2000, 20000]
    for row in report["scaling"]:
        assert row["step_s"] > 0 and row["peak_rss_gb"] > 0 and row["customers"] >= 0
    assert report["graph"]["ties"] > 0


def test_naive_and_ours_run_the_same_model():
    row = compare_naive(20_000, 60)
    # same Bass model: the same adopter share after 60 days, within noise
    assert row["naive_adopters"] == pytest.approx(row["ours_adopters"], abs=0.03)
    assert row["ours_adopters"] > 0.05
    assert row["ratio"] > 2  # already at 20k prospects


def test_bench_rejects_bad_sizes():
    result = run_cli("bench", "--sizes", "ten")
    assert result.returncode == 2 and "sizes" in result.stderr


@pytest.mark.slow
def test_full_benchmark_meets_the_goals():
    report = run_benchmark((10_000, 100_000, 1_000_000), 365, 30)
    print(format_report(report))
    scaling = {row["prospects"]: row for row in report["scaling"]}
    assert scaling[100_000]["step_s"] <= 2.0
    assert scaling[1_000_000]["step_s"] <= 15.0
    assert scaling[1_000_000]["end_to_end_s"] <= 30.0
    assert scaling[1_000_000]["peak_rss_gb"] <= 1.5
    assert report["graph"]["build_s"] <= 2.0
