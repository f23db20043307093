"""The mechanism view's numbers: the prospects themselves, lane by lane, for one day.

A room watches one replication of a side (replica 0, "the story's own seed"): one lane
per journey stage, one dot per prospect. A crowded lane (thousands still unaware or
merely aware) shows its first :data:`SHOWN_PER_LANE` prospects in a fixed order, so the
same dots stay from day to day, and its number counts everyone. Prospects in word of
mouth (who heard a recommendation, and who gave one) come first in their lane, so the
recommendations a room sees join dots it can see; the exits ("gone") keep the fixed
order, so their shapes show the mix of ways out.

Leads no rep has reached yet (waiting for a first call, or called with no answer yet)
cool while they wait: each carries the hours since the handoff and its warmth, the
share of the lead's worth a call now still gets (the chance to reach them, their
interest, the trust kept: :mod:`sim.model.sales`).

:func:`mechanism_frame` is a pure function of the model: plain lists, ready for JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.model.prospects import N_STAGES, OPEN_STAGES, Stage
from sim.outputs.style import OKABE_ITO
from sim.scenario.vocabulary import DEAL_STAGES

if TYPE_CHECKING:
    from sim.model.model import JourneyModel
    from sim.scenario.schema import Sales

SHOWN_PER_LANE = 160
"""Dots a lane sends at most: a full-width chart at 1920 px shows about this many."""


@dataclass(frozen=True)
class Lane:
    """A swim lane of the view: the stages it holds, its words and its colour (Okabe–Ito)."""

    name: str
    label: str
    colour: str
    stages: tuple[Stage, ...]


LANES = (
    Lane("unaware", "Unaware", OKABE_ITO["black"], (Stage.UNAWARE,)),
    Lane("aware", "Aware", OKABE_ITO["sky blue"], (Stage.AWARE,)),
    Lane("engaged", "Engaged", OKABE_ITO["blue"], (Stage.ENGAGED,)),
    Lane("evaluating", "Evaluating", OKABE_ITO["reddish purple"], (Stage.EVALUATING,)),
    Lane("sales", "With sales", OKABE_ITO["orange"], (Stage.SALES_QUALIFIED,)),
    Lane("customer", "Customers", OKABE_ITO["bluish green"], (Stage.CUSTOMER,)),
    Lane("advocate", "Advocates", OKABE_ITO["yellow"], (Stage.ADVOCATE,)),
    Lane(
        "gone",
        "Gone",
        OKABE_ITO["vermillion"],
        (Stage.LOST_TO_COMPETITOR, Stage.LOST, Stage.DISQUALIFIED, Stage.CHURNED),
    ),
)
"""The lanes, top to bottom in the order of the journey; the exits share the last."""

SHAPES = (
    "ring",
    "circle",
    "waiting",
    "no answer",
    "diamond",
    "square",
    "star",
    "cross",
    "dash",
    "open square",
)
"""How a dot is drawn, so that it reads without colour (``dots.shape`` indexes this)."""

_STAGE_SHAPE = {
    Stage.UNAWARE: "ring",
    Stage.AWARE: "circle",
    Stage.ENGAGED: "circle",
    Stage.EVALUATING: "circle",
    Stage.SALES_QUALIFIED: "diamond",  # "waiting" for a first call, then "no answer" yet
    Stage.CUSTOMER: "square",
    Stage.ADVOCATE: "star",
    Stage.LOST_TO_COMPETITOR: "cross",
    Stage.LOST: "dash",
    Stage.DISQUALIFIED: "dash",
    Stage.CHURNED: "open square",
}
_GONE_WORDS = (
    (Stage.LOST_TO_COMPETITOR, "bought elsewhere", "×"),
    (Stage.LOST, "gave up", "–"),
    (Stage.DISQUALIFIED, "not a fit", "–"),
    (Stage.CHURNED, "left after buying", "□"),
)

_LANE_OF = np.zeros(N_STAGES, dtype=np.int64)
_SHAPE_OF = np.zeros(N_STAGES, dtype=np.int64)
for _i, _lane in enumerate(LANES):
    for _stage in _lane.stages:
        _LANE_OF[int(_stage)] = _i
        _SHAPE_OF[int(_stage)] = SHAPES.index(_STAGE_SHAPE[_stage])
_SALES = next(i for i, lane in enumerate(LANES) if lane.name == "sales")
_GONE = next(i for i, lane in enumerate(LANES) if lane.name == "gone")
_OPEN_LANE = np.array([all(OPEN_STAGES[s] for s in lane.stages) for lane in LANES])
"""Lanes whose prospects may still hear a recommendation (word of mouth reaches them)."""
_WAITING = SHAPES.index("waiting")
_NO_ANSWER = SHAPES.index("no answer")
_LEAD = DEAL_STAGES.index("lead")


@cache
def _follow_order(size: int) -> np.ndarray:
    """Rows 0 .. size-1 in the fixed order dots are picked: a scrambled, repeatable one.

    A multiplicative hash of the row, not the model's random streams: both sides, and
    every seed, follow the same prospects.
    """
    rows = np.arange(size, dtype=np.uint64)
    keys = (rows * np.uint64(2654435761) + np.uint64(12345)) % np.uint64(2**32)
    return np.argsort(keys, kind="stable")


def mechanism_frame(
    model: JourneyModel, replica: int = 0, shown_per_lane: int = SHOWN_PER_LANE
) -> dict[str, Any]:
    """One day of one replication's prospects, as plain lists for the mechanism view.

    Args:
        model: The running model (a batch: any of its replications).
        replica: Which replication to show (0: the story's own seed).
        shown_per_lane: Dots a lane sends at most (its number counts everyone).

    Returns:
        ``day``; ``prospects`` (the replication's size); ``lanes`` (name, label, colour,
        count: everyone in it today, shown: its dots, open: whether word of mouth still
        reaches them, note: a line in words, short: a shorter one for a narrow box);
        ``shapes``;
        ``dots`` as parallel lists (``id``: the prospect's row in the replication,
        ``lane``, ``shape``, ``hours``: hours a lead no rep has reached yet has waited
        since the handoff, else -1,
        ``warmth``: what a call now still gets of it, 0..1, else -1); ``links``
        (``[friend, recommender, recommender's lane, friend's lane]``: the last
        recommendation each listened to, for every dot and every prospect of an
        ``open`` lane, who may still hear one: a pair new since the frame before is a
        recommendation made since); ``queue`` and ``word_of_mouth`` (numbers and a
        sentence, for everyone in the replication).

    Raises:
        ValueError: ``replica`` is not one of the model's replications.
    """
    if not 0 <= replica < model.replicas.count:
        raise ValueError(
            f"replica {replica}: the model runs replications 0 to {model.replicas.count - 1}"
        )
    table = model.prospects
    size = model.spec.population.size
    start = replica * size
    stage = table.stage[start : start + size]
    referred_by = table.referred_by[start : start + size]
    heard = np.flatnonzero(referred_by >= 0)
    recommenders = referred_by[heard] - start
    involved = np.zeros(size, dtype=bool)
    involved[heard] = True
    involved[recommenders] = True
    involved &= _LANE_OF[stage] != _GONE  # the exits show their mix as it is

    order = _follow_order(size)
    lane = _LANE_OF[stage[order]]
    grouped = order[np.argsort(lane * 2 + ~involved[order], kind="stable")]
    counts = np.bincount(_LANE_OF[stage], minlength=len(LANES))
    ends = np.cumsum(np.bincount(lane, minlength=len(LANES)))
    waiting = _waiting(model, start, size)
    hours = _hours_waited(model, start, waiting)
    waited = np.full(size, -1.0)  # hours each row has waited for a rep; -1: not waiting
    waited[waiting] = hours
    uncalled = np.zeros(size, dtype=bool)  # not even called yet
    uncalled[waiting] = table.rep_touches[waiting + start] == 0
    picked = []
    for i, end in enumerate(ends.tolist()):
        rows = grouped[end - counts[i] : end]
        if i == _SALES:  # the queue first, longest waiting at the front, then no answer yet
            rows = rows[np.lexsort((-waited[rows], ~uncalled[rows]))]
        picked.append(rows[:shown_per_lane])
    ids = np.concatenate(picked)

    shape = _SHAPE_OF[stage[ids]]
    dot_hours = waited[ids]
    queued = dot_hours >= 0
    shape[queued] = np.where(uncalled[ids[queued]], _WAITING, _NO_ANSWER)
    dot_warmth = np.full(ids.size, -1.0)
    dot_warmth[queued] = warmth(model.spec.sales, dot_hours[queued])

    queue = _queue(hours, uncalled[waiting])
    kept = np.zeros(size, dtype=bool)  # drawn, or may still hear a recommendation
    kept[ids] = True
    kept |= _OPEN_LANE[_LANE_OF[stage]]
    friends = heard[kept[heard]]
    givers = referred_by[friends] - start
    links = np.stack([friends, givers, _LANE_OF[stage[givers]], _LANE_OF[stage[friends]]], axis=1)
    return {
        "day": int(model.day),
        "replica": int(replica),
        "prospects": int(size),
        "lanes": [
            {
                "name": spec.name,
                "label": spec.label,
                "colour": spec.colour,
                "count": int(counts[i]),
                "shown": len(picked[i]),
                "open": bool(_OPEN_LANE[i]),
                **_notes(spec.name, table.stage_counts[replica], queue, heard.size),
            }
            for i, spec in enumerate(LANES)
        ],
        "shapes": list(SHAPES),
        "dots": {
            "id": ids.tolist(),
            "lane": _LANE_OF[stage[ids]].tolist(),
            "shape": shape.tolist(),
            "hours": np.round(dot_hours, 1).tolist(),
            "warmth": np.round(dot_warmth, 3).tolist(),
        },
        "links": links.tolist(),
        "queue": queue,
        "word_of_mouth": {"heard": int(heard.size), "text": _heard_text(heard.size)},
    }


def _waiting(model: JourneyModel, start: int, size: int) -> np.ndarray:
    """Rows (in the replication) of leads no rep has spoken with yet.

    Not yet called, or called without reaching them: either way the lead waits, and
    each hour since the handoff makes a call less likely to reach them.
    """
    table = model.prospects
    leads = start + np.flatnonzero(table.stage[start : start + size] == Stage.SALES_QUALIFIED)
    leads = leads[(table.deal_stage[leads] == _LEAD) & ~table.contacted[leads]]
    return leads - start


def _hours_waited(model: JourneyModel, start: int, waiting: np.ndarray) -> np.ndarray:
    """Hours since each waiting lead was handed to sales, at the end of the day shown."""
    table = model.prospects
    rows = waiting + start
    since = table.handoff_day[rows] + table.handoff_hour[rows] / 24.0
    return np.maximum((model.day + 1.0 - since) * 24.0, 0.0)


def warmth(sales: Sales, hours: np.ndarray) -> np.ndarray:
    """What a first call after ``hours`` still gets of a lead: 1 at once, less the later.

    The product of the three ways a wait costs (:mod:`sim.model.sales`): the chance the
    call reaches them against a call at once, the chance they are still interested,
    and the trust kept after cooling. A lead called without reaching them cooled at
    that first call; the later calls' chance to reach them fades the same way, with
    the hours since the handoff, and dominates.
    """
    days = hours / 24.0
    fade = 0.5 ** (hours / sales.reach_half_life_hours)
    reach = sales.reach_later + (sales.reach_at_once - sales.reach_later) * fade
    interest = sales.interest_later + (1.0 - sales.interest_later) * 0.5 ** (
        hours / sales.interest_half_life_hours
    )
    kept = (1.0 - sales.cooling_per_day) ** days
    return reach / sales.reach_at_once * interest * kept


def _notes(lane: str, counts: np.ndarray, queue: dict[str, Any], heard: int) -> dict[str, str]:
    """The line of words a lane carries (``note``) and a shorter one (``short``), or none."""
    if lane == "sales":
        return {"note": queue["text"], "short": queue["short"]}
    if lane == "customer":  # customers are who recommend
        return {"note": _heard_text(heard), "short": f"{heard:,} told by friends" if heard else ""}
    if lane == "gone":
        parts = [
            f"{mark} {int(counts[s]):,} {words}" for s, words, mark in _GONE_WORDS if counts[s]
        ]
        return {"note": ", ".join(parts), "short": parts[0] if parts else ""}
    return {"note": "", "short": ""}


def _queue(hours: np.ndarray, uncalled: np.ndarray) -> dict[str, Any]:
    """Leads no rep has reached yet, in numbers and in words.

    ``waiting`` for a first call (and the oldest wait), or called with ``no_answer`` yet.
    """
    waiting = hours[uncalled]
    unanswered = int(np.count_nonzero(~uncalled))
    no_answer = f"{unanswered:,} called, no answer yet" if unanswered else ""
    queue = {"waiting": int(waiting.size), "oldest_hours": None, "no_answer": unanswered}
    if waiting.size == 0:
        short = f"{unanswered:,} no answer yet" if unanswered else ""
        return {**queue, "text": no_answer, "short": short}
    oldest = float(waiting.max())
    leads = "1 lead" if waiting.size == 1 else f"{waiting.size:,} leads"
    first = f"{leads} waiting for a call, oldest {duration_words(oldest)}"
    return {
        **queue,
        "oldest_hours": round(oldest, 1),
        "text": f"{first}; {no_answer}" if unanswered else first,
        "short": f"{waiting.size:,} waiting, oldest {duration_words(oldest)}",
    }


def _heard_text(heard: int) -> str:
    if heard == 0:
        return "No recommendation yet"
    friends = "1 friend" if heard == 1 else f"{heard:,} friends"
    return f"{friends} heard a recommendation"


def duration_words(hours: float) -> str:
    """A wait in words: "40 minutes", "5 hours", "3 days"."""
    if hours < 1.0:
        return f"{max(round(hours * 60), 1)} minutes"
    if hours < 48.0:
        n = round(hours)
        return "1 hour" if n == 1 else f"{n} hours"
    return f"{round(hours / 24.0)} days"
