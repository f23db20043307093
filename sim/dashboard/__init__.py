"""The dashboard layer: the trainers' Solara app, its stories (YAML data), levers and live plots."""
