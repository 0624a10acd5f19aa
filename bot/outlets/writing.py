"""The SQL an outlet import runs: inserting and updating outlets in chunks, their FTS index
entries and history rows, the term counts that keep fuzzy search off common terms, and removing
the fictional sample list. Called inside the import's one transaction (bot/outlets/importing.py).
"""

from __future__ import annotations

import operator
import sqlite3
from collections import Counter

from bot.outlets.names import doc_terms
from bot.text import norm

STATUS = ("insured", "insured_since", "headcount")
DATA = (
    "number",
    "number_digits",
    "name",
    "brand",
    "parent_company",
    "kind",
    "province",
    "city",
    "city_key",
    "county",
    "address",
    *STATUS,
)
VALUES = operator.itemgetter(*DATA)


def write_chunk(
    conn: sqlite3.Connection,
    inserts: list,
    docs: list,
    updates: list,
    renamed: list,
    history: list,
    batch: int,
    as_of: str,
) -> None:
    before = conn.execute("select coalesce(max(id), 0) from outlets").fetchone()[0]
    conn.executemany(
        f"insert into outlets (key, {', '.join(DATA)}, batch_id, first_batch_id)"
        f" values ({', '.join('?' * (len(DATA) + 3))})",
        inserts,
    )
    # The new rows got the ids after `before`, in order (INTEGER PRIMARY KEY = max + 1): index
    # them, and start their history in one statement.
    after = conn.execute("select coalesce(max(id), 0) from outlets").fetchone()[0]
    if after - before != len(inserts):
        raise RuntimeError("outlet ids are not consecutive; the FTS index would be wrong")
    conn.executemany(
        "insert into outlets_fts (rowid, terms) values (?, ?)",
        zip(range(before + 1, after + 1), docs, strict=False),
    )
    conn.execute(
        "insert into outlet_history (outlet_id, batch_id, as_of, change, insured,"
        " insured_since, headcount) select id, ?, ?, 'new', insured, insured_since,"
        " headcount from outlets where id > ?",
        [batch, as_of, before],
    )
    conn.executemany(
        f"update outlets set {', '.join(c + ' = ?' for c in DATA)}, batch_id = ? where id = ?",
        updates,
    )
    conn.executemany(
        "insert into outlets_fts (outlets_fts, rowid, terms) values ('delete', ?, ?)",
        [(i, old) for i, old, _ in renamed],
    )
    conn.executemany(
        "insert into outlets_fts (rowid, terms) values (?, ?)", [(i, new) for i, _, new in renamed]
    )
    conn.executemany(
        "insert into outlet_history (outlet_id, batch_id, as_of, change, insured, insured_since,"
        " headcount) values (?, ?, ?, ?, ?, ?, ?)",
        history,
    )


def count_terms(conn: sqlite3.Connection, delta: Counter) -> None:
    conn.executemany(
        "insert into outlet_terms (term, df) values (?, ?)"
        " on conflict(term) do update set df = df + excluded.df",
        [(t, n) for t, n in delta.items() if n],
    )


def remove_sample(conn: sqlite3.Connection) -> int:
    """Delete the fictional sample list: outlets, index entries, history, their lookups."""
    sample = "select id from import_batches where sample = 1"
    outlets = f"select id from outlets where batch_id in ({sample})"
    rows = conn.execute(
        f"select id, name, province, city_key from outlets where batch_id in ({sample})"
    ).fetchall()
    lost: Counter = Counter()
    for oid, name, province, ckey in rows:
        name_terms, doc = doc_terms(norm(name), province, ckey)
        lost.update(name_terms)
        conn.execute(
            "insert into outlets_fts (outlets_fts, rowid, terms) values ('delete', ?, ?)",
            [oid, doc],
        )
    count_terms(conn, Counter({t: -n for t, n in lost.items()}))
    conn.execute(f"delete from lookups where outlet_id in ({outlets})")
    conn.execute(f"delete from outlet_history where outlet_id in ({outlets})")
    conn.execute(f"delete from outlets where batch_id in ({sample})")
    conn.execute("delete from import_batches where sample = 1")
    return len(rows)
