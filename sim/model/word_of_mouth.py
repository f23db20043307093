"""Word of mouth: prospects talk with their ties, and satisfied customers recommend.

Source: “Why touchpoint management?” (the journey begins and ends with word of mouth).
Who talks, to which tie, and whether a customer recommends are in
:mod:`sim.model.network`, the referral programme's rewards and asks in
:mod:`sim.model.referrals`; here a recommendation becomes a touch.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import numpy as np

from sim.model import streams
from sim.model.network import SocialGraph, recommendations
from sim.model.prospects import OPEN_STAGES
from sim.model.touch import deliver, listening

if TYPE_CHECKING:
    from sim.model.market import Market


def spread(model: Market, graph: SocialGraph) -> None:
    """Open prospects talk with a tie; satisfied customers recommend, some when asked.

    Recommendations come from the conversations prospects start and from the customers
    the referral programme asks (:meth:`~sim.model.referrals.ReferralProgramme.ask`); a
    prospect who receives several today gets one touch, from the first. Only a
    recommendation listened to makes its receiver referred (and may promise a reward).

    Source: “Why touchpoint management?”.
    """
    wom, programme = model.spec.word_of_mouth, model.referrals
    table, replicas, day = model.prospects, model.replicas, model.day
    asking = programme.spec.ask_rate_per_month > 0
    if wom.network == "none" or (wom.conversation_rate_per_day == 0 and not asking):
        return
    talkers = replicas.bernoulli_in(
        streams.WOM_TALKS, table.stage, OPEN_STAGES, wom.conversation_rate_per_day
    )
    receivers, referrers = recommendations(
        replicas, graph, table, talkers, partial(programme.willingness, table, day=day)
    )
    if asking:
        asked_receivers, asked_referrers = programme.ask(table, graph, day)
        everyone = np.concatenate([receivers, asked_receivers])
        receivers, first = np.unique(everyone, return_index=True)
        referrers = np.concatenate([referrers, asked_referrers])[first]
    if wom.fit_screening > 0:  # a referrer holds back from ties the product would not fit
        screened = replicas.chance(streams.WOM_SCREENS, receivers, wom.fit_screening)
        held = ~table.good_fit[receivers] & screened
        receivers, referrers = receivers[~held], referrers[~held]
    if receivers.size == 0:
        return
    latent = receivers[~table.need[receivers]]
    woken = latent[replicas.chance(streams.WOM_NEED, latent, wom.need_activation)]
    table.need[woken] = True
    table.need_since[woken] = day
    listen = listening(replicas, table, receivers, "referral", model.spec.attention)
    table.referred_by[receivers[listen]] = referrers[listen]  # a bounced one is no referral
    programme.promise(table, receivers[listen], referrers[listen], day)
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
