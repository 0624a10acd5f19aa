"""The lookup log: the LookupLog part of Registry, which records every lookup (time, channel,
region, masked query, outlet, score, result, hashed user) and deletes entries older than the
retention period, plus how a query is masked and which month (China's) a lookup counts in; and
the outlet a poster's QR code names (its /start payload, looked up by key).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.dates import china_month  # report months are China's months
from bot.outlets.search import INSURED, NOT_INSURED, SELECT, LookupResult, status_of
from bot.storage.database import now
from bot.text import mask_personal

if TYPE_CHECKING:
    import sqlite_utils

log = logging.getLogger(__name__)
QUERY_MAX = 100  # characters of a query kept in the lookup log
POSTER = "poster"  # the channel of a lookup that came from a poster's QR code (/start o<key>)
POSTER_PREFIX = "o"  # a /start payload naming an outlet: o<id>-<check>
_POSTER_KEY = re.compile(r"o([1-9][0-9]{0,11})-([a-z2-7]{6})")


def mask(query: str) -> str:
    """The query as logged: at most QUERY_MAX characters, phone and ID-card numbers blanked."""
    return mask_personal(query)[:QUERY_MAX]


def poster_key(outlet: dict) -> str:
    """The /start payload of an outlet's poster: "o<id>-<check>", at most 20 characters of
    [a-z0-9-] (Telegram allows 64 of A-Za-z0-9_-). The row id finds the outlet; the check (6
    base32 characters of the SHA-256 of its identity key: number, else province+name+address)
    makes a poster printed from another database, where ids were given out again, find no
    outlet rather than the wrong one."""
    return f"{POSTER_PREFIX}{outlet['id']}-{_check(outlet['key'])}"


def _check(key: str) -> str:
    return base64.b32encode(hashlib.sha256(key.encode()).digest()).decode()[:6].lower()


class LookupLog:
    """Registry's lookup-log methods (they use its `db`, `retention_days` and `_purged_at`)."""

    # set by Registry.__init__
    db: sqlite_utils.Database
    retention_days: int
    _purged_at: datetime | None

    def record(
        self, result: LookupResult, user: str | None, channel: str, outlet: dict | None = None
    ) -> int | None:
        """Log a lookup (the best candidate, or `outlet` when a button picked it). Returns its id,
        or None when retention is 0 (no log kept) or the database is busy: a large import in
        another process holds the write lock for seconds, and the courier's answer matters more
        than the log line."""
        if self.retention_days <= 0:
            self.purge()
            return None
        try:
            return self._record(result, user, channel, outlet)
        except sqlite3.OperationalError as exc:
            log.warning("lookup not logged: %s", exc)
            return None

    def _record(
        self, result: LookupResult, user: str | None, channel: str, outlet: dict | None
    ) -> int:
        self.purge()
        chosen: dict | None
        if outlet:
            chosen = outlet
        elif result.status in (INSURED, NOT_INSURED):
            assert result.best is not None  # Search._decide finds an outlet only among candidates
            chosen = result.best.outlet
        else:
            chosen = None
        score = 100.0 if outlet else (result.best.score if result.best else 0.0)
        status = status_of(outlet) if outlet else result.status
        cursor = self.db.execute(
            "insert into lookups (at, month, channel, user_key, region, query, outlet_id, score,"
            " result, via) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                now(),
                china_month(),
                channel,
                user,
                result.region,
                mask(result.query),
                chosen["id"] if chosen else None,
                round(score, 1),
                status,
                result.via,
            ],
        )
        assert cursor.lastrowid is not None  # an INSERT always sets it
        return cursor.lastrowid

    def by_poster_key(self, payload: str) -> dict | None:
        """The outlet a poster's /start payload names (as Search shows one), or None: not a
        payload, or no such outlet any more (removed, or another database)."""
        match = _POSTER_KEY.fullmatch(payload)
        if match is None:
            return None
        rows = list(self.db.query(SELECT + " where o.id = ?", [int(match[1])]))
        return rows[0] if rows and _check(rows[0]["key"]) == match[2] else None

    def purge(self, force: bool = False) -> int:
        """Delete lookups older than the retention period (checked at most once an hour)."""
        current = datetime.now(UTC)
        if not force and self._purged_at and current - self._purged_at < timedelta(hours=1):
            return 0
        self._purged_at = current
        cutoff = (current - timedelta(days=max(0, self.retention_days))).isoformat(
            timespec="seconds"
        )
        if self.retention_days <= 0:
            cutoff = "9999"
        return self.db.execute("delete from lookups where at < ?", [cutoff]).rowcount
