"""The lookup log: the LookupLog part of Registry, which records every lookup (time, channel,
region, masked query, outlet, score, result, hashed user) and deletes entries older than the
retention period, plus how a query is masked and which month (China's) a lookup counts in.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.dates import CHINA  # report months are China's months
from bot.outlets.search import INSURED, NOT_INSURED, LookupResult
from bot.storage.database import now
from bot.text import mask_personal

if TYPE_CHECKING:
    import sqlite_utils

log = logging.getLogger(__name__)
QUERY_MAX = 100  # characters of a query kept in the lookup log


def mask(query: str) -> str:
    """The query as logged: at most QUERY_MAX characters, phone and ID-card numbers blanked."""
    return mask_personal(query)[:QUERY_MAX]


def china_month() -> str:
    """This month in China (YYYY-MM): lookups are counted by it."""
    return datetime.now(CHINA).strftime("%Y-%m")


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
        status = result.status
        if outlet:
            status = INSURED if outlet["insured"] else NOT_INSURED
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
