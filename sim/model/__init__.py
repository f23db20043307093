"""The model layer: the prospect table, the mechanisms, the agents and ``JourneyModel``.

Where a touch becomes trust: :mod:`sim.model.touch`. Where money is booked:
:mod:`sim.model.ledger`. Imports only :mod:`sim.scenario`.
"""
