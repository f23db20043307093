"""One browser session: the story being told, its two sides, where it is, and its charts.

Every browser session builds its own, so a room of trainees never step each other's
runs. Nothing here is Solara: the page (:mod:`sim.dashboard.app`) calls these methods
and shows :attr:`Session.charts`; :meth:`Session.push` sends each visible chart the
numbers of today.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sim.dashboard.levers import LEVERS
from sim.dashboard.plots import DEFAULT_PLOTS, MAX_PLOTS, PLOTS, chart_frame, chart_widget
from sim.dashboard.sides import SIDES
from sim.dashboard.stories import (
    FILE_ENV,
    SCENARIO_DIR,
    Pull,
    Step,
    Story,
    Told,
    story_sides,
)

FREE_PLAY_SEED = 7


def scenario_choices() -> dict[str, Path]:
    """Label → file of the scenarios free play offers: the command line's file first."""
    choices: dict[str, Path] = {}
    extra = os.environ.get(FILE_ENV)
    if extra:
        path = Path(extra).resolve()
        choices[f"{path.stem} ({path.name})"] = path
    for path in sorted(SCENARIO_DIR.glob("*.yaml")):
        choices.setdefault(path.stem, path)
    return choices


def free_play(left: Path, right: Path) -> Told:
    """Free play as a one-step story: any two scenarios, every lever, the default plots."""
    caption = (
        "Free play: pull any lever on either side, step or play, and watch the plots. "
        "Both sides meet the same prospects."
    )
    story = Story(
        title=f"Free play: {_words(left)} against {_words(right)}",
        left=str(left),
        right=str(right),
        seed=FREE_PLAY_SEED,
        steps=[Step(caption=caption, plots=list(DEFAULT_PLOTS))],
    )
    return Told("free play", story, left, right)


class Session:
    """A story being told: the sides, the current step, the charts on screen.

    Args:
        told: The story (or free play).

    Attributes:
        revision: Raised by every lever, story step and reset: panels that show the
            caption and the levers re-render on it, not on every day.
        message: The last thing a lever could not do, in words (empty if none).
    """

    def __init__(self, told: Told) -> None:
        self.told = told
        self.sides = story_sides(told)
        self.index = 0
        self.revision = 0
        self.message = ""
        self.revealed = False
        self.chosen: list[str] = list(self.step.plots)
        self.charts: dict[str, Any] = {}

    @property
    def story(self) -> Story:
        """The story told."""
        return self.told.story

    @property
    def step(self) -> Step:
        """The current step of the story."""
        return self.story.steps[self.index]

    @property
    def free(self) -> bool:
        """Free play: every lever on offer, the plots chosen by the trainer."""
        return self.told.key == "free play"

    @property
    def day(self) -> int:
        """Days run so far."""
        return self.sides.day

    def plots(self) -> list[str]:
        """The plots on screen, at most four."""
        return self.chosen[:MAX_PLOTS]

    @property
    def asking(self) -> bool:
        """The step's question is on screen, not yet revealed: its levers wait."""
        return self.step.question is not None and not self.revealed

    @property
    def at_end(self) -> bool:
        """The last step, played to the end: time for the debrief."""
        last = self.index + 1 >= len(self.story.steps)
        return last and self.day >= self.sides.horizon

    def reveal(self) -> None:
        """Show the answer to the step's question, and offer its levers."""
        self.revealed = True
        self._changed()

    def chart(self, name: str) -> Any:
        """The chart of a plot, made on first use, with today's numbers."""
        if name not in self.charts:
            self.charts[name] = chart_widget(name)
            self._send(name)
        return self.charts[name]

    def push(self) -> None:
        """Send today's numbers to every chart on screen (the layout stays)."""
        for name in self.plots():
            if name in self.charts:
                self._send(name)

    def _send(self, name: str) -> None:
        with self.sides.lock:
            frame = chart_frame(name, self.sides, self.revision)
        self.charts[name].frame = frame

    def stop_day(self) -> int:
        """The day play stops at: the step's pause day still ahead, else the horizon."""
        pause = self.step.pause_day
        return pause if pause is not None and pause > self.day else self.sides.horizon

    def forward(self, days: int) -> bool:
        """Run ``days`` days on (not past the stop day), then update the charts.

        Returns:
            True if the stop day was reached (play should pause).
        """
        with self.sides.lock:
            stop = self.stop_day()
            self.sides.step(max(min(days, stop - self.day), 0))
            reached = self.day >= stop
        self.push()
        return reached

    def pull(self, pull: Pull) -> None:
        """Pull a lever on one side or both: rebuild, replay to today, redraw."""
        self.message = ""
        which = SIDES if pull.side == "both" else (pull.side,)
        with self.sides.lock:
            for side in which:
                self.sides.side(side).pull(pull.lever, pull.value)
        self._changed()

    def pulled(self, pull: Pull) -> bool:
        """Whether the lever already stands at this value on every side it changes."""
        which = SIDES if pull.side == "both" else (pull.side,)
        return all(self.sides.side(s).pulled.get(pull.lever) == pull.value for s in which)

    def next_step(self) -> None:
        """On to the story's next step: its caption, its plots, its levers."""
        if self.index + 1 < len(self.story.steps):
            self.index += 1
            self.revealed = False
            self.chosen = list(self.step.plots)
            self._changed()

    def choose(self, plots: list[str]) -> None:
        """Free play: the plots on screen (the first four)."""
        self.chosen = [p for p in plots if p in PLOTS][:MAX_PLOTS] or list(DEFAULT_PLOTS)
        self._changed()

    def reset(self) -> None:
        """Back to day 0 and the story's first step, no levers pulled."""
        self.sides.reset()
        self.index = 0
        self.message = ""
        self.revealed = False
        self.chosen = list(self.step.plots)
        self._changed()

    def _changed(self) -> None:
        self.revision += 1
        self.push()

    def close(self) -> None:
        """Close the charts' widgets (the session is over)."""
        for chart in self.charts.values():
            chart.close()
        self.charts.clear()


def pull_label(pull: Pull, session: Session | None = None) -> str:
    """The words on a lever's button."""
    if pull.label:
        return pull.label
    text = LEVERS[pull.lever].text(pull.value)
    if session is None or pull.side == "both":
        return text
    return f"{session.sides.side(pull.side).name}: {text}"


def _words(path: Path) -> str:
    """A scenario file's name in words: ``my_plan.yaml`` → ``my plan``."""
    return path.stem.replace("_", " ")
