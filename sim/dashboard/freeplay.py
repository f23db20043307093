"""Free play's panel: every lever of a side in words, its value now, and the saved setups.

Each lever is a row: its name and unit, then its choices as buttons in words, the value
the side runs with now highlighted (the scenario's own value while the lever is not
pulled, marked "as shipped"). The trainer names the levers of both sides and saves them
(:mod:`sim.dashboard.setups`); a saved setup starts both sides again from day 0 with
its levers, in one click. The same tab gives the trainees' handout of what is on screen
and, for strategists, ``compare``'s report.
"""

from __future__ import annotations

import html
import math
from typing import Any

import solara

from sim.dashboard.caption import Handout
from sim.dashboard.levers import LEVERS, Lever
from sim.dashboard.panels import Export, Scoreboard
from sim.dashboard.scoreboard import side_heading
from sim.dashboard.session import Session
from sim.dashboard.setups import SIDE_NAMES, load_setups, save_setup
from sim.dashboard.stories import Pull
from sim.scenario.errors import InputError
from sim.scenario.schema import Scenario

TABS = ("Levers", "Scoreboard", "Setups")


def shipped_value(name: str, scenario: Scenario) -> Any:
    """The value a lever stands at in a scenario as shipped, in the lever's unit.

    None if the scenario has nothing the lever sets (SDRs in a sales team without roles).
    """
    lever = LEVERS[name]
    if name == "touch_quality":
        return 1.0
    if name == "budget_split":
        total = scenario.monthly_budget()
        return round(100 * scenario.channel_budget() / total) if total else 100
    probe = next(iter(lever.choices)) if lever.choices else 1.0
    ((key, scale),) = lever.overrides(scenario, probe).items()
    value: Any = scenario
    for part in key.split("."):
        value = getattr(value, part, None)
    if value is None:  # the scenario has no such part (an SDR team without roles)
        return None
    if lever.choices:
        return value
    return round(float(value) / float(scale), 6) if scale else float(value)


def lever_value(side: Any, name: str) -> tuple[Any, bool]:
    """The value a side runs a lever at now, and whether that is as shipped."""
    if name in side.pulled:
        return side.pulled[name], False
    return shipped_value(name, side.shipped), True


def value_words(lever: Lever, value: Any) -> str:
    """A lever's value in words: ``24``, ``friends at random``."""
    if lever.choices:
        return lever.choices.get(value, str(value))
    return f"{float(value):,g}"


def choices(lever: Lever, now: Any) -> list[Any]:
    """The values offered for a lever: its presets, and the value now if it is not one."""
    offered = list(lever.presets)
    if now not in offered and not (isinstance(now, float) and math.isnan(now)):
        offered.append(now)
        if not lever.choices:
            offered.sort()
    return offered


@solara.component
def LeverRow(  # noqa: N802 - Solara components are CamelCase
    session: Session, which: str, name: str, on_change: solara.Reactive[int], shown: int
) -> None:
    """One lever on one side: its name, unit and value now, its choices as buttons.

    The value now is highlighted among the choices; the other side's is given beside it.
    """
    lever = LEVERS[name]
    side = session.sides.side(which)
    now, shipped = lever_value(side, name)

    def choose(value: Any) -> None:
        try:
            session.pull(Pull(side=which, lever=name, value=value))
        except InputError as exc:
            session.message = str(exc)
        on_change.value += 1  # the panels render anew

    if now is None:
        solara.HTML(
            tag="div",
            unsafe_innerHTML=f"<b>{html.escape(lever.label)}</b>: not in this scenario",
            classes=["touchpoint-lever-row", "touchpoint-unused"],
        )
        return
    with solara.Div(classes=["touchpoint-lever-row"]):
        note = " (as shipped)" if shipped else ""
        other = next(s for s in session.sides if s.which != which)
        there, _ = lever_value(other, name)
        elsewhere = (
            f" <span class='touchpoint-unit'>({other.which}: "
            f"{html.escape(value_words(lever, there))})</span>"
            if there is not None
            else ""
        )
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f"<b>{html.escape(lever.label)}</b> <span class='touchpoint-unit'>"
                f"{html.escape(lever.unit)}</span> <span class='touchpoint-now'>now "
                f"{html.escape(value_words(lever, now))}{note}</span>{elsewhere}"
            ),
            attributes={"title": lever.tooltip()},
        )
        with solara.Row(gap="4px", classes=["touchpoint-chips"]):
            for value in choices(lever, now):
                solara.Button(
                    value_words(lever, value),
                    on_click=lambda value=value: choose(value),
                    color="primary" if value == now else None,
                    outlined=value != now,
                    small=True,
                    classes=["touchpoint-chip"],
                )


