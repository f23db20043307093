"""Lift tests run on the simulator: the experiment's estimate beside the truth.

**A randomised holdout** (a conversion-lift study): the channel keeps a random share of
the market out of its reach for the whole run (``channels.<name>.holdout_share``) and does
not buy their touches, so the exposed get what they would have had; the customers won per
prospect in the exposed group against the holdout, times the market, estimate what the
channel wins (Gordon, Zettelmeyer, Bhargava & Chapsky 2019, "A comparison of approaches to
advertising measurement: evidence from big field experiments at Facebook"). Its 95 %
interval is the two-proportion Wald interval. Its target is the channel's removal effect;
whatever links the two groups biases it, as it would a real one: word of mouth, the review
score, a shared rep queue, and another channel whose budget binds (it spends on whoever
is left in its audience, and the holdout changes who that is).

**A geo holdout**, when the market has several regions: the channel is switched off in a
random half of them; the customers per prospect in the regions with it against those
without, times the market, estimate the same removal effect (Vaver & Koehler 2011,
"Measuring ad effectiveness using geo experiments"), with a Welch interval over the
regions: with a handful of regions it is wide, which is the point.

Each replication is one experiment; the interval's coverage of the truth over the
replications checks its nominal 95 % (the first replication is the one a team would run).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.analysis.results import RunResult
from sim.model.agents import held_out
from sim.model.replicas import Replicas

HOLDOUT_COUNTS = ("held", "held_won", "exposed", "exposed_won")
"""What a holdout counts: prospects and customers won in each group."""

Z95 = 1.959963984540054
"""The normal quantile of a two-sided 95 % interval (``scipy.stats.norm.ppf(0.975)``)."""


def holdout_counts(result: RunResult) -> dict[str, dict[str, int]]:
    """Per channel with a holdout: prospects and customers won in each group.

    Called where the run was made (a run spec's ``measure``): the holdout is found
    again from the seed, as the run drew it.
    """
    spec = result.spec
    size = spec.population.size
    rows = np.arange(size)
    won = result.record.prospects["customer_since"] >= 1  # won during the run
    counts = {}
    for name in spec.enabled_channels():
        share = spec.channels[name].holdout_share
        if share > 0:
            held = held_out(Replicas([result.seed], size), name, rows, share)
            counts[name] = dict(
                zip(
                    HOLDOUT_COUNTS,
                    (
                        int(held.sum()),
                        int(won[held].sum()),
                        int((~held).sum()),
                        int(won[~held].sum()),
                    ),
                    strict=True,
                )
            )
    return counts


def holdout_estimates(counts: Sequence[dict[str, int]], size: int) -> pd.DataFrame:
    """One randomised experiment per replication: its estimate of the customers won, ±.

    Args:
        counts: Per replication, the channel's :func:`holdout_counts`.
        size: Prospects in the market (the estimate is scaled to all of them).

    Returns:
        ``replication``, ``estimate``, ``se``, ``low``, ``high`` (customers a run).
    """
    frame = pd.DataFrame(list(counts))
    exposed = frame["exposed_won"] / frame["exposed"]
    held = frame["held_won"] / frame["held"]
    se = size * np.sqrt(
        exposed * (1 - exposed) / frame["exposed"] + held * (1 - held) / frame["held"]
    )
    estimate = size * (exposed - held)
    return pd.DataFrame(
        {
            "replication": np.arange(len(frame)),
            "estimate": estimate,
            "se": se,
            "low": estimate - Z95 * se,
            "high": estimate + Z95 * se,
        }
    )


def geo_estimates(
    on: np.ndarray, off: np.ndarray, population: np.ndarray, seed: int
) -> pd.DataFrame:
    """One geo experiment per replication: the channel off in a random half of regions.

    Needs at least four regions (two on each side).

    Args:
        on: ``replications × regions`` customers with the channel on everywhere.
        off: The same with it off everywhere (the same seeds): a region switched off in
            the experiment shows what it shows there.
        population: Prospects per region.
        seed: Draws each replication's assignment.

    Returns:
        ``replication``, ``regions_off``, ``estimate``, ``se``, ``low``, ``high``.
    """
    from scipy import stats  # here, not at the top: every pool worker imports this module

    regions = population.size
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x6E0]))
    rows = []
    for r in range(on.shape[0]):
        switched = np.zeros(regions, dtype=bool)
        switched[rng.choice(regions, regions // 2, replace=False)] = True
        treated = on[r, ~switched] / population[~switched]
        control = off[r, switched] / population[switched]
        estimate = (treated.mean() - control.mean()) * population.sum()
        a, b = treated.var(ddof=1) / treated.size, control.var(ddof=1) / control.size
        freedom = (
            (a + b) ** 2 / (a**2 / (treated.size - 1) + b**2 / (control.size - 1)) if a + b else 1
        )
        se = np.sqrt(a + b) * population.sum()
        half = stats.t.ppf(0.975, max(freedom, 1.0)) * se
        rows.append(
            {
                "replication": r,
                "regions_off": int(switched.sum()),
                "estimate": estimate,
                "se": se,
                "low": estimate - half,
                "high": estimate + half,
            }
        )
    return pd.DataFrame(rows)


def lift_summary(experiments: pd.DataFrame, truth: float, design: str) -> dict[str, object]:
    """The first experiment (what a team would run) beside the truth, and the coverage.

    Returns:
        ``design``, ``estimate``/``low``/``high``/``se`` (replication 0), ``truth``,
        ``mean_estimate`` (over every experiment: against ``truth``, the design's bias),
        ``covered`` (experiments whose interval holds the truth) and ``experiments``.
    """
    first = experiments.iloc[0]
    covered = int(((experiments["low"] <= truth) & (truth <= experiments["high"])).sum())
    return {
        "design": design,
        "estimate": float(first["estimate"]),
        "low": float(first["low"]),
        "high": float(first["high"]),
        "se": float(first["se"]),
        "truth": truth,
        "mean_estimate": float(experiments["estimate"].mean()),
        "covered": covered,
        "experiments": len(experiments),
    }
