"""Every table of the one SQLite database, created and upgraded in one place: a versioned set of
sqlite-utils migrations, applied when the database is opened. A database made before migrations
existed (main up to 2026-11) has all tables already: the first migration finds them and only
records itself, so later migrations reach deployed databases too.

Add a change as a new function at the end, decorated with @MIGRATIONS(); never edit one that has
shipped.
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

MIGRATIONS = Migrations("courier_bot")


@MIGRATIONS()
def m001_initial(db: sqlite_utils.Database) -> None:
    """The tables as of 2026-11 (if_not_exists: a database from before migrations keeps its data)."""
    _core(db)
    _outlets(db)
    _reminders(db)
    _telegram(db)


def _core(db: sqlite_utils.Database) -> None:
    """A courier's region (hashed key), and questions the bot could not answer (masked)."""
    db.table("prefs").create(
        {"user_key": str, "region": str, "updated_at": str}, pk="user_key", if_not_exists=True
    )
    db.table("gaps").create(
        {"id": int, "text": str, "region": str, "created_at": str}, pk="id", if_not_exists=True
    )


def _outlets(db: sqlite_utils.Database) -> None:
    """Official outlet lists, their history, the search index and the lookup log (see
    bot/outlets/registry.py for what each table holds)."""
    db.table("import_batches").create(
        {
            "id": int,
            "source": str,
            "as_of": str,
            "file_name": str,
            "sha256": str,
            "encoding": str,
            "rows": int,
            "inserted": int,
            "updated": int,
            "unchanged": int,
            "older": int,
            "skipped": int,
            "sample": int,
            "regions": str,
            "imported_at": str,
        },
        pk="id",
        if_not_exists=True,
    )
    db.table("outlets").create(
        {
            "id": int,
            "key": str,
            "number": str,
            "number_digits": str,
            "name": str,
            "brand": str,
            "parent_company": str,
            "kind": str,
            "province": str,
            "city": str,
            "city_key": str,
            "county": str,
            "address": str,
            "insured": int,
            "insured_since": str,
            "headcount": int,
            "batch_id": int,
            "first_batch_id": int,  # the list it was last / first seen in
        },
        pk="id",
        not_null={"key", "name", "province", "insured", "batch_id"},
        if_not_exists=True,
    )
    db.table("outlet_history").create(
        {
            "id": int,
            "outlet_id": int,
            "batch_id": int,
            "as_of": str,
            "change": str,
            "insured": int,
            "insured_since": str,
            "headcount": int,
        },
        pk="id",
        if_not_exists=True,
    )
    db.table("outlet_terms").create({"term": str, "df": int}, pk="term", if_not_exists=True)
    db.table("lookups").create(
        {
            "id": int,
            "at": str,
            "month": str,
            "channel": str,
            "user_key": str,
            "region": str,
            "query": str,
            "outlet_id": int,
            "score": float,
            "result": str,
            "via": str,
        },
        pk="id",
        if_not_exists=True,
    )
    for table, cols, unique in (
        ("outlets", ["key"], True),
        ("outlet_history", ["outlet_id"], False),
        ("lookups", ["at"], False),
        ("lookups", ["month"], False),
    ):
        db.table(table).create_index(cols, unique=unique, if_not_exists=True)
    # Only the few numbers with a Chinese prefix have digits to look up (see names._digits).
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_outlets_number_digits ON outlets(number_digits)"
        " WHERE number_digits IS NOT NULL"
    )
    # Contentless: the index holds only rowids; the import writes and deletes its entries
    # (each entry's terms can be rebuilt from the row, see names.doc_terms()).
    db.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS outlets_fts USING fts5(terms, content='', detail=none)"
    )


def _reminders(db: sqlite_utils.Database) -> None:
    """Deadline reminders, so a restart loses none."""
    table = db.table("reminders")
    table.create(
        {
            "id": int,
            "chat_id": int,
            "user_key": str,
            "deadline_key": str,
            "last_day": str,
            "days_before": int,
            "due_at": str,
            "status": str,
            "created_at": str,
            "sent_at": str,
        },
        pk="id",
        if_not_exists=True,
    )
    table.create_index(
        ["user_key", "deadline_key", "last_day", "days_before"], unique=True, if_not_exists=True
    )
    table.create_index(["status", "due_at"], if_not_exists=True)


def _telegram(db: sqlite_utils.Database) -> None:
    """python-telegram-bot's persistence: user_data and conversation states (handlers/)."""
    db.table("ptb_user_data").create(
        {"user_id": int, "data": str}, pk="user_id", if_not_exists=True
    )
    db.table("ptb_conversations").create(
        {"name": str, "key": str, "state": str}, pk=("name", "key"), if_not_exists=True
    )


