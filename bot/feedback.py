"""👍 / 👎 under every FAQ answer, and the reason asked after a 👎 (issue 13).

A vote is stored per entry with its time, month and region only: no user key, so no vote can be
tied to a courier. One vote per answer message: the channel names the message (Telegram: its chat
and message id) and the names of voted messages are kept in memory only, never stored (the
Telegram channel also takes the buttons off an answer once it has its vote).
"""

from __future__ import annotations

import logging
import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import TYPE_CHECKING

import sqlite_utils

from bot.dates import china_month
from bot.render import label, plain, render
from bot.reply import FEEDBACK, Reply
from bot.storage.database import remember_entry, stamp

if TYPE_CHECKING:  # types only
    from bot.faq.loader import Entry

log = logging.getLogger(__name__)

UP, DOWN, WHY = FEEDBACK + "up:", FEEDBACK + "down:", FEEDBACK + "why:"
# After 👎: 没回答我的问题 / 看不懂 / 和我了解的不一样 (labels reason_<name> in labels.j2).
REASONS = ("unanswered", "unclear", "different")
REMEMBERED = 100_000  # voted answer messages kept in memory, to refuse a second vote


def buttons(entry_id: str) -> list[tuple[str, str]]:
    """👍 and 👎 for an answer (entry ids are short: the data stays within Telegram's 64 bytes)."""
    return [(label("vote_up"), UP + entry_id), (label("vote_down"), DOWN + entry_id)]


def without_votes(reply: Reply) -> Reply:
    """The reply without 👍/👎: in a group nothing is stored, so nothing is asked."""
    reply.buttons = [b for b in reply.buttons if not b[1].startswith(FEEDBACK)]
    return reply


class Feedback:
    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self._voted: OrderedDict[Hashable, None] = OrderedDict()

    def press(
        self,
        data: str,
        message: Hashable | None,
        region: str | None,
        entry: Callable[[str], Entry | None],
        at: datetime,
    ) -> tuple[Reply, str | None]:
        """A 👍, 👎 or reason button on `message`; `entry` finds an FAQ entry by id. Returns the
        reply and, once a 👎 has its reason, the entry voted on (where the assistant offers to
        pass the question on)."""
        if data.startswith(WHY):
            return self._why(data[len(WHY) :])
        up = data.startswith(UP)
        entry_id = data[len(UP if up else DOWN) :] if data.startswith((UP, DOWN)) else ""
        voted = entry(entry_id)
        if voted is None:  # forged, or an entry since removed
            return Reply(render("stale_button")), None
        if message is not None and message in self._voted:
            return Reply(render("feedback_again")), None
        row = self.record(voted, 1 if up else -1, region, at)
        if message is not None:
            self._voted[message] = None
            if len(self._voted) > REMEMBERED:
                self._voted.popitem(last=False)
        if up or row is None:
            return Reply(render("feedback_thanks")), None
        reasons = [(label("reason_" + r), f"{WHY}{row}:{r}") for r in REASONS]
        return Reply(render("feedback_why"), reasons), None

    def record(self, entry: Entry, vote: int, region: str | None, at: datetime) -> int | None:
        """Store one vote, and the entry's title for the web view, in one transaction; the vote's
        row id (for the reason), or None when the database was busy (an import in another
        process) and nothing was stored: the courier is thanked all the same. A vote is never
        kept without its row id, which its reason buttons need."""
        row = {
            "at": stamp(at),
            "month": china_month(at),
            "entry_id": entry.id,
            "region": region,
            "vote": vote,
            "reason": None,
        }
        try:
            with self.db.atomic():
                row_id = self.db.table("feedback").insert(row).last_pk
                remember_entry(self.db, entry.id, entry.title, entry.region)
            return row_id
        except sqlite3.OperationalError as exc:
            log.warning("vote not recorded: %s", exc)
            return None

    def _why(self, rest: str) -> tuple[Reply, str | None]:
        """The reason after a 👎: kept once, on that 👎's row."""
        row_id, _, reason = rest.partition(":")
        if not (row_id.isascii() and row_id.isdigit() and len(row_id) <= 12) or reason not in (
            REASONS
        ):
            return Reply(render("stale_button")), None
        row = self.db.execute(
            "select entry_id, vote, reason from feedback where id = ?", [int(row_id)]
        ).fetchone()
        if row is None or row[1] != -1:
            return Reply(render("stale_button")), None
        if row[2] is not None:
            return Reply(render("feedback_again")), None
        self.db.execute("update feedback set reason = ? where id = ?", [reason, int(row_id)])
        return Reply(render("feedback_noted")), row[0]

    def stats(self) -> list[dict]:
        """Per entry: 👍, 👎 and each reason's count; most 👎 first, then fewest 👍."""
        reasons = ", ".join(f"sum(reason = '{r}') as {r}" for r in REASONS)
        return list(
            self.db.query(
                "select entry_id, sum(vote = 1) as up, sum(vote = -1) as down, "
                + reasons
                + " from feedback group by entry_id order by down desc, up, entry_id"
            )
        )


def report(rows: list[dict], entry: Callable[[str], object | None]) -> str:
    """`courier-bot faq stats`: the stats() rows with each entry's title, as plain text."""
    titled = [
        {**r, "title": getattr(entry(r["entry_id"]), "title", "（已不在 FAQ 里）")} for r in rows
    ]
    return plain(render("faq_stats", rows=titled))
