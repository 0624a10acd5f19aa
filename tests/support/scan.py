"""Looking for raw Telegram ids in a database file: in every column of every table, and in the
file's bytes (free pages and the write-ahead log included)."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

LONG = 9  # digits: an id this long cannot occur by chance in a hash or a token


def _in_json(value: object, ids: set[int]) -> bool:
    if isinstance(value, dict):
        return any(_in_json(v, ids) for pair in value.items() for v in pair)
    if isinstance(value, list):
        return any(_in_json(v, ids) for v in value)
    return isinstance(value, int) and value in ids


def _holds(value: object, ids: set[int]) -> bool:
    if isinstance(value, int):
        return value in ids
    if not isinstance(value, str | bytes):
        return False
    text = value if isinstance(value, str) else value.decode("latin-1")
    if any(len(str(i)) >= LONG and str(i) in text for i in ids):
        return True
    try:
        return _in_json(json.loads(value), ids)
    except ValueError:  # not JSON (a hash, a token, a time, a blob)
        return False


def holders(path: Path, ids: set[int]) -> list[tuple[str, str, object]]:
    """Every (table, column, value) of the file that holds one of `ids`: the number itself, a
    number in a JSON text, or a long id's digits anywhere in a text or blob."""
    found = []
    with closing(sqlite3.connect(path)) as con:
        tables = [r[0] for r in con.execute("select name from sqlite_master where type = 'table'")]
        for table in sorted(tables):
            cursor = con.execute(f'select * from "{table}"')
            columns = [d[0] for d in cursor.description]
            found += [
                (table, c, v)
                for row in cursor
                for c, v in zip(columns, row, strict=True)
                if _holds(v, ids)
            ]
    return found


def _stored(number: int) -> bytes:
    """The big-endian integer SQLite writes in a record: the fewest of 1, 2, 3, 4, 6, 8 bytes."""
    width = next(w for w in (1, 2, 3, 4, 6, 8) if -(1 << (8 * w - 1)) <= number < 1 << (8 * w - 1))
    return number.to_bytes(width, "big", signed=True)


def in_file(path: Path, number: int) -> bool:
    """The id's digits, or the integer as SQLite stores it, anywhere in the file (free pages
    and the write-ahead log included). Use ids past 2**32: six bytes match by chance nowhere."""
    data = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    return str(number).encode() in data or _stored(number) in data
