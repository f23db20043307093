"""The figures of an attribution study: the truth, the scoreboard, the response curves."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.outputs.style import figure, source_colors


def truth_figure(truth: pd.DataFrame) -> Figure:
    """Each player's Shapley value in customers (95 % CI), its removal and add-one effects."""
    fig = figure(8, 0.55 * len(truth) + 1.6)
    ax = fig.add_subplot()
    y = np.arange(len(truth))[::-1]
    colors = source_colors(list(truth["player"]))
    err = np.vstack(
        [truth["customers"] - truth["customers_low"], truth["customers_high"] - truth["customers"]]
    )
    ax.barh(
        y, truth["customers"], xerr=np.nan_to_num(err), color=[colors[p] for p in truth.player],
        label="Shapley value (95% CI)",
    )  # fmt: skip
    ax.plot(truth["removal_customers"], y, "kx", markersize=9, label="removal effect")
    ax.plot(truth["add_one_customers"], y, "o", mfc="none", mec="black", label="alone (add-one)")
    ax.set_yticks(y, truth["player"])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("customers won")
    ax.legend(fontsize=8, loc="lower right")
    return fig


def scoreboard_figure(board: pd.DataFrame, labels: dict[str, str]) -> Figure:
    """Each model's share of the conversions per player, beside the true (Shapley) share."""
    sources = list(dict.fromkeys(board["source"]))
    models = list(dict.fromkeys(board["model"]))
    shares = board.pivot(index="model", columns="source", values="share").loc[models, sources]
    truth = board.drop_duplicates("source").set_index("source")["true_share"].loc[sources]
    fig = figure(11, 5)
    ax = fig.add_subplot()
    width = 0.8 / (len(models) + 1)
    x = np.arange(len(sources))
    ax.bar(x - 0.4 + width / 2, truth, width, color="black", label="truth (Shapley)")
    palette = source_colors(models)
    for i, model in enumerate(models, start=1):
        ax.bar(
            x - 0.4 + width * (i + 0.5), shares.loc[model], width,
            color=palette[model], label=labels.get(model, model),
        )  # fmt: skip
    ax.set_xticks(x, [s.replace("_", "\n") for s in sources])
    ax.set_ylabel("share of the conversions")
    ax.legend(ncol=3, fontsize=8)
    return fig


def curves_figure(curves: pd.DataFrame) -> Figure:
    """Per paid channel: customers gained against the money spent, 0 to 2 times its budget."""
    channels = list(dict.fromkeys(curves["channel"]))
    columns = min(3, len(channels))
    rows = -(-len(channels) // columns)
    fig = figure(4 * columns, 3.2 * rows)
    colors = source_colors(channels)
    for i, channel in enumerate(channels):
        ax = fig.add_subplot(rows, columns, i + 1)
        curve = curves[curves["channel"] == channel]
        ax.fill_between(
            curve["spend"], curve["customers_low"], curve["customers_high"],
            color=colors[channel], alpha=0.25, linewidth=0,
        )  # fmt: skip
        ax.plot(curve["spend"], curve["customers"], "o-", color=colors[channel])
        today = curve[curve["multiple"] == 1.0]
        ax.plot(today["spend"], today["customers"], "s", color="black", label="today's budget")
        ax.set_title(channel.replace("_", " "), fontsize=10)
        ax.set_xlabel("spent over the run")
        ax.set_ylabel("customers gained")
        ax.legend(fontsize=7, loc="lower right")
    return fig
