"""The caption band of a story step, and the debrief at the story's end.

A step's caption is read to the room; if the step asks a question, the room predicts
first (its options as big buttons, the room's pick highlighted), then Reveal shows the
answer and only then the step's lever buttons. Next goes on; on the last step, Debrief
shows the story's takeaway, the final scoreboard with the ensemble's figures and the
handout.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import solara

from sim.dashboard.handout import handout_html
from sim.dashboard.levers import LEVERS
from sim.dashboard.scoreboard import scoreboard_html, story_kpis
from sim.dashboard.session import Session, pull_label
from sim.dashboard.stories import Pull
from sim.scenario.errors import InputError


def question(session: Session) -> Any:
    """The step's question to the room, or None."""
    return session.step.question


def revealed(session: Session) -> bool:
    """Whether the step's levers are on offer: no question, or its answer revealed."""
    return question(session) is None or session.revealed


def answer_text(asked: Any) -> str:
    """``Answer: Fewer. Each trust needs...``, the right option named once."""
    answer = asked.options[asked.answer]
    if asked.reveal.lower().startswith(answer.lower()):
        return f"Answer: {asked.reveal}"
    return f"Answer: {answer}. {asked.reveal}"


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
        on_change.value += 1  # the panels render anew

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
def CaptionBand(  # noqa: N802 - Solara components are CamelCase
    session: Session,
    on_change: solara.Reactive[int],
    playing: solara.Reactive[bool],
    pick: solara.Reactive[int | None],
    on_debrief: Callable[[], None],
    shown: int,
) -> None:
    """The step's caption; its question and Reveal, or its levers; Next or Debrief."""
    story, asked = session.story, question(session)

    def next_step() -> None:
        playing.value = False
        pick.value = None
        session.next_step()
        on_change.value += 1  # the panels render anew

    def reveal() -> None:
        session.reveal()
        on_change.value += 1  # the panels render anew

    with solara.Div(classes=["touchpoint-caption-band"]):
        text = html.escape(session.step.caption)
        if asked is not None:
            text += f" <b class='touchpoint-ask'>{html.escape(asked.ask)}</b>"
            if revealed(session):
                text += f" <span class='touchpoint-reveal'>{html.escape(answer_text(asked))}</span>"
        solara.HTML(tag="div", unsafe_innerHTML=text, classes=["touchpoint-caption"])
        with solara.Div(classes=["touchpoint-actions"]):
            if not revealed(session):
                for index, option in enumerate(asked.options):
                    solara.Button(
                        ("● " if pick.value == index else "") + option,
                        on_click=lambda index=index: pick.set(index),
                        color="primary" if pick.value == index else None,
                        outlined=pick.value != index,
                        classes=["touchpoint-option"],
                    )
                solara.Button("Reveal", icon_name="mdi-eye", on_click=reveal, color="secondary")
            else:
                for pull in session.step.levers:
                    LeverButton(session, pull, on_change, shown)
            if session.index + 1 < len(story.steps):
                solara.Button(
                    f"Next ({session.index + 1} of {len(story.steps)})",
                    icon_name="mdi-skip-next",
                    on_click=next_step,
                    color="primary",
                    classes=["touchpoint-next"],
                )
            elif not session.free:
                solara.Button(
                    "Debrief", icon_name="mdi-flag-checkered", on_click=on_debrief, color="primary"
                )
        if session.message:
            solara.HTML(
                tag="div",
                unsafe_innerHTML=html.escape(session.message),
                classes=["touchpoint-error"],
            )


@solara.component
def Handout(session: Session) -> None:  # noqa: N802 - Solara components are CamelCase
    """The one-page handout of the story's result: prepare, then download."""
    asked = solara.use_reactive(0)

    def build() -> str | None:
        return handout_html(session) if asked.value else None

    page = solara.use_thread(build, dependencies=[asked.value], intrusive_cancel=False)
    if page.state == solara.ResultState.RUNNING:
        solara.Button("Writing the handout…", disabled=True)
    elif page.value:
        solara.FileDownload(
            page.value, filename="touchpoint-handout.html", label="Download the handout"
        )
    else:
        solara.Button(
            "Handout", icon_name="mdi-file-document", on_click=lambda: asked.set(asked.value + 1)
        )
    if page.error:
        solara.Error(f"the handout failed: {page.error}")


@solara.component
def Debrief(session: Session, on_close: Callable[[], None], shown: int) -> None:  # noqa: N802 - Solara components are CamelCase
    """The story's takeaway, the final scoreboard with the runs' range, the handout."""
    takeaway = session.story.takeaway or session.story.summary
    with session.sides.lock:
        table = scoreboard_html(session.sides, story_kpis(session.story), bands=True)
        runs = max(
            len(side.current.series("customers")) if hasattr(side, "current") else 1
            for side in session.sides
        )
    with solara.Div(classes=["touchpoint-debrief"]):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f"<p class='touchpoint-debrief-title'>Debrief: day {session.day} of "
                f"{session.sides.horizon}, {runs} run{'s' if runs > 1 else ''} a side</p>"
                f"<p class='touchpoint-takeaway'>{html.escape(takeaway)}</p>"
            ),
        )
        solara.HTML(tag="div", unsafe_innerHTML=table, classes=["touchpoint-board", "wide"])
        with solara.Row(classes=["touchpoint-actions"]):
            Handout(session)
            solara.Button(
                "Back to the charts", icon_name="mdi-chart-line", on_click=on_close, outlined=True
            )
