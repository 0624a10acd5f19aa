"""Deadline reminders kept in SQLite, so a restart loses none; channels schedule and deliver them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.dates import CHINA, Deadline
from bot.storage.database import Storage, now

DAYS_BEFORE = (7, 1)
AT = time(9, 0)  # China time: a reminder at breakfast, not at midnight


class Reminders:
    def __init__(self, storage: Storage):
        self.db = storage.db  # the reminders table: bot/storage/schema.py

    def plan(
        self, deadlines: list[Deadline], chat_id: int, user_key: str, moment: datetime | None = None
    ) -> list[dict]:
        """Store reminders 7 and 1 days before each deadline, skipping times already past.
        Pressing the button twice adds nothing (unique index)."""
        moment = moment or datetime.now(UTC)
        rows = []
        for d in deadlines:
            for days in DAYS_BEFORE:
                due = datetime.combine(d.last_day - timedelta(days=days), AT, CHINA)
                if due <= moment:
                    continue
                rows.append(
                    {
                        "chat_id": chat_id,
                        "user_key": user_key,
                        "deadline_key": d.key,
                        "last_day": d.last_day.isoformat(),
                        "days_before": days,
                        "due_at": due.astimezone(UTC).isoformat(),
                        "status": "pending",
                        "created_at": now(),
                        "sent_at": None,
                    }
                )
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
        with self.db.conn:
            cur = self.db.execute(
                "update reminders set status = 'sent', sent_at = ? where id = ? and status = 'pending'",
                [now(), reminder_id],
            )
        return self.get(reminder_id) if cur.rowcount == 1 else None

    def release(self, reminder_id: int) -> None:
        """Sending failed: put it back so it is tried again."""
        with self.db.conn:
            self.db.execute(
                "update reminders set status = 'pending', sent_at = null where id = ?",
                [reminder_id],
            )

    def fail(self, reminder_id: int) -> None:
        """Telegram refused it for good (the courier blocked the bot): never try again."""
        with self.db.conn:
            self.db.execute("update reminders set status = 'failed' where id = ?", [reminder_id])

    def cancel(self, reminder_id: int, user_key: str) -> bool:
        with self.db.conn:
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


def describe(row: dict) -> dict:
    """What the templates show of a reminder: its China-time day and its deadline."""
    return {
        "id": row["id"],
        "deadline_key": row["deadline_key"],
        "last": last_day(row),
        "due": due_at(row).astimezone(CHINA).date(),
    }
