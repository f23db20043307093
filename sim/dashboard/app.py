"""The trainers' dashboard: pick a story (or free play), then tell it to the room.

Serve it with ``python run.py dashboard`` (:mod:`sim.dashboard.server`; a bare
``solara run sim/dashboard/app.py`` serves it without the websocket's origin check). The
stories are read once per server (:func:`sim.dashboard.stories.load_stories`); every
browser session builds its own two sides.
"""

from __future__ import annotations

import html
from pathlib import Path

import solara

from sim.dashboard.livechart import PlotlyPreload, serve_plotly
from sim.dashboard.panels import Controls, DayBadge, Export, FreeLevers, PlotGrid, StoryPanel
from sim.dashboard.plots import PLOTS, traces
from sim.dashboard.session import Session, free_play, scenario_choices
from sim.dashboard.sides import Sides
from sim.dashboard.stories import Told, load_stories, story_folder

CSS = """
.touchpoint-day { font-size: 28px; font-weight: 700; margin-right: 1.5em; }
.touchpoint-sides span { font-size: 22px; margin-right: 1.2em; }
.touchpoint-caption { font-size: 26px; line-height: 1.35; margin: 0.2em 0 0.6em 0; color: #222; }
.touchpoint-story .v-btn, .touchpoint-controls .v-btn { font-size: 18px !important;
  height: 48px !important; margin: 4px 8px 4px 0; text-transform: none !important; }
.touchpoint-title { font-size: 32px; font-weight: 700; }
.touchpoint-pick .v-btn { font-size: 18px !important; text-transform: none !important; }
.touchpoint-pick p { font-size: 20px; }
.v-select .v-label, .v-select__selection { font-size: 18px !important; }
"""


def stories() -> dict[str, Told]:
    """The stories this server tells, read once per server."""
    return load_stories(story_folder())


def warm_up() -> None:
    """Read the stories and run their first one a day, so the first session starts warm.

    Solara imports this module once, when the server starts: compiling the model's
    passes and importing what a session needs happens then, not in front of the room.
    """
    serve_plotly()
    first = next(iter(stories().values()), None)
    if first is not None:
        sides = Sides(first.left, first.right, first.story.seed, first.story.prospects)
        sides.step(1)
        for plot in PLOTS.values():
            traces(plot, sides)


warm_up()


@solara.component
def Picker(on_pick) -> None:  # noqa: N802 - Solara components are CamelCase
    """The story picker: a card per story, and free play with any two scenarios."""
    choices = solara.use_memo(scenario_choices, [])
    labels = list(choices)
    left = solara.use_reactive(labels[0])
    right = solara.use_reactive(labels[1] if len(labels) > 1 else labels[0])
    solara.HTML(tag="div", unsafe_innerHTML="<p class='touchpoint-title'>Pick a story</p>")
    PlotlyPreload.element()
    with solara.ColumnsResponsive(default=12, large=6, classes=["touchpoint-pick"]):
        for told in stories().values():
            with solara.Card(told.story.title):
                solara.HTML(tag="p", unsafe_innerHTML=html.escape(told.story.summary))
                solara.Button(
                    "Start this story",
                    icon_name="mdi-play",
                    color="primary",
                    on_click=lambda told=told: on_pick(told),
                )
        with solara.Card("Free play: any two scenarios"):
            solara.Select("Left", values=labels, value=left)
            solara.Select("Right", values=labels, value=right)
            solara.Button(
                "Start free play",
                icon_name="mdi-play",
                on_click=lambda: on_pick(
                    free_play(Path(choices[left.value]), Path(choices[right.value]))
                ),
            )


@solara.component
def Stage(told: Told, on_leave) -> None:  # noqa: N802 - Solara components are CamelCase
    """A story on screen: the day, the controls, the caption and levers, the plots."""
    session = solara.use_memo(lambda: Session(told), [told])
    solara.use_effect(lambda: session.close, [session])
    revision = solara.use_reactive(0)
    day = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Button("Stories", icon_name="mdi-arrow-left", on_click=on_leave, text=True)
        solara.HTML(
            tag="span",
            unsafe_innerHTML=f"<b class='touchpoint-title'>{html.escape(told.story.title)}</b>",
        )
    DayBadge(session, day)
    Controls(session, day, playing, revision)
    Board(session, revision, playing)
    Export(session)


@solara.component
def Board(  # noqa: N802 - Solara components are CamelCase
    session: Session, revision: solara.Reactive[int], playing: solara.Reactive[bool]
) -> None:
    """The caption, the levers and the plots: re-rendered on levers, steps and Reset only."""
    shown = revision.value  # a prop that changes, so the panels below render anew
    StoryPanel(session, revision, playing, shown)
    if session.free:
        FreeLevers(session, revision, shown)
    PlotGrid(session, shown)


@solara.component
def Page() -> None:  # noqa: N802 - Solara components are CamelCase
    """The dashboard: the story picker, or the story picked."""
    told = solara.use_reactive(None)
    solara.Style(CSS)
    with solara.Head():
        solara.Title("Touchpoint: the trainers' dashboard")
    if told.value is None:
        Picker(told.set)
    else:
        Stage(told.value, lambda: told.set(None)).key(f"stage-{id(told.value)}")
