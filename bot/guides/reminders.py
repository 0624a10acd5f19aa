"""Deadline reminders kept in SQLite, so a restart loses none; channels schedule and deliver them.
A reminder's chat id is stored sealed (bot/storage/sealed.py), its courier as their salted hash."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.dates import CHINA, Deadline
from bot.render import render
from bot.storage.database import Storage, now
from bot.storage.sealed import SealError, seal, seal_raw_chats, unseal

DAYS_BEFORE = (7, 1)
AT = time(9, 0)  # China time: a reminder at breakfast, not at midnight


@dataclass(frozen=True)
class Planned:
    """One reminder that will really be sent: `days_before` the deadline's last day, at AT."""

    deadline: Deadline
    days_before: int
    due: datetime  # China time


@dataclass(frozen=True)
class Offer:
    """What may be promised for a guide's deadlines at one moment. The offer's text, its
    buttons and plan() all follow ahead(), so the bot never promises a reminder it won't send."""

    today: date  # China time
    items: list[tuple[Deadline, list[date]]]  # each deadline not yet passed, its reminder days

    @property
    def remindable(self) -> list[Deadline]:
        """The deadlines that get at least one reminder (the rest are too near)."""
        return [d for d, dues in self.items if dues]

    @property
    def token(self) -> str:
        """Names the offer in its buttons, so a press on an older offer is known to be stale."""
        keys = ",".join(f"{d.key}={d.last_day}" for d in self.remindable)
        return f"{zlib.crc32(keys.encode()):08x}"


def ahead(deadlines: list[Deadline], moment: datetime) -> list[Planned]:
    """The reminders still after `moment`: 7 days and 1 day before each last day, at AT."""
    planned = []
    for d in deadlines:
        for days in DAYS_BEFORE:
            due = datetime.combine(d.last_day - timedelta(days=days), AT, CHINA)
            if due > moment:
                planned.append(Planned(d, days, due))
    return planned


def offer(deadlines: list[Deadline], moment: datetime) -> Offer:
    today = moment.astimezone(CHINA).date()
    items = [(d, [p.due.date() for p in ahead([d], moment)]) for d in deadlines]
    return Offer(today, [(d, dues) for d, dues in items if d.last_day >= today])


class Reminders:
    def __init__(self, storage: Storage, secret: str):
        self.db = storage.db  # the reminders table: bot/storage/schema.py
        self.secret = secret  # [privacy] user_salt: seals the chat ids
        # Reminders stored before m004_sealed_ids hold the raw chat id: seal it, delete the raw.
        seal_raw_chats(self.db, "reminders", "id", lambda chat: {"sealed_chat": seal(secret, chat)})

    def chat(self, row: dict) -> int | None:
        """The chat a reminder goes to; None if another [privacy] user_salt sealed it: such a
        reminder is kept (the salt may be put back) but cannot be sent."""
        try:
            chat_id = unseal(self.secret, row["sealed_chat"])
        except SealError:
            return None
        assert isinstance(chat_id, int)  # plan() sealed a chat id
        return chat_id

    def plan(
        self, deadlines: list[Deadline], chat_id: int, user_key: str, moment: datetime | None = None
    ) -> list[dict]:
        """Store the reminders ahead() of `moment`; returns all the courier's pending ones.
        Pressing the button twice adds nothing (unique index)."""
        chat = seal(self.secret, chat_id)  # once for all: the courier's rows share their key anyway
        rows = [
            {
                "sealed_chat": chat,
                "user_key": user_key,
                "deadline_key": p.deadline.key,
                "last_day": p.deadline.last_day.isoformat(),
                "days_before": p.days_before,
                "due_at": p.due.astimezone(UTC).isoformat(),
                "status": "pending",
                "created_at": now(),
                "sent_at": None,
            }
            for p in ahead(deadlines, moment or datetime.now(UTC))
        ]
        if rows:
            self.db.table("reminders").insert_all(rows, ignore=True)
        return self.pending(user_key)

    def pending(self, user_key: str | None = None) -> list[dict]:
        where, args = "status = 'pending'", []
        if user_key:
            where, args = where + " and user_key = ?", [user_key]
        return list(self.db["reminders"].rows_where(where, args, order_by="due_at"))

    def get(self, reminder_id: int) -> dict | None:
        rows = list(self.db["reminders"].rows_where("id = ?", [reminder_id]))
        return rows[0] if rows else None

    def claim(self, reminder_id: int) -> dict | None:
        """Mark a pending reminder sent and return it; None if it was sent or cancelled already,
        so each reminder is delivered once even if two jobs race."""
        cur = self.db.execute(
            "update reminders set status = 'sent', sent_at = ? where id = ? and status = 'pending'",
            [now(), reminder_id],
        )
        return self.get(reminder_id) if cur.rowcount == 1 else None

    def release(self, reminder_id: int) -> None:
        """Sending failed: put it back so it is tried again."""
        self.db.execute(
            "update reminders set status = 'pending', sent_at = null where id = ?", [reminder_id]
        )

    def fail(self, reminder_id: int) -> None:
        """Telegram refused it for good (the courier blocked the bot): never try again."""
        self.db.execute("update reminders set status = 'failed' where id = ?", [reminder_id])

    def own(self, reminder_id: int, user_key: str) -> dict | None:
        """The courier's reminder with this id (whatever its status); another's is None."""
        row = self.get(reminder_id)
        return row if row and row["user_key"] == user_key else None

    def cancel(self, reminder_id: int, user_key: str) -> bool:
        cur = self.db.execute(
            "update reminders set status = 'cancelled' where id = ? and user_key = ? "
            "and status = 'pending'",
            [reminder_id, user_key],
        )
        return cur.rowcount == 1


def due_at(row: dict) -> datetime:
    return datetime.fromisoformat(row["due_at"])


def last_day(row: dict) -> date:
    return date.fromisoformat(row["last_day"])


def text(template: str, /, **context) -> str:
    """A reminder message: each states the hour reminders go out, from AT itself."""
    return render(template, at=f"{AT:%H:%M}", **context)


def describe(row: dict) -> dict:
    """What the templates show of a reminder: its China-time day and its deadline."""
    return {
        "id": row["id"],
        "deadline_key": row["deadline_key"],
        "last": last_day(row),
        "due": due_at(row).astimezone(CHINA).date(),
        "status": row["status"],
    }
