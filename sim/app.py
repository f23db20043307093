"""The dashboard as an app Solara can serve: ``solara run sim/app.py`` (or ``run.py dashboard``)."""

from sim.viz import Page

__all__ = ["Page"]
