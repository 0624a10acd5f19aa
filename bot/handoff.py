"""Questions handed to a person (issue 13): the offer, the courier's consent, and the tickets.

When the bot cannot answer (or the courier asks for 人工, or presses 👎), it offers to pass the
question on. Until the courier agrees, the question is only held in memory, masked; with consent
it becomes a ticket: a short number, the masked question, the courier's region and the FAQ entry
it was closest to — never a name, username or id. The courier's chat, needed to relay the
official's reply, is kept apart (handoff_chats) as a salted hash that finds it (chat_key) and the
chat id sealed (bot/storage/sealed.py), unsealed only to send; both are deleted when the ticket
closes (or at /forgetme: bot.storage.database.Storage.forget). An official answers once; the
courier may answer back once; the ticket closes then, or `close_after_days` after it was opened.
Unanswered after WORKING_DAYS working days, the courier is told so.

The channels post and relay (handlers/handoff.py; the console only prints the ticket).
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import sqlite_utils

from bot.dates import CHINA, working_day_after
from bot.handoff_chats import chat_key, link
from bot.render import label, render, render_markup
from bot.reply import HANDOFF, Reply
from bot.storage.database import remember_entry, stamp
from bot.storage.sealed import unseal
from bot.text import mask_personal

if TYPE_CHECKING:  # types only
    from bot.config import Config
    from bot.faq.loader import Entry
    from bot.faq.matcher import Match

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read out or typed without doubt
TICKET_CHARS = 6  # 31**6 ≈ 887 million numbers
WORKING_DAYS = 2  # unanswered this long: the courier is pointed to 12333
QUESTION_MAX = 500  # characters of a question kept (as for gaps)
ANSWER_MAX = 3000  # characters of an official's reply relayed: it fits one Telegram message
HOLD_SECONDS = 3600.0  # a question waits this long for the courier's consent (memory only)
HOLD_MAX = 10_000  # couriers whose latest question is held
SEND = HANDOFF + "send"  # 转给工作人员: the courier's consent
ANSWER_BACK = HANDOFF + "re:"  # 回复工作人员 under a relayed reply: "ho:re:<ticket row id>"


@dataclass(frozen=True)
class Question:
    text: str  # masked
    region: str | None
    closest: str | None  # id of the FAQ entry it came closest to


def closest(match: Match) -> str | None:
    """The entry answered, else the matcher's top candidate."""
    if match.entry is not None:
        return match.entry.id
    return match.ranked[0][0].id if match.ranked else None


def _china_day(stored: str):
    return datetime.fromisoformat(stored).astimezone(CHINA).date()


