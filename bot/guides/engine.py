"""Step-by-step guides kept as data (faq/guides/*.toml) and the engine that walks a courier through one.

A session is a small JSON-able dict, so any channel can keep it (Telegram persistence, console memory).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot import dates, regions
from bot.faq.loader import DEFAULT_DIR, FaqError

KINDS = {"choice", "date", "region"}


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    next: str | None = None
    stop: str | None = None  # ends the guide early with this outcome key


@dataclass(frozen=True)
class Step:
    id: str
    kind: str
    prompt: str
    choices: tuple[Choice, ...] = ()
    next: str | None = None  # for date/region steps; None = last step


@dataclass(frozen=True)
class Guide:
    id: str
    title: str
    intro: str
    start: str
    steps: dict[str, Step]


@dataclass
class Turn:
    """What the engine says after an input."""

    session: dict | None  # None once the guide is over
    step: Step | None = None  # the step to ask now
    error: str | None = None  # why the input was not accepted (template key)
    done: bool = False
    stop: str | None = None  # early outcome key, when a choice stopped the guide
    answers: dict | None = None  # all answers, when done


def _step(raw: dict, where: str) -> Step:
    if raw.get("kind") not in KINDS:
        raise FaqError(f"{where}: kind must be one of {sorted(KINDS)}")
    choices = tuple(
        Choice(c["value"], c["label"], c.get("next"), c.get("stop")) for c in raw.get("choice", [])
    )
    if raw["kind"] == "choice" and not choices:
        raise FaqError(f"{where}: a choice step needs choices")
    for c in choices:
        if (c.next is None) == (c.stop is None):
            raise FaqError(f"{where}: choice {c.value!r} needs exactly one of next / stop")
    return Step(raw["id"], raw["kind"], raw["prompt"].strip(), choices, raw.get("next"))


def load_guides(directory: Path | str = DEFAULT_DIR) -> dict[str, Guide]:
    guides = {}
    for path in sorted((Path(directory) / "guides").glob("*.toml")):
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
        steps = {s["id"]: _step(s, f"{path.name}: step {s.get('id')!r}") for s in raw["step"]}
        targets = [c.next for s in steps.values() for c in s.choices if c.next]
        targets += [s.next for s in steps.values() if s.next] + [raw["start"]]
        for t in targets:
            if t not in steps:
                raise FaqError(f"{path.name}: step {t!r} is referred to but not defined")
        guides[raw["id"]] = Guide(
            raw["id"], raw["title"], raw["intro"].strip(), raw["start"], steps
        )
    return guides


class Engine:
    def __init__(self, guides: dict[str, Guide]):
        self.guides = guides

    def start(self, guide_id: str) -> Turn:
        guide = self.guides[guide_id]
        session = {"guide": guide_id, "step": guide.start, "answers": {}, "history": []}
        return Turn(session, guide.steps[guide.start])

    def current(self, session: dict | None) -> Turn | None:
        """The step a stored session is at, or None if the session is unknown or stale."""
        if session is None:
            return None
        try:
            return Turn(session, self.guides[session["guide"]].steps[session["step"]])
        except (KeyError, TypeError):
            return None

    def back(self, session: dict) -> Turn | None:
        turn = self.current(session)
        if turn is None or not session["history"]:
            return turn
        previous = session["history"].pop()
        session["answers"].pop(previous, None)
        session["step"] = previous
        return self.current(session)

    def answer(
        self,
        session: dict | None,
        text: str,
        today: date | None = None,
        step_id: str | None = None,
    ) -> Turn:
        """Apply typed text or a pressed button's value; `step_id` guards against old buttons."""
        turn = self.current(session)
        if turn is None or session is None:  # current() is None for a None session
            return Turn(None, error="stale")
        step = turn.step
        assert step is not None  # current() always names the step
        if step_id is not None and step_id != step.id:
            return Turn(session, step, error="old_button")
        value, nxt, stop, error = self._read(step, text.strip(), today)
        if error:
            return Turn(session, step, error=error)
        session["answers"][step.id] = value
        if stop or not nxt:
            return Turn(None, done=True, stop=stop, answers=dict(session["answers"]))
        session["history"].append(step.id)
        session["step"] = nxt
        turn = self.current(session)
        assert turn is not None  # `nxt` is a step of this guide (load_guides checks every target)
        return turn

    def _read(self, step: Step, text: str, today: date | None):
        """(value, next step, stop key, error key) for one input."""
        if step.kind == "date":
            try:
                return dates.parse(text, today).isoformat(), step.next, None, None
            except dates.DateError as exc:
                return None, None, None, "date_" + exc.reason
        if step.kind == "region":
            region = regions.canonical(text)
            return (region, step.next, None, None) if region else (None, None, None, "region")
        for i, c in enumerate(step.choices, 1):
            if text in (c.value, c.label, str(i)):
                return c.value, c.next, c.stop, None
        return None, None, None, "choice"
