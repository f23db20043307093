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

from sim.dashboard.caption import CaptionBand, Debrief
from sim.dashboard.freeplay import FreePanel
from sim.dashboard.livechart import PlotlyPreload, serve_plotly
from sim.dashboard.panels import PlotGrid, Scoreboard, TopBar
from sim.dashboard.plots import PLOTS, chart_frame
from sim.dashboard.session import Session, free_play, scenario_choices
from sim.dashboard.stories import Told, load_stories, story_folder, story_sides

CSS = """
.touchpoint-stage { position: fixed; inset: 0; display: flex; flex-direction: column;
  gap: 0.7vh; padding: 0.5vh 0.8vw 0.8vh 0.8vw; box-sizing: border-box; overflow: hidden;
  background: white; z-index: 5; }
.touchpoint-stage .v-btn { text-transform: none !important; letter-spacing: 0 !important; }
.touchpoint-top { flex: 0 0 auto; align-items: center; flex-wrap: nowrap; margin: 0 !important; }
.touchpoint-top .v-btn, .touchpoint-top .v-btn-toggle .v-btn {
  font-size: clamp(13px, 1.7vh, 20px) !important; height: clamp(30px, 4.3vh, 46px) !important;
  padding: 0 0.7em !important; min-width: 0 !important; }
.touchpoint-title, .touchpoint-day { font-size: clamp(16px, 2.5vh, 30px); font-weight: 700;
  white-space: nowrap; }
.touchpoint-title { overflow: hidden; text-overflow: ellipsis; flex: 1 1 auto; min-width: 0; }
.touchpoint-day { margin: 0 0.4em; }
.touchpoint-caption-band { flex: 0 0 auto; display: flex; align-items: center; gap: 1vw;
  padding: 0.6vh 0.8vw; border-radius: 6px; background: #f3f5f8; }
.touchpoint-caption { flex: 1 1 55%; font-size: clamp(15px, 2.3vh, 28px); line-height: 1.3;
  color: #222; }
.touchpoint-ask { display: block; margin-top: 0.3em; }
.touchpoint-reveal { display: block; margin-top: 0.3em; color: #004f7c; }
.touchpoint-actions { flex: 0 1 auto; display: flex; flex-wrap: wrap; gap: 0.6vh 0.5vw;
  justify-content: flex-end; align-items: center; max-width: 50%; }
.touchpoint-actions .v-btn { font-size: clamp(13px, 1.8vh, 21px) !important;
  height: clamp(32px, 4.5vh, 50px) !important; }
.touchpoint-error { flex-basis: 100%; color: #b00020; font-size: clamp(13px, 1.7vh, 20px); }
.touchpoint-body { flex: 1 1 auto; min-height: 0; display: flex; flex-direction: column;
  gap: 0.7vh; }
.touchpoint-main { flex: 1 1 auto; min-height: 0; display: flex; gap: 0.8vw; }
.touchpoint-board { flex: 0 0 clamp(240px, 20vw, 400px); overflow: hidden; }
.touchpoint-grid { flex: 1 1 auto; min-width: 0; min-height: 0; display: grid; gap: 0.8vh 0.6vw;
  grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
  grid-template-rows: minmax(0, 1fr) minmax(0, 1fr); }
.touchpoint-grid-1 { grid-template-columns: minmax(0, 1fr); grid-template-rows: minmax(0, 1fr); }
.touchpoint-grid-2 { grid-template-rows: minmax(0, 1fr); }
.touchpoint-grid > * { position: relative; min-width: 0; min-height: 0; overflow: hidden; }
.touchpoint-cell-box > *, .touchpoint-cell { position: absolute; inset: 0; }
.touchpoint-chart { position: absolute; inset: 0; }
.touchpoint-mechanism-cell { display: flex; flex-direction: column; }
.touchpoint-chart-title { flex: 0 0 auto; font-size: clamp(15px, 2vh, 24px); color: #444;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.touchpoint-mechanism-box { flex: 1 1 auto; min-height: 0; position: relative; }
.touchpoint-mechanism-box > * { position: absolute; inset: 0; }
.touchpoint-scoreboard { width: 100%; border-collapse: collapse; table-layout: fixed; }
.touchpoint-scoreboard th { text-align: left; vertical-align: top;
  font-size: clamp(13px, 1.8vh, 22px); overflow-wrap: anywhere; }
.touchpoint-kpi th { font-weight: 600; padding-top: 1.2vh; border-top: 1px solid #ddd; }
.touchpoint-scoreboard td { vertical-align: top; }
.touchpoint-unit { font-weight: 400; color: #555; font-size: 0.8em; }
.touchpoint-number { display: block; font-size: clamp(24px, 4.6vh, 58px); font-weight: 700;
  line-height: 1.1; }
.touchpoint-ahead, .touchpoint-band { display: block; font-size: clamp(12px, 1.7vh, 21px); }
.touchpoint-ahead { font-weight: 700; }
.touchpoint-band { color: #555; }
.touchpoint-side { display: inline-flex; align-items: center; gap: 0.3em; font-weight: 700; }
.touchpoint-debrief { flex: 1 1 auto; min-height: 0; overflow: hidden; display: flex;
  flex-direction: column; gap: 1.5vh; padding: 1vh 2vw; }
.touchpoint-debrief-title { font-size: clamp(18px, 3vh, 36px); font-weight: 700; margin: 0; }
.touchpoint-takeaway { font-size: clamp(18px, 3vh, 36px); line-height: 1.3; margin: 0; }
.touchpoint-board.wide { flex: 0 1 auto; max-width: 80vw; }
.touchpoint-scoreboard.wide th[scope=row] { width: 40%; padding-right: 1vw; }
.touchpoint-scoreboard.wide td { padding: 0.8vh 1vw 0.8vh 0; border-top: 1px solid #ddd; }
.touchpoint-scoreboard.wide .touchpoint-kpi th { border-top: 1px solid #ddd; padding-top: 0.8vh; }
.touchpoint-scoreboard.wide .touchpoint-number { font-size: clamp(20px, 3.6vh, 44px); }
.touchpoint-unused { color: #777; }
.touchpoint-free { flex: 0 0 clamp(340px, 30vw, 560px); overflow: hidden; display: flex;
  flex-direction: column; gap: 0.5vh; font-size: clamp(12px, 1.6vh, 19px); }
.touchpoint-lever-row { line-height: 1.2; }
.touchpoint-now { color: #004f7c; font-weight: 600; }
.touchpoint-chips { flex-wrap: wrap; margin: 0 !important; }
.touchpoint-stage .touchpoint-chip, .touchpoint-free .v-btn {
  font-size: clamp(11px, 1.5vh, 18px) !important; height: clamp(22px, 3vh, 36px) !important;
  padding: 0 0.5em !important; min-width: 0 !important; margin: 1px; }
.touchpoint-pick .v-btn { font-size: 18px !important; text-transform: none !important; }
.touchpoint-pick p { font-size: 20px; }
.touchpoint-heading { font-size: 32px; font-weight: 700; }
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
    hide_banner()
    first = next(iter(stories().values()), None)
    if first is not None:
        sides = story_sides(first)
        sides.step(1)
        for name in PLOTS:
            chart_frame(name, sides, 0)


def hide_banner() -> None:
    """No "This website runs on Solara" over the charts' bottom corner."""
    from solara.server import settings

    settings.theme.show_banner = False


