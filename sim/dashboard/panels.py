"""The panels of a story on screen: the day, the controls, the caption and levers, the plots.

Only the day badge and the play button re-render while the sides run; the caption,
the levers and the plot grid re-render when ``revision`` changes (a lever, a story
step, Reset); the charts themselves are updated in place by :meth:`Session.push`.
"""

from __future__ import annotations

import html
import threading
import time

import solara

from sim.dashboard.export import REPLICATIONS, report_html
from sim.dashboard.levers import LEVERS
from sim.dashboard.plots import MAX_PLOTS, PLOTS
from sim.dashboard.session import Session, pull_label
from sim.dashboard.sides import SIDES
from sim.dashboard.stories import Pull
from sim.scenario.errors import InputError

SPEEDS = {
    "Slow: a day a second": 1.0,
    "Steady: five days a second": 0.2,
    "Fast: as fast as it goes": 0.0,
}
"""Play speeds in words, and the seconds between days."""

FORWARD = {"Forward a day": 1, "Forward a week": 7, "Forward a month": 30}


@solara.component
def DayBadge(session: Session, day: solara.Reactive[int]) -> None:  # noqa: N802 - Solara components are CamelCase
    """Day N of the horizon, and the sides in their colours."""
    names = " ".join(
        f"<span style='color:{side.color};font-weight:700'>&#9632; {side.name}</span>"
        for side in session.sides
    )
    solara.HTML(
        tag="div",
        unsafe_innerHTML=(
            f"<span class='touchpoint-day'>Day {day.value} of {session.sides.horizon}</span>"
            f"<span class='touchpoint-sides'>{names}</span>"
        ),
    )


@solara.component
def Player(  # noqa: N802 - Solara components are CamelCase
    session: Session, day: solara.Reactive[int], playing: solara.Reactive[bool], speed: str
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
def Controls(  # noqa: N802 - Solara components are CamelCase
    session: Session,
    day: solara.Reactive[int],
    playing: solara.Reactive[bool],
    on_change: solara.Reactive[int],
) -> None:
    """Play/Pause, forward a day/week/month, Reset, the speed in words."""
    speed = solara.use_reactive(next(iter(SPEEDS)))

    def forward(days: int) -> None:
        playing.value = False
        session.forward(days)
        day.value = session.day

    def reset() -> None:
        playing.value = False
        session.reset()
        day.value = session.day
        on_change.value = session.revision

    with solara.Row(classes=["touchpoint-controls"], style={"flex-wrap": "wrap"}):
        Player(session, day, playing, speed.value)
        for label, days in FORWARD.items():
            solara.Button(label, on_click=lambda days=days: forward(days), outlined=True)
        solara.Button("Reset", icon_name="mdi-restart", on_click=reset, outlined=True)
        solara.Select("Speed", values=list(SPEEDS), value=speed, style={"max-width": "22em"})


@solara.component
def LeverButton(  # noqa: N802 - Solara components are CamelCase
    session: Session, pull: Pull, on_change: solara.Reactive[int], shown: int
) -> None:
    """A button that pulls one lever; its tooltip gives the unit and the source."""

    def press() -> None:
        try:
            session.pull(pull)
        except InputError as exc:
            session.message = str(exc)
        on_change.value = session.revision + (0 if not session.message else 1)

    done = session.pulled(pull)
    with solara.Tooltip(LEVERS[pull.lever].tooltip()):
        solara.Button(
            ("✓ " if done else "") + pull_label(pull, session),
            on_click=press,
            color="secondary" if not done else None,
            disabled=done,
            classes=["touchpoint-lever"],
        )


@solara.component
def StoryPanel(  # noqa: N802 - Solara components are CamelCase
    session: Session, on_change: solara.Reactive[int], playing: solara.Reactive[bool], shown: int
) -> None:
    """The caption of the step, its lever buttons, and Next (as of revision ``shown``)."""
    story = session.story

    def next_step() -> None:
        playing.value = False
        session.next_step()
        on_change.value = session.revision

    with solara.Card(classes=["touchpoint-story"]):
        caption = html.escape(session.step.caption)
        solara.HTML(tag="div", unsafe_innerHTML=f"<p class='touchpoint-caption'>{caption}</p>")
        with solara.Row(style={"flex-wrap": "wrap"}):
            for pull in session.step.levers:
                LeverButton(session, pull, on_change, shown)
            if not session.free:
                solara.Button(
                    f"Next ({session.index + 1} of {len(story.steps)})",
                    icon_name="mdi-skip-next",
                    on_click=next_step,
                    disabled=session.index + 1 >= len(story.steps),
                    color="primary",
                    classes=["touchpoint-next"],
                )
        if session.message:
            solara.Error(session.message)


@solara.component
def FreeLevers(session: Session, on_change: solara.Reactive[int], shown: int) -> None:  # noqa: N802 - Solara components are CamelCase
    """Free play: every lever on either side, its presets; the plots shown (as of ``shown``)."""
    with solara.Columns([1, 1]):
        for which in SIDES:
            side = session.sides.side(which)
            with solara.Column():
                solara.HTML(
                    tag="h3",
                    unsafe_innerHTML=f"<span style='color:{side.color}'>{side.name}</span>",
                )
                for name, lever in LEVERS.items():

                    def choose(value, name=name, which=which) -> None:
                        if value is None:
                            return
                        try:
                            session.pull(Pull(side=which, lever=name, value=value))
                        except InputError as exc:
                            session.message = str(exc)
                        on_change.value = on_change.value + 1

                    with solara.Tooltip(lever.tooltip()):
                        solara.Select(
                            f"{lever.label} ({lever.unit})",
                            values=list(lever.presets),
                            value=side.pulled.get(name),
                            on_value=choose,
                        )

    def plots(chosen: list[str]) -> None:
        session.choose(chosen)
        on_change.value = session.revision

    solara.SelectMultiple(
        f"Plots (up to {MAX_PLOTS})", values=session.plots(), all_values=list(PLOTS), on_value=plots
    )


@solara.component
def PlotGrid(session: Session, shown: int) -> None:  # noqa: N802 - Solara components are CamelCase
    """The plots of the step, two a row, full width (as of revision ``shown``)."""
    solara.GridFixed(
        columns=2, children=[session.chart(name) for name in session.plots()], row_gap="16px"
    )


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
        solara.Button("Prepare again", on_click=lambda: asked.set(asked.value + 1), text=True)
    else:
        solara.Button(
            f"Export report ({REPLICATIONS} runs each side)",
            icon_name="mdi-file-chart",
            on_click=lambda: asked.set(asked.value + 1),
            outlined=True,
        )
    if page.error:
        solara.Error(f"export failed: {page.error}")
