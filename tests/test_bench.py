"""The benchmark: a fast smoke run by default, the full one on demand (``-m slow``).

The benchmark lives in ``benchmarks/`` beside the package, run by ``make bench``
(``python -m benchmarks.bench``); the package never imports it.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import pytest

from benchmarks.bench import SCALING_SIZES, SIZES, format_report, run_benchmark
from benchmarks.measure import compare_naive
from tests.conftest import ROOT, run_cli


def run_bench(*args: str) -> subprocess.CompletedProcess:
    """``python -m benchmarks.bench ARGS`` from the repository, as ``make bench`` runs it."""
    return subprocess.run(
        [sys.executable, "-m", "benchmarks.bench", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_bench_smoke(tmp_path):
    out = tmp_path / "bench.json"
    result = run_bench("--quick", "--json", str(out))
    assert result.returncode == 0, result.stderr
    assert "naive Mesa" in result.stdout and "peak RSS" in result.stdout
    assert "runs/s" in result.stdout
    report = json.loads(out.read_text())
    assert [row["workers"] for row in report["many_runs"]] == [1, 2]
    assert all(row["runs"] == 10 and row["runs_per_s"] > 0 for row in report["many_runs"])
    assert [c["prospects"] for c in report["comparison"]] == [2000, 20000]
    assert all(c["batch"] > 1 and c["batched_rate"] > 0 for c in report["comparison"])
    for row in report["scaling"]:
        assert row["step_s"] > 0 and row["peak_rss_gb"] > 0 and row["customers"] >= 0
    assert report["graph"]["ties"] > 0


def test_naive_and_ours_run_the_same_model():
    row = compare_naive(20_000, 60)
    # same Bass model: the same adopter share after 60 days, within noise
    assert row["naive_adopters"] == pytest.approx(row["ours_adopters"], abs=0.03)
    assert row["ours_adopters"] > 0.05
    assert row["ratio"] > 2  # already at 20k prospects


def test_bench_rejects_bad_input_in_one_line():
    for args, named in ((["--sizes", "ten"], "--sizes"), (["--days", "0"], "--days")):
        result = run_bench(*args)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert named in result.stderr.splitlines()[-1]
    missing = run_bench("--scenario", "no-such.yaml")
    assert missing.returncode == 2 and "no-such.yaml" in missing.stderr.splitlines()[-1]


def test_the_package_never_imports_the_benchmarks():
    """No import, and no module name handed to importlib, reaches ``benchmarks`` from sim/."""
    reaching = []
    for path in sorted((ROOT / "sim").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                names = [node.value]
            else:
                continue
            if any(name.split(".")[0] == "benchmarks" for name in names):
                reaching.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert reaching == []
    assert "invalid choice: 'bench'" in run_cli("bench").stderr


@pytest.mark.slow
def test_full_benchmark_keeps_its_figures():
    """Regression guards at the figures measured on the 2-core machine (docs), with margin.

    Speed is judged against naive Mesa measured in the same run: the machine is shared
    and its speed varies more than twofold from one day to the next.
    """
    report = run_benchmark(SIZES, SCALING_SIZES, 365, 30)
    print(format_report(report))
    serial, pooled = report["many_runs"]
    ratios = {row["prospects"]: row for row in report["comparison"]}
    naive_year = 10_000 * 365 / ratios[10_000]["naive_rate"]  # a naive 10k-year, seconds
    assert pooled["runs_per_s"] * naive_year >= 18  # compare: 150 runs in <= 1/18 of naive
    assert pooled["runs_per_s"] >= 1.3 * serial["runs_per_s"]
    assert ratios[1_000_000]["ratio"] >= 150
    assert ratios[10_000]["batched_ratio"] >= 50
    scaling = {row["prospects"]: row for row in report["scaling"]}
    assert scaling[10_000_000]["end_to_end_s"] <= 90.0
    assert scaling[10_000_000]["peak_rss_gb"] <= 8.0
    assert report["graph"]["build_s"] <= 15.0
