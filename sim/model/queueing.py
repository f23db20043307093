"""A team working through its due activities: a multi-server queue in working hours.

Each member of a role is a server. An activity (a call, a meeting) becomes due at a
time; while the team is open, a member who is free takes, among the activities already
due, the one first in the queue's order (its key: the longest waiting, the newest, or
an override's), and is busy for the activity's work divided by their speed (a new hire
ramping up is slower; a rep who sells six of eight open hours takes 8/6 of an hour of
the day for an hour of selling). Activities still waiting at closing time wait for the
next working day. With keys in order of arrival this is the first-come-first-served
M/M/c queue of Erlang's formula when arrivals are Poisson and work exponential
(``tests/validation/test_queueing.py`` docks it).
"""

from __future__ import annotations

import numpy as np
from numba import njit


def serve(
    blocks: np.ndarray,
    due: np.ndarray,
    key: np.ndarray,
    work: np.ndarray,
    free: np.ndarray,
    speed: np.ndarray,
    window: tuple[float, float],
) -> tuple[np.ndarray, np.ndarray]:
    """Who does which activity when, in one working window.

    Args:
        blocks: ``R + 1`` cut points: replication ``r``'s activities are
            ``blocks[r] .. blocks[r + 1]``, sorted by ``due`` within each block.
        due: When each activity became due (days).
        key: The queue's order: among due activities, the smallest key is taken first.
        work: Each activity's work (days at full speed).
        free: ``(R, members)`` when each member is next free; updated in place.
        speed: ``(R, members)`` each member's speed today (0: not working).
        window: The day's open hours (days): nobody starts before or after.

    Returns:
        The member doing each activity (-1: none today) and when it starts (``inf``).
    """
    member = np.full(due.size, -1, dtype=np.int64)
    start = np.full(due.size, np.inf)
    if due.size:
        _serve(blocks, due, key, work, free, speed, window[0], window[1], member, start)
    return member, start


@njit(cache=True, nogil=True)
def _serve(blocks, due, key, work, free, speed, opens, closes, member, start):  # noqa: ANN001, ANN202
    heap = np.empty(due.size, dtype=np.int64)
    for r in range(free.shape[0]):
        for m in range(free.shape[1]):
            free[r, m] = max(free[r, m], opens)
        size = 0
        arrived = blocks[r]
        end = blocks[r + 1]
        while True:
            who = -1
            when = np.inf
            for m in range(free.shape[1]):
                if speed[r, m] > 0.0 and free[r, m] < when:
                    when = free[r, m]
                    who = m
            if who < 0 or when >= closes:
                break
            while arrived < end and due[arrived] <= when:
                size = _push(heap, size, arrived, key)
                arrived += 1
            if size == 0:
                if arrived >= end or due[arrived] >= closes:
                    break
                free[r, who] = due[arrived]  # idle until the next activity is due
                continue
            job = heap[0]
            size = _pop(heap, size, key)
            member[job] = who
            start[job] = when
            free[r, who] = when + work[job] / speed[r, who]


@njit(cache=True, nogil=True)
def _before(a, b, key):  # noqa: ANN001, ANN202 - a compiled kernel
    return key[a] < key[b] or (key[a] == key[b] and a < b)


@njit(cache=True, nogil=True)
def _push(heap, size, item, key):  # noqa: ANN001, ANN202 - a compiled kernel
    heap[size] = item
    i = size
    while i > 0:
        parent = (i - 1) // 2
        if not _before(heap[i], heap[parent], key):
            break
        heap[i], heap[parent] = heap[parent], heap[i]
        i = parent
    return size + 1


@njit(cache=True, nogil=True)
def _pop(heap, size, key):  # noqa: ANN001, ANN202 - a compiled kernel
    size -= 1
    heap[0] = heap[size]
    i = 0
    while True:
        smallest = i
        for child in (2 * i + 1, 2 * i + 2):
            if child < size and _before(heap[child], heap[smallest], key):
                smallest = child
        if smallest == i:
            return size
        heap[i], heap[smallest] = heap[smallest], heap[i]
        i = smallest
