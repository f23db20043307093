"""How much two simulations slow each other down on this machine's cores.

Times six runs of the shipped touchpoint-management scenario alone, then in two
processes at once. The ratio bounds the speed-up any 2-worker pool can reach.
Run: python benchmarks/core_contention.py
"""

import subprocess
import sys
import time

import sim

SCENARIO = "scenarios/touchpoint_management.yaml"


def six_runs() -> float:
    """Seconds for six runs in this process."""
    scenario = sim.load_scenario(SCENARIO)
    start = time.perf_counter()
    for seed in range(6):
        sim.simulate(scenario, seed)
    return time.perf_counter() - start


if __name__ == "__main__":
    if sys.argv[1:] == ["--child"]:
        print(six_runs())
        sys.exit(0)
    alone = six_runs()
    children = [
        subprocess.Popen([sys.executable, __file__, "--child"], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    together = [float(c.communicate()[0]) for c in children]
    slowest = max(together)
    print(
        f"six runs alone: {alone:.1f} s; two processes at once: "
        f"{together[0]:.1f} s and {together[1]:.1f} s"
    )
    print(f"ceiling for a 2-worker pool on this machine: {2 * alone / slowest:.2f}x")
