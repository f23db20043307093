"""Progress towards the trust thresholds: a trust nobody needs is met."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.prospects import ProspectTable


@pytest.mark.parametrize("rule", ["mean", "min"])
def test_a_trust_nobody_needs_counts_as_met(rule):
    table = ProspectTable(2, 1)
    table.threshold[:] = [[4.0, 4.0, 4.0, 0.0], [4.0, 4.0, 4.0, 4.0]]
    table.trust[:] = [[4.0, 4.0, 4.0, 0.0], [4.0, 4.0, 4.0, 0.0]]
    progress = table.progress(np.arange(2), rule)
    assert progress[0] == 1.0 and table.trusts_met(np.arange(1)).all()
    assert progress[1] == (0.75 if rule == "mean" else 0.0)
