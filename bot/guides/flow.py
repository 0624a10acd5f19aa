"""Guides as replies: each step becomes a message with buttons; the end becomes the checklist."""

from __future__ import annotations

import re
from datetime import date

from bot import dates, regions
from bot.guides import outcomes
from bot.guides.engine import Engine, Turn
from bot.render import label, macro_lines, render, render_markup
from bot.reply import GUIDE, MENU, REGION_BUTTONS, Reply, region_label

BACK, CANCEL, RESUME = GUIDE + "back", GUIDE + "cancel", GUIDE + "resume"
RESTART = GUIDE + "restart:"  # g:restart:<guide id>: start over although a guide is in progress
_RESUME_WORDS = re.compile(r"^\s*(继续|接着|继续指引|接着来|好的?|嗯|行)\s*[。.!！]?\s*$")
RETRY = "guide_retry"  # Reply.intent when the input did not answer the step (asked again)
# The answers a checklist file repeats under "你的情况" (checklist.html.j2 names them), per guide.
SITUATION_STEPS = {
    "injury": ("what", *outcomes.DATE_STEPS, "region"),
    "assess": ("stage", "applied_on", "received_on", "grade", "region"),
}
GUIDE_BUTTONS = {"injury": MENU + "injury_guide", "assess": MENU + "assess_guide"}  # the menu's
MENU_GUIDES = {data: guide for guide, data in GUIDE_BUTTONS.items()}  # and back: button -> guide


