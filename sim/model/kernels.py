"""The compiled kernels, built once per install: ``python -m sim.model.kernels``.

numba compiles a kernel the first time it runs and caches the machine code beside its
module (``__pycache__``, or ``NUMBA_CACHE_DIR``). Building every kernel takes 10–30 s,
which a new user's first run would otherwise spend on its first day, with a progress bar
whose rate and ETA count the build. ``make install`` runs this module, so the first run
finds them built; and the commands call :func:`warm` before their bar starts, so a bar's
rate is always the model's own.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from sim.model import counters, lifetime, prospects, queueing, touch
from sim.model.prospects import N_STAGES

KERNELS = (
    counters.draw,
    counters.positions,
    counters.walk,
    counters.prefix_counts,
    counters.prefix,
    touch._touch,
    prospects._move,
    prospects._progress,
    lifetime._lives,
    queueing._serve,
)
"""Every compiled kernel the model runs."""

_WARM_SIZE, _WARM_DAYS = 400, 4
_warmed = False


def built() -> bool:
    """Whether every kernel has an index in numba's cache (a cheap look, no build).

    Asks numba where it keeps each kernel's cache (beside the module, ``NUMBA_CACHE_DIR``
    or its user-wide folder when the package's folder is read-only); if numba no longer
    says, the answer is "no", and :func:`warm` costs a second when all is built.
    """
    for kernel in KERNELS:
        try:
            index = Path(kernel._cache._cache_file._index_path)
        except AttributeError:
            return False
        if not index.exists():
            return False
    return True


def warm() -> float:
    """Run a tiny market through every kernel (compiling what is not cached); seconds taken.

    Done once per process: later calls return at once.
    """
    global _warmed  # noqa: PLW0603 - one build per process
    if _warmed:
        return 0.0
    from sim.model.model import JourneyModel  # noqa: PLC0415 - the model imports this layer
    from sim.scenario import load_scenario  # noqa: PLC0415
    from sim.scenario.shipped import shipped_scenarios  # noqa: PLC0415

    start = time.perf_counter()
    overrides = {"population.size": _WARM_SIZE, "horizon_days": _WARM_DAYS}
    shipped = shipped_scenarios()  # the strategies, and a sales organisation's queue
    for path in [*sorted(shipped.glob("*.yaml")), shipped / "b2b" / "saas.yaml"]:
        model = JourneyModel(load_scenario(path, overrides), seeds=[1, 2])
        for _ in range(_WARM_DAYS):
            model.step()
    everyone = np.ones(N_STAGES, dtype=bool)  # a channel's walk, whatever the market chose
    model.replicas.walk("warm", model.prospects.stage, everyone, np.ones(2, dtype=np.int64))
    lifetime.new_customers(model.spec, np.zeros(2, dtype=np.int64), seed=1, hist_days=2)
    _warmed = True
    return time.perf_counter() - start


if __name__ == "__main__":
    warm()
