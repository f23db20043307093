"""The frame of a story on screen: the top bar, the scoreboard, the chart grid, the export.

The page is one screen: a slim top bar (the story, day N of M, Play/Pause, forward, the
speed, Reset), the caption band (:mod:`sim.dashboard.caption`), and below it the
scoreboard beside a grid of at most four charts that fills the rest of the window.
Only the day, the play button and the scoreboard re-render while the sides run; the
caption, the levers and the grid re-render when ``revision`` changes (a lever, a story
step, Reset); the charts themselves are updated in place by the session.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable

import solara

from sim.dashboard.export import REPLICATIONS, report_html
from sim.dashboard.plots import PLOTS, watched_side
from sim.dashboard.scoreboard import scoreboard_html, side_heading, step_kpis
from sim.dashboard.session import Session

SPEEDS = {"Slow": 1.0, "Steady": 0.2, "Fast": 0.0}
"""Play speeds in words, and the seconds between days."""
SPEED_WORDS = {
    "Slow": "a day a second",
    "Steady": "five days a second",
    "Fast": "as fast as it goes",
}
FORWARD = {
    "Forward a day": (1, "+1 day"),
    "Forward a week": (7, "+1 week"),
    "Forward a month": (30, "+1 month"),
}
"""Each forward button: its name (read aloud, and on hover), its days, its words on screen."""


@solara.component
def DayBadge(session: Session, day: solara.Reactive[int]) -> None:  # noqa: N802 - Solara components are CamelCase
    """Day N of the horizon."""
    solara.HTML(
        tag="span",
        unsafe_innerHTML=f"Day {day.value} of {session.sides.horizon}",
        classes=["touchpoint-day"],
    )


@solara.component
def Player(  # noqa: N802 - Solara components are CamelCase
    session: Session,
    day: solara.Reactive[int],
    playing: solara.Reactive[bool],
    speed: str,
    on_end: Callable[[], None],
) -> None:
    """Play/Pause; while playing, a thread runs a day per tick and pushes the charts."""

    def play(cancel: threading.Event) -> None:
        if not playing.value:
            return
        while not cancel.is_set():
            started = time.monotonic()
            reached = session.forward(1)
            day.value = session.day
            if reached:
                playing.value = False
                if session.at_end:
                    on_end()
                return
            cancel.wait(max(SPEEDS[speed] - (time.monotonic() - started), 0.0))

    solara.use_thread(play, dependencies=[playing.value, speed, session], intrusive_cancel=False)
    if playing.value:
        solara.Button("Pause", icon_name="mdi-pause", on_click=lambda: playing.set(False))
    else:
        solara.Button(
            "Play",
            icon_name="mdi-play",
            color="primary",
            on_click=lambda: playing.set(True),
            disabled=session.day >= session.sides.horizon,
        )


@solara.component
def TopBar(  # noqa: N802 - Solara components are CamelCase
    session: Session,
    day: solara.Reactive[int],
    playing: solara.Reactive[bool],
    on_change: solara.Reactive[int],
    on_leave: Callable[[], None],
    on_end: Callable[[], None],
    on_reset: Callable[[], None] | None = None,
) -> None:
    """The story's title, the day, Play/Pause, forward a day/week/month, the speed, Reset.

    ``on_end``: the story has reached its end (the debrief opens); ``on_reset``: Reset
    was pressed (the page forgets the room's answer and closes the debrief).
    """
    speed = solara.use_reactive(next(iter(SPEEDS)))

    def forward(days: int) -> None:
        playing.value = False
        session.forward(days)
        day.value = session.day
        if session.at_end:
            on_end()

    def reset() -> None:
        playing.value = False
        session.reset()
        day.value = session.day
        if on_reset is not None:
            on_reset()
        on_change.value += 1  # the panels render anew

    with solara.Row(classes=["touchpoint-top"], gap="6px"):
        solara.Button("Stories", icon_name="mdi-arrow-left", on_click=on_leave, text=True)
        solara.HTML(
            tag="span",
            unsafe_innerHTML=html.escape(session.story.title),
            classes=["touchpoint-title"],
        )
        DayBadge(session, day)
        Player(session, day, playing, speed.value, on_end)
        for name, (days, words) in FORWARD.items():
            solara.Button(
                words,
                on_click=lambda days=days: forward(days),
                outlined=True,
                attributes={"aria-label": name, "title": name},
            )
        with solara.Tooltip(f"Speed: {SPEED_WORDS[speed.value]}"):
            solara.ToggleButtonsSingle(
                value=speed, values=list(SPEEDS), classes=["touchpoint-speed"]
            )
        solara.Button("Reset", icon_name="mdi-restart", on_click=reset, outlined=True)


@solara.component
def Scoreboard(session: Session, day: solara.Reactive[int], shown: int) -> None:  # noqa: N802 - Solara components are CamelCase
    """Today's big numbers per side, the side ahead marked (as of ``day`` and ``shown``)."""
    _ = day.value, shown  # re-render on a new day, lever, step or Reset
    with session.sides.lock:
        table = scoreboard_html(session.sides, step_kpis(session.step))
    solara.HTML(tag="div", unsafe_innerHTML=table, classes=["touchpoint-board"])


@solara.component
def PlotGrid(session: Session, shown: int) -> None:  # noqa: N802 - Solara components are CamelCase
    """The step's charts, at most four, filling the rest of the window (as of ``shown``)."""
    names = session.plots()
    with solara.Div(classes=["touchpoint-grid", f"touchpoint-grid-{len(names)}"]):
        for name in names:
            if PLOTS[name].kind != "mechanism":
                solara.Div(children=[session.chart(name)], classes=["touchpoint-cell-box"])
                continue
            side = watched_side(session.sides)
            with solara.Div(classes=["touchpoint-mechanism-cell"]):
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML=(
                        f"{html.escape(PLOTS[name].title)}: {side_heading(side)} "
                        "<span class='touchpoint-unit'>(one run)</span>"
                    ),
                    classes=["touchpoint-chart-title"],
                )
                solara.Div(children=[session.chart(name)], classes=["touchpoint-mechanism-box"])


@solara.component
def Export(session: Session) -> None:  # noqa: N802 - Solara components are CamelCase
    """The comparison as ``compare``'s report: prepare (replications), then download."""
    asked = solara.use_reactive(0)

    def build() -> str | None:
        return report_html(session.sides) if asked.value else None

    page = solara.use_thread(build, dependencies=[asked.value], intrusive_cancel=False)
    if page.state == solara.ResultState.RUNNING:
        solara.Button(f"Running {REPLICATIONS} replications of each side…", disabled=True)
    elif page.value:
        solara.FileDownload(
            page.value,
            filename="touchpoint-report.html",
            label="Download report.html",
            mime_type="text/html",
        )
    else:
        solara.Button(
            f"Export report ({REPLICATIONS} runs each side)",
            icon_name="mdi-file-chart",
            on_click=lambda: asked.set(asked.value + 1),
            outlined=True,
        )
    if page.error:
        solara.Error(f"export failed: {page.error}")