warm_up()


@solara.component
def Picker(on_pick) -> None:  # noqa: N802 - Solara components are CamelCase
    """The story picker: a card per story, and free play with any two scenarios."""
    choices = solara.use_memo(
        lambda: {label.replace("_", " "): path for label, path in scenario_choices().items()}, []
    )
    labels = list(choices)
    left = solara.use_reactive(labels[0])
    right = solara.use_reactive(labels[1] if len(labels) > 1 else labels[0])
    solara.HTML(tag="div", unsafe_innerHTML="<p class='touchpoint-heading'>Pick a story</p>")
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
    """A story on one screen: the top bar, the caption band, the scoreboard and the charts."""
    session = solara.use_memo(lambda: Session(told), [told])
    solara.use_effect(lambda: session.close, [session])
    revision = solara.use_reactive(0)
    day = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    pick = solara.use_reactive(None)
    debrief = solara.use_reactive(False)

    def end() -> None:
        if not session.free:
            debrief.value = True

    def reset() -> None:
        pick.value, debrief.value = None, False

    with solara.Div(classes=["touchpoint-stage"]):
        TopBar(session, day, playing, revision, on_leave, end, reset)
        Board(session, revision, playing, day, pick, debrief)


@solara.component
def Board(  # noqa: N802 - Solara components are CamelCase
    session: Session,
    revision: solara.Reactive[int],
    playing: solara.Reactive[bool],
    day: solara.Reactive[int],
    pick: solara.Reactive[int | None],
    debrief: solara.Reactive[bool],
) -> None:
    """The caption band, then the scoreboard (or free play's panel) beside the charts.

    Re-rendered on levers, steps, Reset and the debrief only, not on every day.
    """
    shown = revision.value  # a prop that changes, so the panels below render anew
    with solara.Div(classes=["touchpoint-body"]):
        if debrief.value:
            Debrief(session, lambda: debrief.set(False), shown)
        else:
            CaptionBand(session, revision, playing, pick, lambda: debrief.set(True), shown)
            with solara.Div(classes=["touchpoint-main"]):
                if session.free:
                    FreePanel(session, day, revision, shown)
                else:
                    Scoreboard(session, day, shown)
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
