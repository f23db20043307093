"""The experiments layer: many runs on any engine, and what they are for.

Runs are described as specs (a scenario, a seed, labels), done by one runner on
an executor (in this process, a local process pool, or a Dask cluster), and kept
in a resumable store. On top: :func:`compare` (strategies on common random
numbers), :func:`sweep` (a full factorial grid) and :func:`sensitivity` (Sobol or
Morris indices with SALib), :func:`calibrate` (ABC-SMC with pyabc) and
:func:`optimise` (the best plan for a budget, with optuna) and :func:`attribution`
(Shapley ground truth over chosen players, response curves, lift tests, and
attribution models scored against it).
"""

from sim.experiments.attribution import Attribution, attribution
from sim.experiments.calibrate import Calibration, calibrate
from sim.experiments.compare import Comparison, compare
from sim.experiments.engines import dask_executor, engine
from sim.experiments.optimise import Optimisation, optimise
from sim.experiments.sensitivity import SensitivityResult, run_sensitivity, sensitivity
from sim.experiments.specs import RunSpec, replication_seeds
from sim.experiments.store import RunStore, StoreMismatchError
from sim.experiments.sweep import grid_points, sweep, sweep_extra, sweep_summary, sweep_warnings
from sim.experiments.targets import CRM_TERMS, Targets, load_targets

__all__ = [
    "CRM_TERMS",
    "Attribution",
    "Calibration",
    "Comparison",
    "Optimisation",
    "RunSpec",
    "RunStore",
    "SensitivityResult",
    "StoreMismatchError",
    "Targets",
    "attribution",
    "calibrate",
    "compare",
    "dask_executor",
    "engine",
    "grid_points",
    "load_targets",
    "optimise",
    "replication_seeds",
    "run_sensitivity",
    "sensitivity",
    "sweep",
    "sweep_extra",
    "sweep_summary",
    "sweep_warnings",
]