@MIGRATIONS()
def m002_people(db: sqlite_utils.Database) -> None:
    """The people behind the bot (issue 13): 👍/👎 on answers, and questions handed to an official.

    No raw Telegram id, name or phone number in either table: feedback keeps the entry, region and
    time only; a ticket keeps the masked question. The courier's chat id, needed to relay the
    official's reply, lives apart in handoff_chats, which the officials' web view never shows.
    """
    db.table("feedback").create(
        {
            "id": int,
            "at": str,
            "month": str,
            "entry_id": str,
            "region": str,
            "vote": int,  # +1 👍, -1 👎
            "reason": str,  # after 👎: unanswered / unclear / different (null when not given)
        },
        pk="id",
        if_not_exists=True,
    )
    db.table("feedback").create_index(["entry_id"], if_not_exists=True)
    db.table("handoff_tickets").create(
        {
            "id": int,
            "ticket": str,  # short number shown to courier and officials
            "created_at": str,
            "region": str,
            "closest_entry": str,  # the FAQ topic the question was closest to
            "question": str,  # masked (bot.text.mask_personal)
            "status": str,  # open / answered / closed / expired
            "officials_message_id": int,  # the ticket's message in the officials' chat
            "answer": str,  # the official's reply, masked
            "answered_at": str,
            "followup": str,  # the courier's one answer back, masked
            "closed_at": str,
            "overdue_notified_at": str,  # when the courier was pointed to 12333
        },
        pk="id",
        if_not_exists=True,
    )
    db.table("handoff_tickets").create_index(["ticket"], unique=True, if_not_exists=True)
    db.table("handoff_tickets").create_index(["status", "created_at"], if_not_exists=True)
    db.table("handoff_chats").create(
        {"ticket_id": int, "chat_id": int}, pk="ticket_id", if_not_exists=True
    )


@MIGRATIONS()
def m003_faq_entries(db: sqlite_utils.Database) -> None:
    """The title and region of each FAQ entry a vote or a ticket names (written as they are made,
    bot.storage.database.remember_entry), so the officials' web view shows titles, not ids."""
    db.table("faq_entries").create(
        {"id": str, "title": str, "region": str}, pk="id", if_not_exists=True
    )


LEGACY = "legacy_"  # prefix of a table whose rows still hold raw Telegram ids (m004_sealed_ids)


@MIGRATIONS()
def m004_sealed_ids(db: sqlite_utils.Database) -> None:
    """No raw Telegram id in the database (README, PRIVACY). PTB's user data is keyed by the
    user's salted hash (bot.storage.database.user_key); a conversation by a hash of its (chat id,
    user id) key, with the key itself sealed (bot/storage/sealed.py) since PTB needs it back at
    start; a reminder's chat id is sealed in `sealed_chat`, its `chat_id` left empty.

    A migration has no salt, so rows written before keep their raw ids, in legacy_ptb_user_data,
    legacy_ptb_conversations and reminders.chat_id, until the code that holds the salt seals them
    and deletes the raw values on its start (handlers/persistence.py, bot/guides/reminders.py).
    The old tables are dropped here when empty (always, in a new database).
    """
    for old in ("ptb_user_data", "ptb_conversations"):
        if db.table(old).count:
            db.rename_table(old, LEGACY + old)
        else:
            db.table(old).drop()
    db.table("ptb_user_data").create({"user_key": str, "data": str}, pk="user_key")
    db.table("ptb_conversations").create(
        {"name": str, "key_hash": str, "sealed_key": str, "state": str}, pk=("name", "key_hash")
    )
    db.table("reminders").add_column("sealed_chat", str)


@MIGRATIONS()
def m005_sealed_handoff_chats(db: sqlite_utils.Database) -> None:
    """No raw chat id behind a ticket either (bot/handoff_chats.py): a link is found by a salted
    hash of the courier's chat, `chat_key`, and the chat id kept sealed in `sealed_chat` for the
    relay; `chat_id` is left empty, as in reminders (m004_sealed_ids).

    Links written before keep their raw chat_id until the bot, which holds the salt, seals them
    and empties it on its start (handlers/handoff.py schedule).
    """
    chats = db.table("handoff_chats")
    chats.add_column("chat_key", str)
    chats.add_column("sealed_chat", str)
    chats.create_index(["chat_key"])


def upgrade(db: sqlite_utils.Database, migrations: Migrations = MIGRATIONS) -> list[str]:
    """Apply the pending migrations; returns their names (empty when the schema is current).

    The write lock is taken before the pending ones are read: two processes opening an old
    database at once (the bot and `courier-bot web`, say) would otherwise both see m004 pending,
    and the second would run it again on the upgraded tables. Each migration stays its own
    savepoint inside (sqlite-utils nests them), so a failing one still leaves no trace."""
    outer = not db.conn.in_transaction
    if outer:
        db.execute("BEGIN IMMEDIATE")
    try:
        pending = [m.name for m in migrations.pending(db)]
        migrations.apply(db)
    except BaseException:
        if outer and db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise
    if outer:
        db.execute("COMMIT")
    return pending


def version(db: sqlite_utils.Database, migrations: Migrations = MIGRATIONS) -> list[str]:
    """The migrations this database has had, in order."""
    return [m.name for m in migrations.applied(db)]
