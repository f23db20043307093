"""Bass on a sparse random social graph: slower than full mixing, less so as ties grow.

Word of mouth is receiver-driven: an open prospect asks one of their own ties.
On a sparse graph adopters cluster (they convinced their neighbours), so an open
prospect's ties are less often adopters than the population share, and a few
prospects have no ties at all. Adoption lags behind full mixing, and the lag
shrinks as the mean degree grows and each neighbourhood looks more like the
whole population.
"""

from __future__ import annotations

import numpy as np

from tests.validation.test_bass_docking import adopter_share

P, Q, DAYS = 0.005, 0.1, 120
DEGREES = (2, 4, 8, 16, 32)


def test_sparse_graph_is_slower_and_converges_to_full_mixing():
    full = adopter_share(P, Q, DAYS, seeds=range(3)).mean(axis=0)
    gaps = []
    for degree in DEGREES:
        sparse = adopter_share(
            P,
            Q,
            DAYS,
            seeds=range(3),
            **{
                "word_of_mouth.network": "graph",
                "word_of_mouth.mean_degree": degree,
            },
        ).mean(axis=0)
        gaps.append(
            float(np.mean(full - sparse))
        )  # area between the curves, in share × days / days
        assert sparse[-1] > 0.8  # slower, not stuck
    assert all(gap > 0 for gap in gaps), gaps
    assert all(a > b for a, b in zip(gaps, gaps[1:], strict=False)), gaps
    assert gaps[-1] < 0.1 * gaps[0], gaps
