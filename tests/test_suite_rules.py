"""Rules of the test suite itself: the default run holds no wall-clock bound.

A test that asserts ``elapsed < N seconds`` fails on a busy machine for no fault of the code.
Speed is measured and printed by the benchmark (``benchmarks/``); a generous guard against a
pathological slowdown may stay in a test marked ``slow``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
CLOCKS = {"perf_counter", "time", "monotonic", "perf_counter_ns", "monotonic_ns", "time_ns"}
DURATION_NAME = re.compile(r"(^|_)(secs|seconds|elapsed)$")
"""A name holding a duration: ``seconds``, ``elapsed``, ``build_seconds``."""
DURATION_KEY = re.compile(r"_(s|ms|secs|seconds)$|(^|_)(seconds|elapsed)$")
"""A figure's key holding a duration: ``step_median_s``, ``build_s``."""


def _is_clock(node: ast.AST) -> bool:
    """``time.perf_counter()``, ``perf_counter()`` and the like."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in CLOCKS and (not isinstance(func, ast.Attribute) or _named(func.value, "time"))


def _named(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _is_elapsed(node: ast.AST, elapsed: set[str]) -> bool:
    """An expression holding a duration: a clock minus something, or a name bound to one."""
    for part in ast.walk(node):
        if isinstance(part, ast.BinOp) and isinstance(part.op, ast.Sub):
            if _is_clock(part.left):
                return True
        if isinstance(part, ast.Name) and (part.id in elapsed or DURATION_NAME.search(part.id)):
            return True
        if (
            isinstance(part, ast.Subscript)
            and isinstance(part.slice, ast.Constant)
            and isinstance(part.slice.value, str)
            and DURATION_KEY.search(part.slice.value)
        ):
            return True
    return False


def _bounds_a_duration(compare: ast.Compare, elapsed: set[str]) -> bool:
    """``duration < N`` or ``N > duration`` (a duration found positive is no bound)."""
    sides = [compare.left, *compare.comparators]
    for left, op, right in zip(sides, compare.ops, sides[1:], strict=False):
        if isinstance(op, ast.Lt | ast.LtE) and _is_elapsed(left, elapsed):
            return True
        if isinstance(op, ast.Gt | ast.GtE) and _is_elapsed(right, elapsed):
            return True
    return False


def _is_slow(decorators: list[ast.expr]) -> bool:
    return any("slow" in ast.unparse(d) for d in decorators)


def timed_assertions(source: str) -> list[str]:
    """The default-run tests of a module that assert on a measured duration.

    Args:
        source: A test module's text.

    Returns:
        ``name:line`` of each such assertion.
    """
    tree = ast.parse(source)
    module_slow = any(
        isinstance(node, ast.Assign)
        and any(_named(t, "pytestmark") for t in node.targets)
        and "slow" in ast.unparse(node.value)
        for node in tree.body
    )
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef) or not function.name.startswith("test"):
            continue
        if module_slow or _is_slow(function.decorator_list):
            continue
        elapsed: set[str] = set()
        for node in ast.walk(function):
            if isinstance(node, ast.Assign) and _is_elapsed(node.value, elapsed):
                elapsed |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        for node in ast.walk(function):
            if isinstance(node, ast.Assert) and any(
                isinstance(part, ast.Compare) and _bounds_a_duration(part, elapsed)
                for part in ast.walk(node.test)
            ):
                found.append(f"{function.name}:{node.lineno}")
    return found


def test_no_default_test_asserts_a_duration():
    offenders = {
        str(path.relative_to(TESTS)): hits
        for path in sorted(TESTS.rglob("*.py"))
        if (hits := timed_assertions(path.read_text()))
    }
    assert offenders == {}, "move wall-clock bounds into a test marked slow"


def test_the_rule_sees_a_timed_assertion_and_spares_the_slow_one():
    source = """
import time
import pytest

def test_fast():
    start = time.perf_counter()
    build()
    seconds = time.perf_counter() - start
    assert seconds < 4.0

def test_inline():
    began = time.perf_counter()
    assert time.perf_counter() - began < 30

def test_a_measured_figure():
    figures = measure()
    assert figures["steps"] == 5
    assert figures["step_median_s"] <= 0.3
    assert figures["build_s"] > 0

def test_waits_for_a_process():
    deadline = time.monotonic() + 120
    assert time.monotonic() < deadline

@pytest.mark.slow
def test_guarded():
    start = time.perf_counter()
    assert time.perf_counter() - start < 10.0
"""
    assert timed_assertions(source) == [
        "test_fast:9",
        "test_inline:13",
        "test_a_measured_figure:18",
    ]
