"""The dashboard layer: the trainers' Solara app, its model adapter and its levers."""
