"""The one SQLite database (through sqlite-utils): preferences, unanswered questions, and more."""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from bot.storage import schema
from bot.text import mask_personal

log = logging.getLogger(__name__)

GAP_TEXT_MAX = 500  # a gap is for curators: the start of the question is enough
REGION_CACHE = 100_000  # couriers whose region is kept in memory
BUSY_MS = 2000  # wait this long for another process's write (an import) to finish


def stamp(at: datetime) -> str:
    """A stored time: UTC, ISO 8601, to the second (text order is time order)."""
    return at.astimezone(UTC).isoformat(timespec="seconds")


def now() -> str:
    return stamp(datetime.now(UTC))


def remember_entry(db: sqlite_utils.Database, entry_id: str, title: str, region: str) -> None:
    """An FAQ entry's title and region as couriers saw it, beside the votes and tickets that name
    it by id: the FAQ lives in faq/, and the officials' web view reads only the database."""
    db.table("faq_entries").upsert({"id": entry_id, "title": title, "region": region}, pk="id")


KEY_CACHE = 10_000  # recent users' hashes kept in memory (a few MB at most)


@functools.lru_cache(maxsize=KEY_CACHE)
def user_key(salt: str, channel: str, user_id: int | str) -> str:
    """A salted hash standing in for a user: the raw id, name or phone is never stored. Kept for
    recent users: each update asks for it more than once (the handler, the persistence), and the
    HMAC cost about 0.05 ms of an update's 1.8 ms (measured with `courier-bot bench`). The ids
    stay in this process's memory only, where PTB holds them anyway."""
    digest = hmac.new(salt.encode(), f"{channel}:{user_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


class Storage:
    def __init__(self, path: Path | str):
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        existed = path.exists()
        self.db = sqlite_utils.Database(path)
        self.db.enable_wal()
        # WAL + NORMAL: a commit survives an app crash; only a power cut may lose the last ones.
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute(f"PRAGMA busy_timeout={BUSY_MS}")
        self._regions: dict[str, str | None] = {}  # this process is the only writer of prefs
        upgraded = schema.upgrade(self.db)  # every table, one place, versioned
        if upgraded and existed:  # a new file gets every migration: nothing worth saying
            log.info("database %s upgraded: %s", path, ", ".join(upgraded))

    # --- preferences -------------------------------------------------------------------------
    def region(self, key: str) -> str | None:
        if key not in self._regions:
            if len(self._regions) >= REGION_CACHE:
                self._regions.clear()
            row = self.db.execute("select region from prefs where user_key = ?", [key]).fetchone()
            self._regions[key] = row[0] if row else None
        return self._regions[key]

    def set_region(self, key: str, region: str) -> None:
        self.db.table("prefs").upsert(
            {"user_key": key, "region": region, "updated_at": now()}, pk="user_key"
        )
        self._regions[key] = region

    def forget(self, key: str, chat_key: str | None = None) -> dict:
        """/forgetme: drop the courier's preferences and reminders, unlink their lookups (the
        counts officials see stay; who asked does not), and close the handoff tickets of their
        private chat, found by its salted hash `chat_key` (bot.handoff_chats.chat_key: this
        class has no salt), deleting the link between chat and ticket (the masked question
        stays, tied to no one; an official's later reply reaches nobody). Returns what was
        removed, as the courier knew it: whether a region was set, the pending reminders
        (cancelled and sent ones were no longer listed), every reminder id (for their jobs), the
        tickets still open or answered."""
        # Writes only, each saying what it removed: a transaction that read first could not
        # wait for another process's write lock (SQLite fails it at once instead).
        with self.db.atomic():
            tickets = self._forget_chat(chat_key) if chat_key is not None else 0
            region = self.db.execute(
                "delete from prefs where user_key = ? returning region", [key]
            ).fetchall()
            rows = sorted(  # RETURNING's order is unspecified
                self.db.execute(
                    "delete from reminders where user_key = ? returning id, status", [key]
                ).fetchall()
            )
            lookups = self.db.execute(
                "update lookups set user_key = null where user_key = ?", [key]
            ).rowcount
        self._regions.pop(key, None)
        return {
            "region": any(r[0] for r in region),
            "pending": [r[0] for r in rows if r[1] == "pending"],
            "reminder_ids": [r[0] for r in rows],
            "lookups": lookups,
            "tickets": tickets,
        }

    def _forget_chat(self, chat_key: str) -> int:
        """Within forget()'s transaction: close the chat's tickets and drop their links."""
        closed = self.db.execute(
            "update handoff_tickets set status = 'closed', closed_at = ?"
            " where status in ('open', 'answered')"
            " and id in (select ticket_id from handoff_chats where chat_key = ?)",
            [now(), chat_key],
        ).rowcount
        self.db.execute("delete from handoff_chats where chat_key = ?", [chat_key])
        return closed

    # --- questions the FAQ could not answer ----------------------------------------------------
    def record_gap(self, text: str, region: str | None) -> None:
        """Keep an unanswered question for curators: its words, never a phone or ID number.
        A busy database (an import in another process) costs the record, not the reply."""
        try:
            self.db.table("gaps").insert(
                {"text": mask_personal(text)[:GAP_TEXT_MAX], "region": region, "created_at": now()}
            )
        except sqlite3.OperationalError as exc:
            log.warning("unanswered question not recorded: %s", exc)

    def gaps(self, limit: int = 50) -> list[dict]:
        """Unanswered questions, most frequent first."""
        return list(
            self.db.query(
                "select text, count(*) as n, group_concat(distinct region) as regions, max(created_at) as last"
                " from gaps group by text order by n desc, last desc limit ?",
                [limit],
            )
        )

    def close(self) -> None:
        self.db.close()
