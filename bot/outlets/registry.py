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

The parts live in their own modules: names (normalisation), reading (CSV), validation, importing,
search and lookups (the log); Registry composes the Importer, Search and LookupLog parts. The
tables are created and upgraded with the rest in bot/storage/schema.py.
"""

from __future__ import annotations

import json
from datetime import datetime

from bot import regions
from bot.outlets.importing import Importer
from bot.outlets.lookups import LookupLog
from bot.outlets.search import _SELECT, Search
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

    def count(self) -> int:
        return self.db.execute("select count(*) from outlets").fetchone()[0]

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
        rows = list(self.db.query(_SELECT + " where o.id = ?", [outlet_id]))
        return rows[0] if rows else None
