"""A finished batch's model is freed when its results are returned, not at a later sweep."""

from __future__ import annotations

import gc
import tracemalloc

from sim.analysis.results import simulate_batch
from tests.conftest import small


def test_batches_run_one_after_another_do_not_pile_up_their_models():
    scenario = small(size=4000, days=30)
    simulate_batch(scenario, [1, 2])  # compiled kernels and caches loaded
    gc.collect()
    gc.disable()  # as between Python's rare full collections
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        for seed in range(3, 9, 2):
            results = simulate_batch(scenario, [seed, seed + 1])
            del results
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        gc.enable()
    batch = peak - before  # what one batch needs at its peak
    assert batch > 2e6, batch
    assert held - before < batch / 4, (held - before, batch)  # not three batches' models
