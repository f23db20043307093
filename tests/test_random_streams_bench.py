"""Issue 26's table (``python -m benchmarks.random_streams``), a smoke run on a tiny market.

Only this checkout is measured (``--skip-baseline``): the worktree that holds today's
code is tested in ``tests/test_crn_bench.py``. What the figures must be is a property
of the model, tested elsewhere; here, that every row is measured, tabled and judged.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json

import pytest

from benchmarks.crn import LEVERS
from benchmarks.random_streams import QUICK, format_table, main


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    """The smoke run's printed table and its JSON."""
    saved = tmp_path_factory.mktemp("bench") / "figures.json"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["--quick", "--skip-baseline", "--json", str(saved)]) == 0
    return printed.getvalue(), json.loads(saved.read_text())


def rows(table: str) -> list[list[str]]:
    """The table's body rows, split into cells."""
    lines = [line for line in table.splitlines() if line.startswith("| ")][1:]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


def test_every_figure_of_the_issue_is_measured_and_tabled(quick):
    table, figures = quick
    assert figures["today"] is None
    now = figures["now"]
    assert figures["command"] == (
        "python -m benchmarks.random_streams --quick --skip-baseline --json "
        + figures["command"].split("--json ")[1]
    )
    sources = now["crn"]["removal"]["sources"]
    assert list(now["crn"]["paired"]) == [label for label, _ in LEVERS]
    many = now["compare"]
    assert (many["replications"], many["runs"], many["prospects"]) == (2, 10, 300)
    assert many["wall_s"] > 0
    [naive] = now["naive"]
    assert (naive["prospects"], naive["days"]) == (QUICK["sizes"][0], QUICK["naive_days"])
    assert naive["batch"] > 1 and naive["ratio"] > 0
    assert len(now["load"]) == 2 and now["seconds"] > 0

    body = rows(table)
    assert len(body) == len(LEVERS) + len(sources) + 1 + 2  # compare; naive batched, one run
    assert all(len(cells) == 5 and cells[1] == "—" for cells in body)  # today not measured
    for cells, row in zip(body, now["crn"]["paired"].values(), strict=False):
        assert cells[2] == f"{row['ratio']:.2f}"
        assert cells[4] == ("yes" if row["ratio"] <= 0.25 else "**no**")
    for cells, source in zip(body[len(LEVERS) :], sources.values(), strict=False):
        lost_all = source["every_customer"]
        assert cells[4] == ("n/a: every customer is lost without it, the CI is the total's"
                            if lost_all else "— (needs today's)")  # fmt: skip
    assert body[-3][0].startswith("`compare` of the 5 strategies x 2 replications, 300 x 10")
    assert [cells[3] for cells in body[-2:]] == ["—", "—"]  # the issue sets no goal at 500
    assert table.splitlines()[-1] == f"`{figures['command']}`"
    assert "this checkout only" in table and "noisy" in table


def test_both_columns_and_every_goal_are_judged(quick):
    _, figures = quick
    today, now = figures["now"], copy.deepcopy(figures["now"])
    today["code"], now["code"] = "e361414", "abc1234 + changes"
    label = next(iter(now["crn"]["paired"]))
    now["crn"]["paired"][label]["ratio"] = 0.3
    now["compare"]["wall_s"] = 8.5
    for side in (today, now):
        side["naive"][0]["prospects"] = 10_000
    now["naive"][0]["ratio"], now["naive"][0]["batched_ratio"] = 31.0, 149.0
    sources = now["crn"]["removal"]["sources"]
    narrowed = next(s for s, f in sources.items() if not f["every_customer"])
    today["crn"]["removal"]["sources"][narrowed]["halfwidth"] = 10.0
    sources[narrowed]["halfwidth"] = 2.5

    table = format_table(today, now, "python -m benchmarks.random_streams")
    assert "| figure | today (e361414) | now (abc1234 + changes) | goal | met |" in table
    body = {cells[0]: cells[1:] for cells in rows(table)}
    paired = next(cells for figure, cells in body.items() if figure.endswith(f"{label} "
                  "(touchpoint_management.yaml, 300 x 20, 2 seeds)"))  # fmt: skip
    assert paired[1:] == ["0.30", "≤ 0.25", "**no**"]
    removal = next(cells for figure, cells in body.items() if f"without {narrowed} " in figure)
    assert removal == ["±10.0", "±2.5", "≥ 2× narrower", "yes (4.00× narrower)"]
    sources[narrowed]["customers"] = now["crn"]["removal"]["customers"] * 0.995  # nearly all
    table = format_table(today, now, "python -m benchmarks.random_streams")
    assert "yes (4.00× narrower; 99.50% of the customers lost without it)" in table
    wall = next(cells for figure, cells in body.items() if figure.startswith("`compare`"))
    assert wall[1:] == ["8.5 s", "≤ 8 s", "**no**"]
    batched, one_run = (cells for figure, cells in body.items() if "10,000 x 3 days" in figure)
    assert batched[1:] == ["149×", "≥ 150×", "**no**"]
    assert one_run[1:] == ["31×", "≥ 30×", "yes"]
    assert "Wall time of the measurement: today" in table


def test_bad_input_is_one_line_and_exit_2(capsys):
    for args, named in (
        (["--sizes", "ten"], "--sizes"),
        (["--baseline", "no-such-ref", "--quick"], "no-such-ref"),
        (["--baseline", "HEAD", "--skip-baseline"], "--skip-baseline"),
    ):
        with pytest.raises(SystemExit) as stopped:
            main(args)
        assert stopped.value.code == 2
        assert named in capsys.readouterr().err.splitlines()[-1]
