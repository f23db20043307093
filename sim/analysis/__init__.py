"""The analysis layer: a run's results, KPI definitions, statistics, safe output folders.

Where a KPI is defined: :mod:`sim.analysis.kpis`. Imports only the layers below.
"""
