"""Word of mouth: prospects talk with their ties, and satisfied customers recommend.

Source: “Why touchpoint management?” (the journey begins and ends with word of mouth).
Who talks, to which tie, and whether a customer recommends are in
:mod:`sim.model.network`; here a recommendation becomes a touch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model import streams
from sim.model.network import SocialGraph, recommendations
from sim.model.prospects import OPEN_STAGES
from sim.model.touch import deliver, listening

if TYPE_CHECKING:
    from sim.model.market import Market


def spread(model: Market, graph: SocialGraph) -> None:
    """Open prospects talk with a tie; satisfied customers recommend.

    Source: “Why touchpoint management?”.
    """
    wom = model.spec.word_of_mouth
    table, replicas = model.prospects, model.replicas
    if wom.network == "none" or wom.conversation_rate_per_day == 0:
        return
    talkers = replicas.bernoulli_in(
        streams.WOM_TALKS, table.stage, OPEN_STAGES, wom.conversation_rate_per_day
    )
    price = model.spec.product.price
    lift = wom.reward_uplift * wom.reward / price if price > 0 else 0.0
    lift = min(lift, 1e12)  # a reward worth more than a trillion prices is as good as any
    receivers, referrers = recommendations(replicas, graph, table, talkers, lift)
    if wom.fit_screening > 0:  # a referrer holds back from ties the product would not fit
        screened = replicas.chance(streams.WOM_SCREENS, receivers, wom.fit_screening)
        held = ~table.good_fit[receivers] & screened
        receivers, referrers = receivers[~held], referrers[~held]
    if receivers.size == 0:
        return
    latent = receivers[~table.need[receivers]]
    woken = latent[replicas.chance(streams.WOM_NEED, latent, wom.need_activation)]
    table.need[woken] = True
    table.need_since[woken] = model.day
    table.referred_by[receivers] = referrers
    listen = listening(replicas, table, receivers, "referral", model.spec.attention)
    quality = np.zeros(receivers.size)
    quality[listen] = replicas.quality(streams.WOM_QUALITY, receivers[listen], wom.quality)
    deliver(
        table,
        receivers,
        quality,
        np.asarray(wom.trust.as_tuple()),
        model.source_index["referral"],
        model.spec.attention,
        online=False,
        listen=listen,
    )