class GuideFlow:
    def __init__(self, engine: Engine):
        self.engine = engine

    def title(self, guide_id: str) -> str:
        return self.engine.guides[guide_id].title

    def start(self, guide_id: str) -> tuple[Reply, dict | None]:
        if guide_id not in self.engine.guides:
            return Reply(render("guide_none")), None
        turn = self.engine.start(guide_id)
        return self._ask(turn, intro=True), turn.session

    def resume(self, session: dict | None) -> Reply | None:
        turn = self.engine.current(session)
        return self._ask(turn) if turn else None

    def back(self, session: dict) -> Reply | None:
        turn = self.engine.back(session)
        return self._ask(turn) if turn else None

    def cancel(self, session: dict | None) -> Reply:
        guide = (session or {}).get("guide")
        title = self.title(guide) if guide in self.engine.guides else label("guide_generic")
        return Reply(render("guide_cancelled", title=title))

    def answer(
        self, session: dict | None, text: str, step_id: str | None = None, today: date | None = None
    ) -> tuple[Reply, dict | None]:
        """Apply an input; returns the reply and the session (None when the guide ended)."""
        today = today or dates.today()
        guide = session.get("guide") if isinstance(session, dict) else None
        turn = self.engine.answer(session, text, today, step_id)
        if turn.error == "stale":
            return Reply(render("guide_none")), None
        if turn.done:
            assert guide is not None  # the session was current, so it names its guide
            return self.finish(guide, turn, today), None
        reply = self._ask(turn)
        if turn.error:
            reply.intent = RETRY
        return reply, turn.session

    def where(self, session: dict) -> tuple[str, int]:
        """(the guide's title, the number of the step it is at): "第3步" in notes."""
        return self.title(session["guide"]), len(session.get("history", [])) + 1

    def restart_offer(self, session: dict, guide_id: str) -> Reply:
        """/injury while a guide is in progress: ask before throwing the answers away."""
        title, number = self.where(session)
        return Reply(
            render("guide_restart", title=title, number=number, new=self.title(guide_id)),
            [(label("guide_resume"), RESUME), (label("guide_restart"), RESTART + guide_id)],
        )

    def paused(self, session: dict) -> Reply:
        """After a command mid-guide: the guide waits; continue or end it."""
        title, number = self.where(session)
        return Reply(
            render("guide_paused", title=title, number=number),
            [(label("guide_resume"), RESUME), (label("guide_end"), CANCEL)],
        )

    def _ask(self, turn: Turn, intro: bool = False) -> Reply:
        session, step = turn.session, turn.step
        assert session is not None and step is not None  # a turn that asks has both
        guide = self.engine.guides[session["guide"]]
        text = render(
            "guide_step",
            intro=guide.intro if intro else "",
            title=guide.title,
            error=turn.error,
            step=step,
            number=len(session["history"]) + 1,
        )
        if step.kind == "choice":
            buttons = [(c.label, f"{GUIDE}{step.id}:{c.value}") for c in step.choices]
        elif step.kind == "region":
            buttons = [(_guide_region_label(r), f"{GUIDE}{step.id}:{r}") for r in REGION_BUTTONS]
        else:
            buttons = []
        if session["history"]:
            buttons.append((label("guide_back"), BACK))
        buttons.append((label("guide_cancel"), CANCEL))
        return Reply(text, buttons)

    def finish(self, guide: str, turn: Turn, today: date) -> Reply:
        assert turn.answers is not None  # a finished turn has its answers
        outcome = outcomes.compute(guide, turn.answers, today, turn.stop)
        restart = label(f"menu_{guide}_guide")
        body = render(f"result_{guide}", o=outcome, restart=restart)
        reply = Reply(body, outcome=outcome)
        if not outcome.stop:
            reply.document = (
                f"{label('file_' + guide)}-{today.isoformat()}.html",
                self.checklist_file(outcome, body).encode("utf-8"),
            )
            return reply
        # A stop may be a mis-tap. The guide and its session are over by now (answer() returns
        # None and the channels drop it), so a "⬅️ 上一步" could not restore the step: offer the
        # guide again through its menu button, which every channel already routes.
        reply.buttons = [(restart, GUIDE_BUTTONS[guide])]
        if outcome.stop == "needs_decision":
            reply.buttons.insert(0, (label("start_injury_guide"), GUIDE_BUTTONS["injury"]))
        return reply

    def checklist_file(self, outcome: outcomes.Outcome, body: str) -> str:
        if outcome.guide == "injury":
            items = macro_lines("_claims", "injury_materials", outcome.answers)
        else:
            items = macro_lines("_claims", "assess_materials")
        return render_markup(
            "checklist.html",
            title=label("file_" + outcome.guide),
            today=outcome.today,
            body=body,
            checklist=items,
            situation=self.situation(outcome),
        )

    def situation(self, outcome: outcomes.Outcome) -> list[tuple[str, str | date]]:
        """The "你的情况" facts a checklist was built from, as (key, value) for checklist.html.j2:
        the answers of the steps below, in this order; choices as their button words, dates as dates.
        Only what the guide asked: never a name or an id."""
        a = outcome.answers
        steps = self.engine.guides[outcome.guide].steps
        rows: list[tuple[str, str | date]] = []
        for step_id in SITUATION_STEPS[outcome.guide]:
            value = a.get(step_id)
            if not value or (step_id == "grade" and not value.isdigit()):
                continue
            step = steps[step_id]
            key = step_id
            if step.kind == "date":
                if step_id in outcomes.DATE_STEPS:
                    key = "diagnosis_day" if a.get("what") == "disease" else step_id
                rows.append((key, date.fromisoformat(value)))
            elif step.kind == "region":
                rows.append((key, regions.full_name(value)))
            else:
                words = next((c.label for c in step.choices if c.value == value), value)
                rows.append((key, words))
        return rows


def _guide_region_label(region: str) -> str:
    """In "where do you work?", 全国 is not a place: it reads 其他地区 (national rules apply)."""
    return label("guide_region_national") if region == REGION_BUTTONS[0] else region_label(region)


def wants_resume(text: str) -> bool:
    """继续 / 接着 / 好的 typed while a guide waits: go on with it."""
    return bool(_RESUME_WORDS.match(text))


def parse_callback(data: str) -> tuple[str, str] | None:
    """(step id, value) from g:<step>:<value>, or None if malformed."""
    if not data.startswith(GUIDE) or data in (BACK, CANCEL):
        return None
    step, sep, value = data[len(GUIDE) :].partition(":")
    return (step, value) if sep and step and value else None
