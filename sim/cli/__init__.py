"""The command line behind ``run.py`` and the ``touchpoint`` console script.

Only this layer prints and chooses exit codes: bad input (an
:class:`~sim.scenario.errors.InputError` from any layer) is one line and exit 2.
"""

from sim.cli.main import main

__all__ = ["main"]
