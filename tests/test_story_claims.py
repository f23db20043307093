"""Every shipped story shows what it says: each claim of each step holds on the ensemble's
median at its day and in at least nine of ten single runs, over 30 seeds, with the story
played as a trainer plays it (:func:`sim.dashboard.rehearsal.rehearse`).

Full size (10,000 prospects, 30 runs a side, up to three years): about 4 minutes of CPU
for the five stories, so it runs with the slow suite; the claim rules themselves are
tested quickly in ``tests/test_dashboard_components.py``.
"""

from __future__ import annotations

import pytest

from sim.dashboard import stories
from sim.dashboard.rehearsal import rehearse

SEEDS = 30

SHIPPED = stories.load_stories(stories.shipped_stories())


@pytest.mark.slow
@pytest.mark.parametrize("key", list(SHIPPED))
def test_every_claim_of_the_story_holds_over_30_seeds(key):
    told = SHIPPED[key]
    assert told.story.replications >= SEEDS
    verdicts = rehearse(told, SEEDS)
    assert verdicts, f"{key} claims nothing"
    for verdict in verdicts:
        print(("holds: " if verdict.holds else "FAILS: ") + verdict.words())
    failed = [v.words() for v in verdicts if not v.holds]
    assert not failed, failed


def test_every_story_claims_something_a_room_can_check():
    for told in SHIPPED.values():
        assert any(step.claims for step in told.story.steps), told.key
        assert told.story.takeaway, told.key
