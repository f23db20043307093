"""Which channels a marketing-mix model cannot identify from their spend, in plain words.

A marketing-mix model (MMM) learns a channel's effect only from the way sales move with its
spend (Jin, Wang, Sun, Chan & Koehler 2017, "Bayesian methods for media mix modeling with
carryover and shape effects", Google): spend that barely varies cannot be told apart from
the baseline of sales that would happen anyway, and two channels whose spend moves together
cannot be told apart from each other. Then the model's priors, not the data, decide what
the channel is credited with. :func:`unidentifiable` names those channels with the figure
measured, for a warning beside the MMM exports of :mod:`sim.analysis.mmm_tables`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.mmm_tables import channel_order, one_history, weekly

CV_THRESHOLD = 0.10
"""Weekly spend varying less than this around its mean (coefficient of variation) is too
flat to identify a channel: this module's rule of thumb, not a figure from the literature."""

LOCKSTEP = 0.95
"""Two channels whose weekly spend correlates beyond this (in absolute value) move in
lockstep: a marketing-mix model cannot split the customers between them."""


def unidentifiable(
    frame: pd.DataFrame,
    threshold: float = CV_THRESHOLD,
    *,
    lockstep: float = LOCKSTEP,
    replication: int = 0,
) -> list[str]:
    """The channels whose weekly spend cannot identify them in a marketing-mix model.

    Measured on one history's weekly spend (a daily frame is first rolled up to whole
    weeks with :func:`~sim.analysis.mmm_tables.weekly`), within each geo (about the geo's
    own mean, as a model with a baseline per geo sees it). A channel is flagged when:

    * it spends nothing;
    * its coefficient of variation (the standard deviation of its weekly spend over its
      mean) is below ``threshold``; or
    * its weekly spend correlates with another channel's beyond ``lockstep`` in absolute
      value (both channels are flagged, each naming the other).

    Args:
        frame: The daily MMM frame (``sim.attribution(...).mmm``) or its weekly roll-up.
        threshold: The coefficient of variation below which spend is too flat.
        lockstep: The absolute correlation above which two channels move in lockstep.
        replication: Which history.

    Returns:
        One plain-words line per channel flagged, naming it and the figure measured, in
        the channels' order; an empty list when every channel can be identified; a
        single line when the history has fewer than two whole weeks.

    Raises:
        InputError: A column or the replication is missing.
    """
    history = one_history(frame, replication)
    weeks = weekly(history) if "day" in history.columns else history
    channels = channel_order(history)
    periods = weeks["date"].nunique()
    if periods < 2:
        return [
            f"the history has {periods} whole week(s): too short for a marketing-mix model"
            " to measure any channel"
        ]
    spend = weeks.pivot(index=["geo", "date"], columns="channel", values="spend")[channels]
    deviation = spend - spend.groupby(level="geo").transform("mean")
    means = spend.to_numpy().mean(axis=0)
    spreads = np.sqrt((deviation**2).to_numpy().mean(axis=0))
    lines = {}
    for channel, mean, spread in zip(channels, means, spreads, strict=True):
        if mean <= 0:
            lines[channel] = (
                f"{channel}: spends nothing, so a marketing-mix model cannot measure it from spend"
            )
        elif spread / mean < threshold:
            lines[channel] = (
                f"{channel}: weekly spend varies by only {spread / mean:.1%} around its mean"
                f" (coefficient of variation {spread / mean:.3f}, under {threshold:g}), so a"
                " marketing-mix model cannot tell its effect from the baseline: flight it"
                " (vary its budget week to week)"
            )
    moving = [c for c in channels if c not in lines]
    correlation = deviation[moving].corr()
    for channel in moving:
        partners = [
            f"{other} (correlation {correlation.loc[channel, other]:.2f})"
            for other in moving
            if other != channel and abs(correlation.loc[channel, other]) > lockstep
        ]
        if partners:
            lines[channel] = (
                f"{channel}: weekly spend moves in lockstep with {', '.join(partners)}, beyond"
                f" ±{lockstep:g}, so a marketing-mix model cannot split the customers between"
                " them: flight them differently"
            )
    return [lines[c] for c in channels if c in lines]