class Tickets:
    """The handoff_tickets and handoff_chats tables (bot/storage/schema.py m002_people, m005)."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        secret: str,
        close_after_days: int = 14,
        pick: Callable[[str], str] = secrets.choice,
        entry: Callable[[str], Entry | None] = lambda _id: None,
    ):
        self.db = db
        self.secret = secret  # [privacy] user_salt: hashes and seals the courier's chat id
        self.close_after = timedelta(days=close_after_days)
        self._pick = pick  # tests pass a fixed sequence to force a collision
        self._entry = entry  # an FAQ entry by id: its title is kept for the web view

    def create(self, question: Question, chat_id: int, at: datetime) -> dict:
        """A new open ticket with a number no other ticket has. The closest entry's title is
        kept in the same transaction: a failed write leaves no ticket that is never posted."""
        near = self._entry(question.closest) if question.closest else None
        for _ in range(20):
            number = "".join(self._pick(ALPHABET) for _ in range(TICKET_CHARS))
            try:
                with self.db.atomic():
                    ticket_id = self.db.execute(
                        "insert into handoff_tickets (ticket, created_at, region, closest_entry,"
                        " question, status) values (?, ?, ?, ?, ?, 'open')",
                        [number, stamp(at), question.region, question.closest, question.text],
                    ).lastrowid
                    self.db.execute(
                        "insert into handoff_chats (ticket_id, chat_key, sealed_chat)"
                        " values (:ticket_id, :chat_key, :sealed_chat)",
                        {"ticket_id": ticket_id} | link(self.secret, chat_id),
                    )
                    if near is not None:
                        remember_entry(self.db, near.id, near.title, near.region)
            except sqlite3.IntegrityError as exc:
                if "handoff_tickets.ticket" not in str(exc):
                    raise  # not a taken number: drawing again would not help
                continue  # the number is taken: draw again
            row = self.get(ticket_id) if ticket_id is not None else None
            assert row is not None  # just inserted
            return row
        raise RuntimeError("no free ticket number")  # 20 collisions in 887 million: a bug

    def get(self, ticket_id: int) -> dict | None:
        rows = list(self.db.query("select * from handoff_tickets where id = ?", [ticket_id]))
        return rows[0] if rows else None

    def posted(self, ticket_id: int, message_id: int) -> None:
        """The ticket's message in the officials' chat: replies to it answer the ticket."""
        self.db.execute(
            "update handoff_tickets set officials_message_id = ? where id = ?",
            [message_id, ticket_id],
        )

    def discard(self, ticket_id: int) -> None:
        """The ticket could not be posted: it never existed for anyone."""
        with self.db.atomic():
            self.db.execute("delete from handoff_chats where ticket_id = ?", [ticket_id])
            self.db.execute("delete from handoff_tickets where id = ?", [ticket_id])

    def by_message(self, message_id: int) -> dict | None:
        rows = list(
            self.db.query(
                "select * from handoff_tickets where officials_message_id = ?"
                " order by id desc limit 1",
                [message_id],
            )
        )
        return rows[0] if rows else None

    def chat_of(self, ticket_id: int) -> int | None:
        """The chat to send to, unsealed; None once the link is gone (closed, /forgetme).
        SealError if another [privacy] user_salt sealed it: the link is kept for the right one."""
        row = self.db.execute(
            "select sealed_chat from handoff_chats where ticket_id = ?", [ticket_id]
        ).fetchone()
        if row is None:
            return None
        chat_id = unseal(self.secret, row[0])
        assert isinstance(chat_id, int)  # create() sealed a chat id
        return chat_id

    def linked(self, ticket_id: int, chat_id: int) -> bool:
        """Whether the ticket was opened from this chat (compared by hash: nothing unsealed)."""
        row = self.db.execute(
            "select 1 from handoff_chats where ticket_id = ? and chat_key = ?",
            [ticket_id, chat_key(self.secret, chat_id)],
        ).fetchone()
        return row is not None

    def answer(self, ticket_id: int, text: str, at: datetime) -> bool:
        """The official's reply; False when the ticket is no longer open (answered or closed)."""
        return (
            self.db.execute(
                "update handoff_tickets set status = 'answered', answer = ?, answered_at = ?"
                " where id = ? and status = 'open'",
                [mask_personal(text)[:ANSWER_MAX], stamp(at), ticket_id],
            ).rowcount
            == 1
        )

    def answer_back(self, ticket_id: int, chat_id: int, text: str, at: datetime) -> dict | None:
        """The courier's one answer back, from the ticket's own chat; it closes the ticket.
        None when there is nothing to answer (not answered yet, closed, or another chat's)."""
        if not self.linked(ticket_id, chat_id):
            return None
        with self.db.atomic():  # kept and closed together: a failure leaves it answerable once
            done = self.db.execute(
                "update handoff_tickets set followup = ? where id = ? and status = 'answered'",
                [mask_personal(text)[:QUESTION_MAX], ticket_id],
            ).rowcount
            if done:
                self._close(ticket_id, "closed", at)
        return self.get(ticket_id) if done else None

    def overdue(self, now: datetime) -> list[dict]:
        """Open tickets the courier has not been told about, unanswered for WORKING_DAYS whole
        working days (statutory holidays skipped), or about to close unanswered."""
        today = now.astimezone(CHINA).date()
        rows = self.db.query(
            "select * from handoff_tickets where status = 'open'"
            " and overdue_notified_at is null order by id"
        )
        return [
            r
            for r in rows
            if today > working_day_after(_china_day(r["created_at"]), WORKING_DAYS)
            or r["created_at"] < stamp(now - self.close_after)
        ]

    def notified(self, ticket_id: int, at: datetime) -> None:
        self.db.execute(
            "update handoff_tickets set overdue_notified_at = ? where id = ?",
            [stamp(at), ticket_id],
        )

    def expire(self, now: datetime) -> list[dict]:
        """Close the tickets opened more than close_after_days ago (answered: closed; never
        answered: expired) and forget their couriers' chats. Returns them as they were."""
        rows = list(
            self.db.query(
                "select * from handoff_tickets where status in ('open', 'answered')"
                " and created_at < ? order by id",
                [stamp(now - self.close_after)],
            )
        )
        for r in rows:
            self._close(r["id"], "closed" if r["status"] == "answered" else "expired", now)
        return rows

    def _close(self, ticket_id: int, status: str, at: datetime) -> None:
        with self.db.atomic():
            self.db.execute(
                "update handoff_tickets set status = ?, closed_at = ? where id = ?",
                [status, stamp(at), ticket_id],
            )
            self.db.execute("delete from handoff_chats where ticket_id = ?", [ticket_id])

    def answered(self, limit: int = 50) -> list[dict]:
        """Tickets an official answered, newest first: drafts for the FAQ curators."""
        return list(
            self.db.query(
                "select * from handoff_tickets where answer is not null"
                " order by answered_at desc, id desc limit ?",
                [limit],
            )
        )


