"""Guides as replies: each step becomes a message with buttons; the end becomes the checklist."""
from __future__ import annotations

from datetime import date

from bot import dates, outcomes, regions
from bot.assistant import REGION_BUTTONS, REGION_LABELS, Reply
from bot.guides import Engine, Turn
from bot.render import macro_lines, render, render_markup

GUIDE = "g:"                  # callback data: g:<step>:<value>, g:back, g:cancel
BACK, CANCEL = GUIDE + "back", GUIDE + "cancel"
FILE_NAMES = {"injury": "工伤认定申请清单", "assess": "劳动能力鉴定清单"}


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
        title = self.title(guide) if guide in self.engine.guides else "指引"
        return Reply(render("guide_cancelled", title=title))

    def answer(self, session: dict, text: str, step_id: str | None = None,
               today: date | None = None) -> tuple[Reply, dict | None]:
        """Apply an input; returns the reply and the session (None when the guide ended)."""
        today = today or dates.today()
        guide = session.get("guide") if isinstance(session, dict) else None
        turn = self.engine.answer(session, text, today, step_id)
        if turn.error == "stale":
            return Reply(render("guide_none")), None
        if turn.done:
            return self.finish(guide, turn, today), None
        return self._ask(turn), turn.session

    def _ask(self, turn: Turn, intro: bool = False) -> Reply:
        guide = self.engine.guides[turn.session["guide"]]
        step = turn.step
        text = render("guide_step", intro=guide.intro if intro else "", title=guide.title,
                      error=turn.error, step=step, number=len(turn.session["history"]) + 1)
        if step.kind == "choice":
            buttons = [(c.label, f"{GUIDE}{step.id}:{c.value}") for c in step.choices]
        elif step.kind == "region":
            buttons = [(REGION_LABELS.get(r, r), f"{GUIDE}{step.id}:{r}") for r in REGION_BUTTONS]
        else:
            buttons = []
        if turn.session["history"]:
            buttons.append(("⬅️ 上一步", BACK))
        buttons.append(("✖️ 退出", CANCEL))
        return Reply(text, buttons)

    def finish(self, guide: str, turn: Turn, today: date) -> Reply:
        outcome = outcomes.compute(guide, turn.answers, today, turn.stop)
        body = render(f"result_{guide}", o=outcome)
        reply = Reply(body, outcome=outcome)
        if not outcome.stop:
            reply.document = (f"{FILE_NAMES[guide]}-{today.isoformat()}.html",
                              self.checklist_file(outcome, body).encode("utf-8"))
        if outcome.stop == "needs_decision":
            reply.buttons = [("开始工伤认定指引", "menu:injury_guide")]
        return reply

    def checklist_file(self, outcome: outcomes.Outcome, body: str) -> str:
        if outcome.guide == "injury":
            items = macro_lines("_claims", "injury_materials", outcome.answers)
        else:
            items = macro_lines("_claims", "assess_materials")
        return render_markup("checklist.html", title=FILE_NAMES[outcome.guide], today=outcome.today,
                             body=body, checklist=items)


def parse_callback(data: str) -> tuple[str, str] | None:
    """(step id, value) from g:<step>:<value>, or None if malformed."""
    if not data.startswith(GUIDE) or data in (BACK, CANCEL):
        return None
    step, sep, value = data[len(GUIDE):].partition(":")
    return (step, value) if sep and step and value else None


def region_label(region: str) -> str:
    return regions.full_name(region)
