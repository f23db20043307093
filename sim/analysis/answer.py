"""A plain answer first: two or three sentences an executive can read for one plan and one KPI.

Built from a row of :func:`~sim.analysis.decision.decision_table`, the plan's rows of
:func:`~sim.analysis.decision.decision_sensitivity` and, when the answer flips, its
:class:`~sim.analysis.discovery.FlipRegion`: how much the plan changes the KPI with its
plausible range, how often it is better and what it does at worst, and which unknown
decides it. Figures keep three significant digits, with thousands separators.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from sim.analysis.decision import LEVEL, WORST_CASE, better_sign
from sim.analysis.discovery import FlipRegion, NoRegion
from sim.analysis.kpis import CATALOGUE

ACRONYMS = {"cac": "CAC", "clv": "CLV", "arr": "ARR", "roi": "ROI", "p90": "90th percentile"}
"""Words of KPI names written as a marketer writes them."""

STATISTICS = frozenset({"mean", "sd", "median", "low", "high", "min", "max", "shape", "scale"})
"""Last parts of an input key that name a parameter of the field, shown in parentheses."""

MODEST = 0.1
"""An input explaining less of the difference's variance than this does not decide it."""

CHANNEL_FIELDS = {"quality": "touch quality"}
"""A channel's fields, where their bare name would be unclear."""


def figure(value: float) -> str:
    """``value`` to three significant digits, thousands separated (``12,300``, ``0.0457``, ``16``).

    Trailing zeros of a decimal part are dropped: ``16``, not ``16.0``.
    """
    if not math.isfinite(value):
        return "n/a"
    if value == 0:
        return "0"
    digits = 2 - math.floor(math.log10(abs(value)))
    rounded = round(value, digits)
    if rounded == 0:
        return "0"
    text = f"{rounded:,.{max(digits, 0)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(share: float) -> str:
    """A share as whole percent, never rounding a partial share to 0 or 100; ``n/a`` if NaN."""
    if math.isnan(share):
        return "n/a"
    whole = round(100 * share)
    if 0 < share < 1:
        whole = min(max(whole, 1), 99)
    return f"{whole}"


def kpi_label(kpi: str) -> str:
    """A KPI's name in words: ``cost_of_sale`` → cost of sale, ``funnel.lost`` → funnel: lost."""
    parts = [
        " ".join(ACRONYMS.get(word, word) for word in part.split("_")) for part in kpi.split(".")
    ]
    return ": ".join(parts)


def input_label(key: str) -> str:
    """An uncertain input's dotted key in words.

    ``channels.linkedin.quality.mean`` → ``Linkedin's touch quality (mean)``;
    ``market.size`` → ``Market size``. A last part naming a parameter of the field
    (:data:`STATISTICS`) goes in parentheses; a channel's fields are its own.
    """
    parts = key.split(".")
    statistic = f" ({parts.pop()})" if len(parts) > 1 and parts[-1] in STATISTICS else ""
    if parts[0] == "channels" and len(parts) >= 3:
        owner, fields = parts[1], [CHANNEL_FIELDS.get(p, p) for p in parts[2:]]
        owner = _words(owner)
        text = (
            f"{owner}{chr(39) if owner.endswith('s') else chr(39) + 's'} {_words(' '.join(fields))}"
        )
    else:
        text = _words(" ".join(parts))
    return text[:1].upper() + text[1:] + statistic


def _words(text: str) -> str:
    return text.replace("_", " ")


def plain_answer(
    row: Mapping[str, Any],
    baseline: str,
    sensitivity: pd.DataFrame,
    region: FlipRegion | NoRegion | None = None,
    level: float = LEVEL,
) -> list[str]:
    """Two or three sentences for one plan against the baseline on one KPI.

    Args:
        row: The plan's row of :func:`~sim.analysis.decision.decision_table` for the KPI.
        baseline: The baseline's name.
        sensitivity: :func:`~sim.analysis.decision.decision_sensitivity` for the KPI
            (rows of other plans are ignored; empty with no uncertain input).
        region: The plan's :func:`~sim.analysis.discovery.flip_region`, if looked for.
        level: The level ``decision_table`` was given.

    Returns:
        The difference with its plausible range; how often the plan is better and by how
        much at worst (or that the ranges are seed noise only); and, with uncertain
        inputs, where the answer flips or which input moves it most.
    """
    plan, kpi = str(row["scenario"]), str(row["kpi"])
    label = kpi_label(kpi)
    if row["pairs"] == 0:
        return [f"{plan} and {baseline} cannot be compared on {label}: no run defined it for both."]
    if row["low"] == row["high"] == row["expected"] == 0:
        return [f"{plan} and {baseline} give the same {label} in every run."]
    ours = sensitivity[sensitivity["scenario"] == plan] if len(sensitivity) else sensitivity
    uncertain = len(ours) > 0
    sentences = [_difference(row, baseline, level)]
    if math.isnan(row["p_better"]):
        sentences.append(f"Neither a higher nor a lower {label} is better: there is no verdict.")
    else:
        where = "plausible markets" if uncertain else "runs"
        worst = row["worst_case"]
        gain = better_sign(kpi) * worst
        at_worst = (
            "is no different"
            if gain == 0
            else f"is {'still better' if gain > 0 else 'worse'} by {_amount(abs(worst), kpi)}"
        )
        sentences.append(
            f"It is better in {percent(row['p_better'])} % of {where}; at worst "
            f"(1 in {round(1 / WORST_CASE)}) it {at_worst}."
        )
    if not uncertain:
        sentences.append("These ranges cover seed noise only: no input is uncertain.")
    elif isinstance(region, FlipRegion):
        sentences.append(_flip(region))
    else:
        sentences.append(_decider(ours.sort_values("rank").iloc[0], kpi))
    return sentences


