"""The random streams: one per mechanism and per source, named once here.

A draw is keyed by (seed, stream, day, prospect) (:mod:`sim.model.counters`), so a
stream's name is its identity: two runs share a stream's numbers exactly when the
stream has the same name in both. A channel's streams are named after the channel,
not its position in the scenario, so switching one channel off leaves every other
channel's numbers where they were. A subclass that adds a mechanism names its own
stream (any string not used here).
"""

from __future__ import annotations

from functools import lru_cache
from hashlib import blake2b

import numpy as np

NEED_ARISES = "need arises"
NEED_FADES = "need fades"
WOM_TALKS = "word of mouth: who talks"
WOM_TIE = "word of mouth: which tie"
WOM_YES = "word of mouth: the customer recommends"
WOM_SCREENS = "word of mouth: fit screening"
WOM_NEED = "word of mouth: need woken"
WOM_QUALITY = "word of mouth: quality"
REFERRAL_ASKED = "referral programme: the company asks a customer"
REFERRAL_WILLING = "referral programme: the asked customer recommends"
REFERRAL_TIE = "referral programme: which open tie"
LEAD_ARRIVES = "sales: hour a lead arrives"
QUALIFIES = "sales: qualification"
REP_REACHES = "sales: call reaches the decision maker"
STILL_INTERESTED = "sales: a lead reached is still interested"
REP_QUALITY = "sales: call quality"
SATISFACTION = "after-sale: satisfaction"
INSTALLED_TENURE = "after-sale: days into the term of an installed customer"
CARE = "after-sale: care"
CARE_ORDER = "after-sale: which care the CSMs give first"
REPEAT = "after-sale: repeat purchase"
CHURN = "after-sale: churn"
RENEWAL = "after-sale: renewal"
RUN_OFF_CARE = "after the horizon: care"
RUN_OFF_REPEAT = "after the horizon: repeat purchase"
RUN_OFF_LEAVES = "after the horizon: churn or renewal"
REVIEW_POSTED = "reviews: posted"
BUYS_ELSEWHERE = "competition: buys elsewhere"
NO_DECISION = "competition: no decision"


def channel(name: str, what: str) -> str:
    """The stream of channel ``name`` for ``what`` (``"touches"``, ``"quality"``, ...)."""
    return f"channel {name}: {what}"


def listens(source: str) -> str:
    """The stream deciding whether a prospect without a need listens to ``source``."""
    return f"listens to {source}"


@lru_cache(maxsize=4096)
def stream_key(name: str) -> np.uint64:
    """A stream's 64-bit key: a hash of its name, the same on every machine and run."""
    return np.uint64(int.from_bytes(blake2b(name.encode(), digest_size=8).digest(), "little"))


def seed_key(seed: int) -> int:
    """A replication's seed as the 64-bit key its draws start from."""
    digest = blake2b(str(int(seed)).encode(), digest_size=8, person=b"touchpoint-seed")
    return int.from_bytes(digest.digest(), "little")
