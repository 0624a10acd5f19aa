"""Messages that are not FAQ questions: small talk, a bare "I got hurt", "is my outlet insured?".

The words are data (faq/intents.toml); this module only decides which kind a message is.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from bot.outlets.names import OUTLET_WORDS, brands_in
from bot.text import clean

SMALLTALK_MAX = 16  # characters: a longer message is a question, even if it starts with 你好
# 有没有交, 交没交, 参没参保: asking whether, not saying "did not" (不交, 没交 are in not_this).
_WHETHER = re.compile(r"有没有|(.)没\1")


@dataclass(frozen=True)
class Intent:
    name: str  # smalltalk name, "injured" or "outlet"
    reply: str = ""  # template of the reply (small talk and "injured")


class Intents:
    def __init__(self, path: Path):
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        self._filler = set(data.get("filler", ""))
        self._smalltalk = [
            (s["name"], s["reply"], _longest_first(s["phrases"])) for s in data.get("smalltalk", [])
        ]
        injured = data.get("injured", {})
        self._injured_reply = injured.get("reply", "")
        self._injured = _longest_first(injured.get("phrases", []))
        outlet = data.get("outlet_question", {})
        self._outlet = {
            k: [clean(w) for w in outlet.get(k, [])]
            for k in ("who", "courier", "what", "ask", "look_up", "not_this")
        }
        self._outlet["where"] = [clean(w) for w in OUTLET_WORDS]  # what couriers call an outlet
        self._outlet["who"] += self._outlet["where"]

    def classify(self, message: str) -> Intent | None:
        """The intent of `message`, or None when it should go to the FAQ."""
        raw = message.strip()
        text = clean(raw)
        if len(text) > SMALLTALK_MAX:
            return self._outlet_question(text)
        for name, reply, phrases in self._smalltalk:
            if raw in phrases or (text and self._only(text, phrases)):
                return Intent(name, reply)
        if text and self._only(text, self._injured):
            return Intent("injured", self._injured_reply)
        return self._outlet_question(text)

    def _only(self, text: str, phrases: list[str]) -> bool:
        """Whether `text` is made of these phrases (at least one) and filler only."""
        rest, hit = text, False
        for p in phrases:
            if p and p in rest:
                rest, hit = rest.replace(p, ""), True
        return hit and all(ch in self._filler for ch in rest)

    def _outlet_question(self, text: str) -> Intent | None:
        """Whether `text` asks if an outlet pays 工伤保险: someone who should (网点, 老板 …), the
        insurance and a question; an outlet named with its brand and "did it pay?"; or a brand's
        courier asking whether he is insured (申通快递员上没上保险, or 快递员上没上保险怎么查: his
        outlet is the one to ask)."""
        words = self._outlet
        asking = _WHETHER.sub(lambda m: m[1] or "有", text)  # 有没有交 is no "did not pay"
        if any(w in asking for w in words["not_this"]):
            return None
        if self._has(text, "who", "what") and (
            self._has(text, "ask") or self._has(text, "look_up")
        ):
            return Intent("outlet")
        if self._has(text, "where", "ask") and brands_in(text, by_sound=False):
            return Intent("outlet")
        if (
            self._has(text, "courier", "ask")
            and self._has(asking, "what")  # 上没上保险 -> 上保险
            and (brands_in(text, by_sound=False) or self._has(text, "look_up"))
        ):
            return Intent("outlet")  # with no brand (快递员上没上保险怎么查): the desk asks which
        return None

    def _has(self, text: str, *groups: str) -> bool:
        """Whether `text` holds a word of each group."""
        return all(any(w in text for w in self._outlet[g]) for g in groups)


def _longest_first(phrases: list[str]) -> list[str]:
    # Raw phrases (emoji such as 👍 vanish in clean()) and their normalised forms.
    # Ties broken by the text itself: a set's order follows the hash seed.
    return sorted(
        set(phrases) | {clean(p) for p in phrases if clean(p)}, key=lambda p: (-len(p), p)
    )
