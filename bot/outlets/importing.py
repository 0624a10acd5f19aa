"""Importing an outlet list into the registry's tables: the Importer part of Registry
(import_csv, import_bytes — a CSV file or an Excel workbook — and the fictional sample list), the
import that upserts one list in chunks inside one transaction (the SQL it runs is in
bot/outlets/writing.py), and the ImportResult it reports.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import itertools
import json
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bot.outlets.names import doc_terms, month_of
from bot.outlets.reading import (
    OutletImportError,
    Problem,
    Table,
    decode,
    parse_as_of,
    read_rows,
)
from bot.outlets.sheets import Sheet, workbook_format
from bot.outlets.validation import Validator, outlet_key
from bot.outlets.writing import DATA, STATUS, VALUES, count_terms, remove_sample, write_chunk
from bot.storage.database import now
from bot.text import norm

if TYPE_CHECKING:
    import sqlite_utils

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_CSV = ROOT / "samples" / "outlets_sample.csv"
SAMPLE_SOURCE = "示例数据（虚构）"  # data: the label every reply shows for the sample list
SAMPLE_AS_OF = "2026-10"
SAMPLE_MARKERS = ("示例", "虚构", "sample", "fictional")
CHUNK = 5_000  # rows written per statement batch while importing
BULK_CACHE_KB = 64_000  # the import's SQLite page cache (the default 2 MB makes indexes slow)


@dataclass
class ImportResult:
    batch_id: int | None
    encoding: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    older: int = 0  # rows skipped because the database already has a newer list's status
    skipped: list[Problem] = field(default_factory=list)
    already: bool = False  # the same file with the same source and date was imported before
    removed_sample: int = 0
    columns: list[tuple[str, str]] = field(default_factory=list)  # header -> column or ignored

    def summary(self) -> str:
        if self.already:
            return (
                f"Already imported as batch {self.batch_id}: nothing changed "
                f"({self.rows} rows, {self.encoding})."
            )
        parts = [
            f"Imported batch {self.batch_id} ({self.encoding}): {self.rows} rows, "
            f"{self.inserted} new, {self.updated} updated, {self.unchanged} unchanged"
        ]
        if self.older:
            parts.append(f", {self.older} skipped (a newer list is already loaded)")
        if self.skipped:
            parts.append(f", {len(self.skipped)} bad rows skipped")
        if self.removed_sample:
            parts.append(f"; removed {self.removed_sample} fictional sample outlets")
        parts.append(".")
        if self.columns:
            parts.append("\nColumns: " + ", ".join(f"{h} → {c}" for h, c in self.columns))
        return "".join(parts)


# Fields whose change is a change of status (kept in outlet_history).
class _Import:
    """Writing one list inside the caller's transaction: new outlets are inserted, changed ones
    updated (status changes also go to outlet_history), an upsert keyed by number, else by
    province+name+address. Explicit INSERT/UPDATE through executemany: the statements
    sqlite-utils' upsert_all builds, at twice its speed on 500 000 rows (it checks every value
    for JSON). (Running the SQL in a second thread was tried: the GIL hand-offs made it slower.)"""

    def __init__(
        self, registry: Importer, source: str, as_of: str, sample: bool, result: ImportResult
    ):
        self.conn = registry.db.conn
        # Nothing to compare against on a first import (keys are unique within a file).
        self.fresh = not self.conn.execute("select exists (select 1 from outlets)").fetchone()[0]
        self.source, self.as_of, self.sample, self.result = source, as_of, sample, result
        self.gained: Counter = Counter()
        self.lost: Counter = Counter()
        self.covered: Counter = Counter()
        self.written = 0

    def start(self, file_name: str, digest: str) -> None:
        cursor = self.conn.execute(
            "insert into import_batches (source, as_of, file_name, sha256, encoding, sample,"
            " imported_at) values (?, ?, ?, ?, ?, ?, ?)",
            [
                self.source,
                self.as_of,
                file_name,
                digest,
                self.result.encoding,
                int(self.sample),
                now(),
            ],
        )
        batch = cursor.lastrowid
        assert batch is not None  # an INSERT always sets it
        self.batch = self.result.batch_id = batch
        if not self.sample:
            self.result.removed_sample = remove_sample(self.conn)

    def write(self, chunk: list[tuple[str, dict]]) -> None:
        if not chunk:
            return
        self.written += len(chunk)
        result, batch, as_of, source = self.result, self.batch, self.as_of, self.source
        cols = ", ".join(f"o.{c}" for c in DATA)
        keys = [k for k, _ in chunk]
        existing: dict[str, tuple] = {}
        for i in range(0, 0 if self.fresh else len(keys), 900):
            part = keys[i : i + 900]
            for r in self.conn.execute(
                f"select o.key, o.id, b.as_of, b.source, {cols} from outlets o"
                f" join import_batches b on b.id = o.batch_id"
                f" where o.key in ({', '.join('?' * len(part))})",
                part,
            ):
                existing[r[0]] = r[1:]
        inserts, docs, new_terms, updates, renamed, history = [], [], [], [], [], []
        self.covered.update([(row["province"], row["city_key"] or "") for _, row in chunk])
        for key, row in chunk:
            name_terms, doc = doc_terms(row["norm"], row["province"], row["city_key"])
            old = existing.get(key)
            if old is None:
                inserts.append((key, *VALUES(row), batch, batch))
                docs.append(doc)
                new_terms.append(name_terms)
                result.inserted += 1
                continue
            old_id, old_as_of, old_source = old[:3]
            old_data = dict(zip(DATA, old[3:], strict=False))
            if month_of(as_of) < month_of(old_as_of):
                result.older += 1
                continue
            if all(old_data[c] == row[c] for c in DATA) and (old_as_of, old_source) == (
                as_of,
                source,
            ):
                result.unchanged += 1
                continue
            old_terms, old_doc = doc_terms(
                norm(old_data["name"]), old_data["province"], old_data["city_key"]
            )
            if old_doc != doc:  # renamed or moved: re-index
                renamed.append((old_id, old_doc, doc))
                self.lost.update(old_terms)
                self.gained.update(name_terms)
            updates.append((*VALUES(row), batch, old_id))
            changes = [c for c in STATUS if old_data[c] != row[c]]
            if changes:
                change = (
                    ("insured" if row["insured"] else "uninsured")
                    if "insured" in changes
                    else "+".join(changes)
                )
                history.append(
                    (
                        old_id,
                        batch,
                        as_of,
                        change,
                        row["insured"],
                        row["insured_since"],
                        row["headcount"],
                    )
                )
                result.updated += 1
            else:
                result.unchanged += 1
        self.gained.update(itertools.chain.from_iterable(new_terms))
        write_chunk(self.conn, inserts, docs, updates, renamed, history, batch, as_of)

    def finish(self) -> None:
        delta = Counter(self.gained)
        delta.subtract(self.lost)
        r = self.result
        covered = json.dumps(
            [f"{p}/{c}" if c else p for (p, c), _ in self.covered.most_common()], ensure_ascii=False
        )

        count_terms(self.conn, delta)
        self.conn.execute(
            "update import_batches set rows = ?, inserted = ?, updated = ?, unchanged = ?,"
            " older = ?, skipped = ?, regions = ? where id = ?",
            [
                r.rows,
                r.inserted,
                r.updated,
                r.unchanged,
                r.older,
                len(r.skipped),
                covered,
                self.batch,
            ],
        )


class Importer:
    """Registry's import methods (they use its `db` and `count()`)."""

    db: sqlite_utils.Database  # set by Registry.__init__

    if TYPE_CHECKING:

        def count(self) -> int: ...  # Registry.count

    def ensure_sample(self, path: Path = SAMPLE_CSV) -> ImportResult | None:
        """Load the fictional sample list on first run (empty registry, nothing ever imported)."""
        if self.count() or self.db.execute("select count(*) from import_batches").fetchone()[0]:
            return None
        return self.import_csv(path, SAMPLE_SOURCE, SAMPLE_AS_OF, sample=True)

    def import_csv(
        self,
        path: Path | str,
        source: str,
        as_of: str,
        skip_bad: bool = False,
        sample: bool | None = None,
        sheet: str | None = None,
        ignore: Collection[str] = (),
    ) -> ImportResult:
        """Validate and upsert a list — a CSV file, or an Excel workbook's `sheet` (default: the
        first) — in one transaction. Raises OutletImportError listing every bad row unless
        `skip_bad`, which imports the good rows and reports the bad ones; `ignore` names columns
        to leave out (any other unknown column stops the import)."""
        path = Path(path)
        data = path.read_bytes()
        return self.import_bytes(
            data,
            source,
            as_of,
            skip_bad=skip_bad,
            sample=sample,
            file_name=path.name,
            sheet=sheet,
            ignore=ignore,
        )

    def import_bytes(
        self,
        data: bytes,
        source: str,
        as_of: str,
        skip_bad: bool = False,
        sample: bool | None = None,
        file_name: str = "",
        sheet: str | None = None,
        ignore: Collection[str] = (),
    ) -> ImportResult:
        source = source.strip()
        if not source:
            raise OutletImportError("--source is empty: name the list (issuer, title)")
        as_of = parse_as_of(as_of)
        if sample is None:
            sample = any(m in source.lower() for m in SAMPLE_MARKERS)
        encoding, read, choices = _reader(data, sheet, ignore, file_name)
        digest = hashlib.sha256(b"\0".join([data, *choices])).hexdigest()
        previous = self.db.execute(
            "select id, rows from import_batches where sha256 = ? and source = ? and as_of = ?",
            [digest, source, as_of],
        ).fetchone()
        if previous:
            return ImportResult(previous[0], encoding, rows=previous[1], already=True)
        table = read()
        result = ImportResult(None, encoding, columns=table.mapping)
        # One transaction: rows are written chunk by chunk as they are validated (memory stays
        # flat on large lists); a problem without --skip-bad stops the writing, the rest is only
        # validated so that every problem is listed, and the exception rolls it all back.
        with self.db.atomic(), self._bulk():
            writer = _Import(self, source, as_of, sample, result)
            writer.start(file_name, digest)
            seen: dict[str, int] = {}
            chunk: list[tuple[str, dict]] = []
            check = Validator(table.columns, as_of).check
            for line, cells in table.rows:
                result.rows += 1
                row, bad = check(cells)
                if row is not None:
                    key = outlet_key(row)
                    if key in seen:
                        what = "number " + row["number"] if row["number"] else "name and address"
                        bad = [f"same outlet as line {seen[key]} (same {what})"]
                    else:
                        seen[key] = line
                        chunk.append((key, row))
                if bad:
                    result.skipped.extend(Problem(line, m) for m in bad)
                if result.skipped and not skip_bad:
                    chunk.clear()
                elif len(chunk) >= CHUNK:
                    writer.write(chunk)
                    chunk = []
            problems = result.skipped
            if problems and not skip_bad:
                raise OutletImportError(
                    f"{len(problems)} problem(s) in {len({p.line for p in problems})} row(s); "
                    "nothing imported (--skip-bad imports the rest)",
                    problems,
                )
            writer.write(chunk)
            if not writer.written:
                raise OutletImportError("no valid rows to import", problems)
            writer.finish()
        return result

    @contextlib.contextmanager
    def _bulk(self) -> Iterator[None]:
        """A bigger page cache while importing (with SQLite's 2 MB default, index pages keep
        being evicted), and no cyclic garbage collection: the loop makes millions of small objects
        and no cycles, and the collector's passes over them would double its time."""
        old = self.db.conn.execute("pragma cache_size").fetchone()[0]
        self.db.conn.execute(f"pragma cache_size = {-BULK_CACHE_KB}")
        collecting = gc.isenabled()
        gc.disable()
        try:
            yield
        finally:
            if collecting:
                gc.enable()
            self.db.conn.execute(f"pragma cache_size = {old}")


def _reader(
    data: bytes, sheet: str | None, ignore: Collection[str], file_name: str
) -> tuple[str, Callable[[], Table], list[bytes]]:
    """(the format or text encoding, how to read the table, the choices that change what is read
    from the same bytes): the file's hash with these is what "already imported" compares. A
    plain CSV has none, so its hash is the file's own."""
    ignored = sorted(name.encode() for name in ignore)
    kind = workbook_format(data, file_name)  # a damaged .xlsx is no CSV file
    if kind:
        book = Sheet(data, sheet)
        return kind, lambda: book.table(ignore), [b"sheet:" + book.name.encode(), *ignored]
    if sheet is not None:
        raise OutletImportError("--sheet is for Excel workbooks (.xlsx, .xls); this is a CSV file")
    text, encoding = decode(data)
    return encoding, lambda: read_rows(text, ignore), ignored
