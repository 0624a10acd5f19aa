"""The outlet registry: official lists of express outlets (网点) and whether they pay work-injury
insurance, imported from CSV, looked up by number or fuzzy name, every lookup logged (hashed user).

Tables (in the one SQLite database, see bot/storage/schema.py):
  outlets          one row per outlet, keyed by licence/filing number, else province+name+address
  outlets_fts      FTS5 index over pinyin syllable pairs of the name (homophone typos match)
  outlet_terms     document frequency of each index term (keeps fuzzy queries off common terms)
  outlet_history   every status change (new, insured, uninsured, headcount …) per import batch
  import_batches   one row per imported list: source, as-of date, file hash, counts, coverage
  lookups          every lookup: time, channel, region, query (masked), outlet, score, result,
                   and a salted hash of the user — never a raw id, name or phone number

The parts live in their own modules: names (normalisation), fullname (a name typed in full),
reading (CSV) and sheets (Excel), validation, importing, search and lookups (the log); Registry
composes the Importer, Search and LookupLog parts, and widens a search beyond the courier's
region (find). The tables are created and upgraded with the rest in bot/storage/schema.py.
"""

from __future__ import annotations

import json
from datetime import datetime

from bot import regions
from bot.outlets.importing import Importer
from bot.outlets.lookups import LookupLog
from bot.outlets.search import (
    CONFIDENT,
    INSURED,
    NOT_INSURED,
    SELECT,
    UNKNOWN,
    LookupResult,
    Search,
)
from bot.outlets.writing import remove_sample
from bot.storage.database import Storage


class Registry(Importer, Search, LookupLog):
    def __init__(self, storage: Storage, retention_days: int = 180):
        self.storage = storage
        self.db = storage.db
        self.retention_days = retention_days
        self._purged_at: datetime | None = None  # tables: bot/storage/schema.py

    @property
    def path(self) -> str:
        return self.db.conn.execute("pragma database_list").fetchone()[2]

    def find(self, query: str, region: str | None) -> tuple[LookupResult, str | None]:
        """Look an outlet up in the courier's region first (a canonical region, or None), and
        everywhere when the region may hide it (M9); the result, and the region when the search
        went beyond it (its outlets elsewhere are marked as such). The chat and `courier-bot
        outlets lookup --region` both ask this, so they answer alike."""
        result = self.lookup(query, region)
        if _worth_widening(result) or self._named_elsewhere(query, result):
            wider = self.lookup(query, None)
            if wider.status != UNKNOWN:
                return wider, result.region
        return result, None

    def _named_elsewhere(self, query: str, result: LookupResult) -> bool:
        """Whether the courier typed in full the name of an outlet listed only outside their
        region: it beats the region's look-alikes (中通快递城西网点 elsewhere, 中通快递城西营业部
        at home)."""
        if not result.region or result.empty or result.vague or result.full_name:
            return False
        return self.is_full_name(query)

    def count(self) -> int:
        return self.db.execute("select count(*) from outlets").fetchone()[0]

    def keep_sample(self, wanted: bool | None) -> None:
        """Load the fictional sample list (True: when nothing real is imported), remove it
        (False), or leave the database as it is (None); Config.sample_outlets says which."""
        if wanted:
            self.ensure_sample()
        elif wanted is False:
            self.drop_sample()

    def drop_sample(self) -> int:
        """Remove the fictional sample list when the config turns it off (a deployment that an
        earlier version started with it on); the number of outlets removed. Reads first, so a
        start without one writes nothing."""
        if not self.db.execute("select 1 from import_batches where sample = 1 limit 1").fetchone():
            return 0
        with self.db.atomic():
            return remove_sample(self.db.conn)

    # --- lists -------------------------------------------------------------------------------
    def lists(self, region: str | None = None) -> list[dict]:
        """Imported lists, newest first, with the regions they cover ('province/city' strings)
        and how many outlets they hold now; only those touching `region` if given."""
        rows = list(
            self.db.query(
                "select b.id, b.source, b.as_of, b.sample, b.regions, b.imported_at,"
                " (select count(*) from outlets o where o.batch_id = b.id) as outlets"
                " from import_batches b order by b.as_of desc, b.id desc"
            )
        )
        out = []
        for r in rows:
            covered = json.loads(r["regions"] or "[]")
            if (
                region
                and region != regions.NATIONAL
                and not any(region in c.split("/") for c in covered)
            ):
                continue
            r["regions"] = covered
            out.append(r)
        return out

    def outlet(self, outlet_id: int) -> dict | None:
        rows = list(self.db.query(SELECT + " where o.id = ?", [outlet_id]))
        return rows[0] if rows else None


def _worth_widening(result: LookupResult) -> bool:
    """Whether the courier's region may hide the outlet: nothing found there, or only other
    brands' outlets and weak matches (M9: a local 邮政 outlet hid the exact 中通 name listed in
    another province). The wider search decides by the same rules, so it never guesses more."""
    if not result.region or result.empty or result.status in (INSURED, NOT_INSURED):
        return False
    if result.status == UNKNOWN:
        return True
    return not result.vague and all(c.other_brand or c.score < CONFIDENT for c in result.candidates)