class Handoff:
    """The offer to pass a question on, and the consent; tickets through `tickets`."""

    def __init__(
        self, db: sqlite_utils.Database, config: Config, entry: Callable[[str], Entry | None]
    ):
        # [privacy] user_salt seals the couriers' chats; [handoff] close_after_days ends tickets
        self.tickets = Tickets(db, config.user_salt, config.handoff_close_after_days, entry=entry)
        self._entry = entry  # an FAQ entry by id (the matcher's), for titles
        self._held: OrderedDict[str, tuple[float, Question]] = OrderedDict()

    # --- holding a question until the courier agrees -------------------------------------------
    def hold(self, user: str, question: Question) -> None:
        self._held.pop(user, None)
        self._held[user] = (time.monotonic() + HOLD_SECONDS, question)
        if len(self._held) > HOLD_MAX:
            self._held.popitem(last=False)

    def held(self, user: str | None) -> Question | None:
        until, question = self._held.get(user or "", (0.0, None))
        return question if until > time.monotonic() else None

    def take(self, user: str | None) -> Question | None:
        """The question the courier agreed to pass on (once: a second press finds none)."""
        question = self.held(user)
        self._held.pop(user or "", None)
        return question

    def forget(self, user: str) -> None:
        """/forgetme: the held question goes too."""
        self._held.pop(user, None)

    # --- offers -----------------------------------------------------------------------------------
    def after_ask(self, reply: Reply, text: str, user: str, region: str | None) -> Reply:
        """A private question's reply: hold the question (for 👎 or 转人工 later), offer to pass
        it on when the bot could not answer, and answer 转人工 with the offer. An out-of-scope
        decline already says where to ask, so it offers nothing, but its question is held: a
        转人工 right after it can still pass it on."""
        if reply.intent == "human":
            question = self.held(user)
            return Reply(
                render("handoff_human", question=question),
                [(label("handoff_send"), SEND)] if question else [],
                intent=reply.intent,
            )
        match = reply.match
        if match is None or match.too_short:
            return reply
        near = None if match.out_of_scope else closest(match)  # no FAQ topic is near
        question = Question(mask_personal(text)[:QUESTION_MAX], region, near)
        self.hold(user, question)
        if not match.answered and not match.out_of_scope:  # "没有把握" or "你是不是想问"
            self._offer(reply, question)
        return reply

    def after_vote(self, reply: Reply, user: str, entry_id: str, region: str | None) -> None:
        """A 👎 with its reason: offer to pass the question on. The courier's own words when
        their latest question got this answer; else the answer's title stands for it."""
        question = self.held(user)
        entry = self._entry(entry_id)
        if entry is None:
            return
        if question is None or question.closest != entry_id:
            question = Question(label("handoff_about", title=entry.title), region, entry_id)
            self.hold(user, question)
        self._offer(reply, question)

    @staticmethod
    def _offer(reply: Reply, question: Question) -> None:
        """The one-line consent (what is sent) and the 转给工作人员 button."""
        reply.text += "\n\n" + render("handoff_offer", region=question.region)
        reply.buttons.append((label("handoff_send"), SEND))

    # --- what officials see ---------------------------------------------------------------------
    def officials_text(self, row: dict) -> str:
        entry = self._entry(row["closest_entry"]) if row["closest_entry"] else None
        return render(
            "handoff_ticket",
            ticket=row["ticket"],
            region=row["region"],
            title=entry.title if entry else None,
            question=row["question"],
        )

    def console_ticket(self, user: str | None) -> Reply:
        """The console has no officials' chat: it prints what would be sent, storing nothing."""
        question = self.take(user)
        if question is None:
            return Reply(render("handoff_stale"))
        row = {
            "ticket": "".join(secrets.choice(ALPHABET) for _ in range(TICKET_CHARS)),
            "region": question.region,
            "closest_entry": question.closest,
            "question": question.text,
        }
        return Reply(render_markup("handoff_console", body=self.officials_text(row)))


def drafts(rows: Iterable[dict], entry: Callable[[str], Entry | None]) -> str:
    """Answered tickets as draft FAQ entries (TOML, as in faq/entries/) for curators to check,
    rewrite and source before anything is published."""
    items = []
    for r in rows:
        near = entry(r["closest_entry"]) if r["closest_entry"] else None
        items.append(
            {
                "ticket": r["ticket"],
                "day": _china_day(r["answered_at"]).isoformat(),
                "id": "draft." + r["ticket"].lower(),
                "region": r["region"] or "全国",
                "question": _toml(r["question"]),
                "answer": _toml_block(r["answer"]),
                "followup": r["followup"],
                "related": _toml(near.id) if near else None,
            }
        )
    return render("handoff_drafts", items=items) if items else ""


def _toml(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's (\\", \\\\, \\n, \\uXXXX)."""
    return json.dumps(text, ensure_ascii=False)


def _toml_block(text: str) -> str:
    """A multi-line TOML string, as answers are written in faq/entries/ (stored texts have no
    control characters but newlines: bot.text.mask_personal)."""
    return '"""\n' + text.replace("\\", "\\\\").replace('"""', '""\\"') + '\n"""'
