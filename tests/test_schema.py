"""One schema module with versioned sqlite-utils migrations: a fresh database gets every table, a
database made by main before migrations existed upgrades in place and keeps its data, and a later
migration reaches such a database."""

import shutil
import sqlite3
import threading
import time
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from bot.outlets.registry import Registry
from bot.storage import schema
from bot.storage.database import Storage

BEFORE = Path(__file__).parent / "data" / "db_before_migrations.sqlite"  # made by main 27fa94f
TABLES = {
    "prefs",
    "gaps",
    "import_batches",
    "outlets",
    "outlet_history",
    "outlet_terms",
    "lookups",
    "outlets_fts",
    "reminders",
    "ptb_user_data",
    "ptb_conversations",
}
LATER_TABLES = {"feedback", "handoff_tickets", "handoff_chats", "faq_entries"}  # m002, m003
VERSIONS = [
    "m001_initial",
    "m002_people",
    "m003_faq_entries",
    "m004_sealed_ids",
    "m005_sealed_handoff_chats",
]
# m004: the PTB tables keyed by hashes; rows from before wait in legacy_* for the salt's holder.
LEGACY = {"legacy_ptb_user_data", "legacy_ptb_conversations"}


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as con:
        return {r[0] for r in con.execute("select name from sqlite_master where type = 'table'")}


def test_a_fresh_database_gets_every_table_and_its_version(tmp_path):
    storage = Storage(tmp_path / "bot.db")
    assert set(storage.db.table_names()) >= TABLES | LATER_TABLES
    assert schema.version(storage.db) == VERSIONS
    assert schema.upgrade(storage.db) == []  # opening again changes nothing
    assert not set(storage.db.table_names()) & LEGACY  # nothing to convert: no legacy tables
    assert storage.db["ptb_user_data"].pks == ["user_key"]
    assert storage.db["ptb_conversations"].pks == ["name", "key_hash"]
    assert "sealed_chat" in storage.db["reminders"].columns_dict
    chats = storage.db["handoff_chats"]  # m005: found by chat_key, the chat id sealed
    assert {"chat_key", "sealed_chat"} <= set(chats.columns_dict)
    assert [i.columns for i in chats.indexes] == [["chat_key"]]


def test_a_database_from_before_migrations_upgrades_and_keeps_its_data(tmp_path):
    path = tmp_path / "bot.db"
    shutil.copy(BEFORE, path)
    assert "_sqlite_migrations" not in _tables(path) and _tables(path) >= TABLES
    storage = Storage(path)
    assert schema.version(storage.db) == VERSIONS
    assert set(storage.db.table_names()) >= LATER_TABLES
    counts = {
        t: storage.db[t].count
        for t in (
            "prefs",
            "gaps",
            "outlets",
            "reminders",
            "lookups",
            "ptb_user_data",
            "ptb_conversations",
            *sorted(LEGACY),
        )
    }
    assert counts == {
        "prefs": 1,
        "gaps": 1,
        "outlets": 3,
        "reminders": 2,
        "lookups": 1,
        "ptb_user_data": 0,  # sealed by handlers/persistence.py on start: test_persistence_privacy
        "ptb_conversations": 0,
        "legacy_ptb_user_data": 1,
        "legacy_ptb_conversations": 1,
    }
    assert storage.region("k" * 32) == "济宁"
    registry = Registry(storage)
    name = registry.db.execute("select name from outlets order by id limit 1").fetchone()[0]
    assert registry.lookup(name).best.outlet["name"] == name


def test_a_later_migration_reaches_an_old_database(tmp_path):
    path = tmp_path / "bot.db"
    shutil.copy(BEFORE, path)
    later = Migrations("courier_bot")
    later()(schema.m001_initial)

    @later()
    def m002_gaps_channel(db: sqlite_utils.Database) -> None:
        db["gaps"].add_column("channel", str)

    db = sqlite_utils.Database(path)
    assert schema.upgrade(db, later) == ["m001_initial", "m002_gaps_channel"]
    assert "channel" in db["gaps"].columns_dict and db["gaps"].count == 1
    assert schema.upgrade(db, later) == []


def test_two_processes_opening_an_old_database_at_once_upgrade_it_once(tmp_path):
    """The second opener waits for the first one's upgrade instead of re-running migrations it
    saw pending (m004 renames tables: a second run would fail)."""
    path = tmp_path / "bot.db"
    shutil.copy(BEFORE, path)
    first = sqlite_utils.Database(path)
    first.execute("BEGIN IMMEDIATE")  # the first process is mid-upgrade, holding the lock
    errors: list[BaseException] = []

    versions: list[list[str]] = []

    def open_second() -> None:
        second = sqlite_utils.Database(path)  # a connection of its own, as another process has
        try:
            schema.upgrade(second)
            versions.append(schema.version(second))
        except BaseException as exc:  # reported by the assert below
            errors.append(exc)

    thread = threading.Thread(target=open_second)
    thread.start()
    time.sleep(0.3)  # the second has read what is pending (or waits for the lock)
    schema.upgrade(first)
    first.execute("COMMIT")
    thread.join(timeout=10)
    assert errors == []
    assert versions == [schema.version(first)] and len(set(versions[0])) == len(versions[0])