@solara.component
def Setups(  # noqa: N802 - Solara components are CamelCase
    session: Session, day: solara.Reactive[int], on_change: solara.Reactive[int], shown: int
) -> None:  # noqa: N802 - Solara components are CamelCase
    """Name and save both sides' levers; re-apply a saved setup in one click."""
    name = solara.use_reactive("")
    saved = solara.use_reactive(None)
    problem = solara.use_reactive("")
    unreadable = ""
    try:
        known = saved.value if saved.value is not None else load_setups()
    except InputError as exc:
        known, unreadable = {}, str(exc)

    def save() -> None:
        setup = {which: dict(session.sides.side(which).pulled) for which in SIDE_NAMES}
        try:
            saved.value = save_setup(name.value, setup)
            problem.value = ""
        except (InputError, OSError) as exc:
            problem.value = str(exc)

    def apply(setup: dict[str, dict[str, Any]]) -> None:
        session.reset()
        try:
            for which in SIDE_NAMES:
                for lever, value in setup[which].items():
                    session.pull(Pull(side=which, lever=lever, value=value))
        except (InputError, ValueError) as exc:
            session.message = str(exc)
        day.value = session.day
        on_change.value += 1  # the panels render anew

    solara.InputText("Name these levers", value=name, continuous_update=True)
    solara.Button(
        "Save setup", icon_name="mdi-content-save", on_click=save, disabled=not name.value
    )
    if problem.value or unreadable:
        solara.HTML(
            tag="div",
            unsafe_innerHTML=html.escape(problem.value or unreadable),
            classes=["touchpoint-error"],
        )
    with solara.Div(classes=["touchpoint-chips"]):
        for title, setup in known.items():
            solara.Button(
                title,
                icon_name="mdi-play-box-multiple",
                on_click=lambda setup=setup: apply(setup),
                outlined=True,
                small=True,
                classes=["touchpoint-chip"],
            )
    with solara.Row(classes=["touchpoint-actions"]):
        Handout(session)  # the trainees' page, from the runs on screen: at once
        Export(session)  # compare's report, for strategists: its own replications


@solara.component
def FreePanel(  # noqa: N802 - Solara components are CamelCase
    session: Session, day: solara.Reactive[int], on_change: solara.Reactive[int], shown: int
) -> None:
    """Free play's side panel: the levers of a side, the scoreboard, or the saved setups."""
    tab = solara.use_reactive(TABS[0])
    which = solara.use_reactive(SIDE_NAMES[0])
    with solara.Div(classes=["touchpoint-free"]):
        solara.ToggleButtonsSingle(value=tab, values=list(TABS), classes=["touchpoint-tabs"])
        if tab.value == "Levers":
            with solara.Row(gap="4px"):
                for side in SIDE_NAMES:
                    solara.Button(
                        children=[
                            solara.HTML(
                                tag="span", unsafe_innerHTML=side_heading(session.sides.side(side))
                            )
                        ],
                        on_click=lambda side=side: which.set(side),
                        outlined=which.value != side,
                        classes=["touchpoint-side-tab"],
                    )
            for name in LEVERS:
                LeverRow(session, which.value, name, on_change, shown)
        elif tab.value == "Scoreboard":
            Scoreboard(session, day, shown)
        else:
            Setups(session, day, on_change, shown)