def _difference(row: Mapping[str, Any], baseline: str, level: float) -> str:
    plan, kpi = row["scenario"], str(row["kpi"])
    unit = _unit(kpi)
    way = 1.0 if row["expected"] >= 0 else -1.0
    scale = 100.0 if unit == "share" else 1.0
    ends = [_signed(scale * row[end], _counted(kpi)) for end in ("low", "high")]
    within = f"on average ({round(100 * level)} % of outcomes between {ends[0]} and {ends[1]})"
    if _counted(kpi):
        label = kpi_label(kpi)
        named = "" if label == unit else f" ({label})"
        more = "more" if way > 0 else "fewer"
        size = figure(abs(row["expected"]))
        return f"{plan} brings {size} {more} {unit}{named} than {baseline} {within}."
    verb = "raises" if way > 0 else "lowers"
    size = _amount(abs(row["expected"]), kpi)
    return f"{plan} {verb} {kpi_label(kpi)} by {size} against {baseline} {within}."


def _signed(value: float, counted: bool) -> str:
    """A difference with its direction in words: ``7.5 fewer``, ``+120``, ``no change``."""
    if value == 0:
        return "no change"
    if counted:
        return f"{figure(abs(value))} {'more' if value > 0 else 'fewer'}"
    return f"{'+' if value > 0 else '−'}{figure(abs(value))}"


def bounds(region: FlipRegion) -> dict[str, str]:
    """Each input the region restricts, by key: ``between 1 and 2``, ``above 1``, ``below 2``."""
    out = {}
    for key, (low, high) in region.limits.items():
        if low is not None and high is not None:
            out[key] = f"between {figure(low)} and {figure(high)}"
        else:
            out[key] = f"above {figure(low)}" if low is not None else f"below {figure(high)}"
    return out


def _flip(region: FlipRegion) -> str:
    conditions = [f"{input_label(key)} is {bound}" for key, bound in bounds(region).items()]
    return (
        f"The answer flips ({region.scenario} turns {region.flips_to}) if "
        f"{' and '.join(conditions)}: that region holds {percent(region.coverage)} % of the "
        f"{region.flips} runs where it is {region.flips_to}."
    )


def _decider(top: pd.Series, kpi: str) -> str:
    name = input_label(str(top["input"]))
    share = float(top["variance_share"])
    if share < MODEST:
        return (
            f"No uncertain input moves the difference much: {name}, the most, explains "
            f"{percent(share)} % of its variance; the rest is the chance in each run."
        )
    if top["evppi"] > 0:
        return (
            f"{name} decides it most ({percent(share)} % of the difference's variance): "
            "knowing it before choosing is worth "
            f"{_amount(float(top['evppi']), kpi)} a run on average."
        )
    return (
        f"No input changes the answer on its own; {name} moves the difference most "
        f"({percent(float(top['variance_share']))} % of its variance)."
    )


def _amount(value: float, kpi: str) -> str:
    """A size in the KPI's unit: ``17 customers``, ``2.5 percentage points``, ``120 (currency)``."""
    unit = _unit(kpi)
    if unit == "share":
        return f"{figure(100 * value)} percentage points"
    if unit.startswith("currency"):
        return f"{figure(value)} ({unit})"
    if unit in ("", "ratio") or unit.startswith("score"):
        return figure(value)
    one = figure(value) == "1" and unit.endswith("s")
    return f"{figure(value)} {unit[:-1] if one else unit}"


def _unit(kpi: str) -> str:
    try:
        return CATALOGUE.declaration(kpi).unit
    except KeyError:
        return ""


def _counted(kpi: str) -> bool:
    """A count of people or deals that sums across the market (customers, prospects, leads)."""
    try:
        declaration = CATALOGUE.declaration(kpi)
    except KeyError:
        return False
    return declaration.total and not declaration.unit.startswith("currency")
