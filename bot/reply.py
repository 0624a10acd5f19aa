"""What the core answers with — text, buttons, what it matched — and the callback-data prefixes
every channel shares. Kept apart from the Assistant so that the outlet desk and the guides can
build replies without importing the Assistant that uses them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.render import label

if TYPE_CHECKING:  # types only: the FAQ and guide modules do not need each other at run time
    from bot.faq.loader import Entry
    from bot.faq.matcher import Match
    from bot.guides.outcomes import Outcome

# Callback-data prefixes shared with the channels. Telegram allows at most 64 bytes.
FAQ, MENU, REGION = "faq:", "menu:", "region:"
SOURCE = "src:"  # 📄 查看原文 of an entry: "src:<entry id>"
OUTLET = "ol:"  # an outlet picked from lookup candidates: "ol:<outlet id>" (bot/outlets/desk.py)
GUIDE = "g:"  # a guide's answer: "g:<step>:<value>", "g:back", "g:cancel" (bot/guides/flow.py)
REMINDER = "rem:"  # a reminder offer or cancel button (handlers/reminders.py)
FORGET = "forget:"  # /forgetme's 确定删除 / 不删了: "forget:yes", "forget:no" (handlers/privacy.py)
FEEDBACK = "fb:"  # 👍/👎 under an answer and the reason after 👎 (bot/feedback.py)
HANDOFF = "ho:"  # 转给工作人员, 回复工作人员 (bot/handoff.py, handlers/handoff.py)
# Every prefix, for the update log (anything else was forged and is logged as "other").
BUTTON_PREFIXES = frozenset(
    p.rstrip(":")
    for p in (FAQ, MENU, REGION, SOURCE, OUTLET, GUIDE, REMINDER, FORGET, FEEDBACK, HANDOFF)
)
OUTLET_NAME = "outlet_name"  # Reply.expects: the next text is the outlet's name (a prompt)
PROMPT_TTL = 600.0  # seconds such a prompt waits; the channel keeps it (persisted in Telegram)
REGION_BUTTONS = ["全国", "广西", "吉林", "长治", "济宁", "上海"]


@dataclass
class Reply:
    text: str  # Telegram HTML
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (label, callback data)
    match: Match | None = None
    document: tuple[str, bytes] | None = None  # (file name, content) to send as a download
    outcome: Outcome | None = None  # a finished guide's facts (deadlines for reminders)
    followups: list[Entry] = field(default_factory=list)  # the 「接下来」 lines under an answer
    intent: str | None = None  # small talk, "injured" or "outlet", when not the FAQ
    expects: str | None = None  # what the courier's next text answers (OUTLET_NAME), if anything
    private: str | None = None  # a group's question to go on with in private (/start <private>)


def region_label(region: str) -> str:
    """A region button: the city's province is named too (山西长治), where labels.j2 says so."""
    try:
        return label("region_" + region)
    except AttributeError:
        return region
