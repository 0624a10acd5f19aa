"""No raw Telegram id in the database (README, PRIVACY): PTB's user data is keyed by a salted hash,
a conversation's (chat, user) key, a reminder's chat id and a ticket's chat id are sealed
(bot/storage/sealed.py). A guide in progress and a reminder still survive a restart; a database
from before, with raw ids, is converted on start; another salt reads nothing back, and the rows
stay for the right one. (A whole handoff without a raw id: tests/test_handoff.py.)"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlite_utils
from sqlite_utils.migrations import Migrations

from bench.fakeapi import BOT_USER
from bot import dates, handoff_chats
from bot.assistant import Assistant
from bot.guides.reminders import Reminders
from bot.reply import BUTTON_PREFIXES
from bot.storage import schema, sealed
from bot.storage.database import Storage, now, user_key
from handlers.persistence import SQLitePersistence
from tests.support.scan import holders, in_file
from tests.support.telegram import buttons, halt, launch

BEFORE = Path(__file__).parent / "data" / "db_before_migrations.sqlite"  # raw ids: 42
USER, CHAT = 7_306_518_924, 6_402_117_385  # a courier and their chat, told apart on purpose
OFFICIALS, ADMIN, POSTED = -100900, 7001, 77  # the officials' chat, an admin, a ticket's message
# Couriers with tickets from before m005, the first stored first: the others' rows sit between
# it and the page's free space, so its raw id stays on the page unless it is scrubbed.
TICKET_CHATS = {"AAAAAA": CHAT, "BBBBBB": 5_806_221_947, "CCCCCC": 5_806_221_948}


async def say(api, n: int, action: str):
    """The courier presses a button or types, then the bot's n-th message in their chat."""
    if action.split(":", 1)[0] in BUTTON_PREFIXES and ":" in action:
        api.callback(action, chat_id=CHAT, user_id=USER)
    else:
        api.message(action, chat_id=CHAT, user_id=USER)
    return (await api.wait_for("sendMessage", n, chat_id=CHAT))[-1]


def test_a_sealed_id_reads_back_only_with_its_salt():
    token = sealed.seal("salt", USER)
    assert sealed.unseal("salt", token) == USER
    assert sealed.unseal("salt", sealed.seal("salt", (CHAT, USER))) == (CHAT, USER)
    assert sealed.seal("salt", USER) != token  # a random IV: no two alike, none to match on
    assert str(USER) not in token
    with pytest.raises(sealed.SealError, match="user_salt"):
        sealed.unseal("another salt", token)
    i = len(token) // 2
    damaged = token[:i] + ("B" if token[i] == "A" else "A") + token[i + 1 :]
    for bad in (damaged, "not a token"):
        with pytest.raises(sealed.SealError):
            sealed.unseal("salt", bad)


async def test_a_guide_and_a_reminder_survive_restarts_and_no_raw_id_is_stored(
    api, config, assistant
):
    app = await launch(api, config, assistant)
    try:
        first = await say(api, 1, "/injury")
        assert "g:what:commute" in buttons(first)
        await say(api, 2, "g:what:commute")
    finally:
        await halt(app)  # mid-guide: the session is in user_data, the step in the conversation
    db = Storage(config.database).db
    key = user_key(config.user_salt, "telegram", USER)
    assert json.loads(db["ptb_user_data"].get(key)["data"])["guide"]
    assert db["ptb_conversations"].count == 1
    db.close()
    assert holders(config.database, {USER, CHAT}) == []
    assert not in_file(config.database, USER) and not in_file(config.database, CHAT)

    app = await launch(api, config)  # a new process: nothing shared but the database
    try:
        accident = dates.today() - timedelta(days=3)
        after = await say(api, 3, accident.isoformat())  # the guide goes on where it was
        assert "g:fault:minor" in buttons(after), after.params["text"]
        for n, action in enumerate(
            ("g:fault:minor", "g:exclusion:no", "g:employer_applied:no", "g:insured:unknown"), 4
        ):
            await say(api, n, action)
        await say(api, 8, "g:outlet_kind:licensed")
        offer = await say(api, 10, "g:region:济宁")  # the result, then the reminder offer
        done = await say(api, 11, buttons(offer)[0])
        assert "已经设好4个提醒" in done.params["text"]
    finally:
        await halt(app)
    storage = Storage(config.database)
    week = max(Reminders(storage, config.user_salt).pending(key), key=lambda r: r["days_before"])
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    storage.db.execute("update reminders set due_at = ? where id = ?", [past, week["id"]])
    storage.close()

    app = await launch(api, config)  # down when it fell due: sent on start, to the sealed chat
    try:
        reminder = await api.wait_for("sendMessage", 12, chat_id=CHAT)
        assert "提醒" in reminder[-1].params["text"]
    finally:
        await halt(app)
    assert holders(config.database, {USER, CHAT}) == []
    assert not in_file(config.database, USER) and not in_file(config.database, CHAT)


async def test_a_database_from_before_is_sealed_on_start(tmp_path):
    path = tmp_path / "bot.db"
    shutil.copy(BEFORE, path)
    assert holders(path, {42}) and b"[42, 42]" in path.read_bytes()  # raw, as it was stored
    storage = Storage(path)
    storage.db.execute("PRAGMA secure_delete = 0")  # the usual default (Debian's SQLite has it on)
    persistence = SQLitePersistence(storage, "salt")
    reminders = Reminders(storage, "salt")
    assert storage.db.execute("PRAGMA secure_delete").fetchone() == (0,)  # only while sealing
    assert await persistence.get_conversations("guide") == {(42, 42): "date"}
    user_data: dict = {}
    await persistence.refresh_user_data(42, user_data)
    assert user_data == {"region": "济宁"}
    assert [reminders.chat(r) for r in reminders.pending()] == [42, 42]
    storage.close()
    assert holders(path, {42}) == []
    assert b"[42, 42]" not in path.read_bytes()  # scrubbed from the free space too

    again = Storage(path)  # the next start has nothing left to convert and reads the same
    assert await SQLitePersistence(again, "salt").get_conversations("guide") == {(42, 42): "date"}
    again.close()


def test_a_conversion_that_fails_changes_nothing(tmp_path, monkeypatch):
    path = tmp_path / "bot.db"
    shutil.copy(BEFORE, path)
    storage = Storage(path)

    def broken(secret: str, value: object) -> str:
        raise OSError("disk full")

    monkeypatch.setattr("handlers.persistence.seal", broken)  # after the user data, before the key
    with pytest.raises(OSError):
        SQLitePersistence(storage, "salt")
    counts = lambda: [storage.db[t].count for t in ("legacy_ptb_user_data", "ptb_user_data")]  # noqa: E731
    assert counts() == [1, 0]
    monkeypatch.undo()
    SQLitePersistence(storage, "salt")  # the next start converts it all, and drops the old
    assert not storage.db["legacy_ptb_user_data"].exists()
    assert storage.db["ptb_user_data"].count == 1
    storage.close()


async def test_another_salt_reads_nothing_back_and_keeps_the_rows(storage, caplog):
    persistence = SQLitePersistence(storage, "salt")
    await persistence.update_user_data(USER, {"guide": {"step": 1}})
    await persistence.update_conversation("guide", (CHAT, USER), "date")
    other = SQLitePersistence(storage, "another salt")
    assert await other.get_conversations("guide") == {}
    assert "1 guide conversations sealed under another user_salt" in caplog.text
    user_data: dict = {}
    await other.refresh_user_data(USER, user_data)
    assert user_data == {}
    assert await SQLitePersistence(storage, "salt").get_conversations("guide") == {
        (CHAT, USER): "date"
    }


async def test_the_user_data_cache_is_bounded_and_a_user_who_left_it_is_read_again(storage):
    """Each user's stored JSON is cached (unchanged data is not written again), at most
    `cache_size` users, the least recently seen going first; one who left is read again from the
    database, which is written after every update, and what PTB holds is never overwritten."""
    first = SQLitePersistence(storage, "salt")  # an earlier run: every courier has a row
    for user in (1, 2, 3, 4):
        await first.update_user_data(user, {"guide": {"step": user}})
    persistence = SQLitePersistence(storage, "salt", cache_size=2)
    held = {user: {} for user in (1, 2, 3, 4)}  # PTB's user_data, as the Application keeps it
    for user in (1, 2, 1, 3):  # 1 came back before 3: 2 is the one to go
        await persistence.refresh_user_data(user, held[user])
    assert list(persistence._stored) == [1, 3]  # bounded
    assert held[1] == {"guide": {"step": 1}} and held[2] == {"guide": {"step": 2}}

    await first.update_user_data(2, {"guide": {"step": 22}})  # the row changed meanwhile
    await persistence.refresh_user_data(2, fresh := {})
    assert fresh == {"guide": {"step": 22}}  # 2 had left the cache: read again
    assert list(persistence._stored) == [3, 2]
    held[1]["guide"]["step"] = 9  # a handler's change, not written yet
    await persistence.refresh_user_data(1, held[1])  # 1 left: read again, PTB's data kept
    assert held[1] == {"guide": {"step": 9}} and list(persistence._stored) == [2, 1]

    # emptied after being read again (/forgetme): the row goes
    await persistence.refresh_user_data(2, held[2])
    await persistence.update_user_data(2, {})
    rows = storage.db.execute("select count(*) from ptb_user_data").fetchone()[0]
    assert rows == 3
    # never read (4), or read and left the cache since (3): an empty dict deletes nothing
    await persistence.update_user_data(4, {})
    assert 3 not in persistence._stored
    await persistence.update_user_data(3, {})
    assert storage.db.execute("select count(*) from ptb_user_data").fetchone()[0] == 3
    user_data: dict = {}
    await SQLitePersistence(storage, "salt").refresh_user_data(4, user_data)
    assert user_data == {"guide": {"step": 4}}


async def test_a_reminder_sealed_under_another_salt_is_kept_not_sent(api, config, caplog):
    storage = Storage(config.database)
    reminders = Reminders(storage, config.user_salt)
    last = dates.today() + timedelta(days=8)
    reminders.plan(
        [dates.Deadline("self_apply", last, dates.today())],
        chat_id=CHAT,
        user_key=user_key(config.user_salt, "telegram", USER),
        moment=datetime.now(UTC) - timedelta(days=7),  # planned a week ago: 7 days before is due
    )
    [week] = [r for r in reminders.pending() if r["days_before"] == 7]
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    storage.db.execute("update reminders set due_at = ? where id = ?", [past, week["id"]])
    storage.close()

    app = await launch(api, dataclasses.replace(config, user_salt="another salt"))
    try:
        for _ in range(200):  # the due job runs at once on start
            if "sealed under another user_salt: not sent" in caplog.text:
                break
            await asyncio.sleep(0.05)
        assert "sealed under another user_salt: not sent" in caplog.text
    finally:
        await halt(app)
    assert api.sent("sendMessage", chat_id=CHAT) == []
    app = await launch(api, config)  # the right salt again: it goes out
    try:
        [sent] = await api.wait_for("sendMessage", chat_id=CHAT)
        assert "提醒" in sent.params["text"]
    finally:
        await halt(app)


def _before_m005(path: Path, chats: dict[str, int]) -> None:
    """A database as the bot wrote it up to m004_sealed_ids: open tickets, each with its courier's
    raw chat id in handoff_chats."""
    up_to_m004 = Migrations("courier_bot")
    for migration in (
        schema.m001_initial,
        schema.m002_people,
        schema.m003_faq_entries,
        schema.m004_sealed_ids,
    ):
        up_to_m004()(migration)
    db = sqlite_utils.Database(path)
    schema.upgrade(db, up_to_m004)
    for n, (ticket, chat) in enumerate(chats.items()):
        tid = (
            db.table("handoff_tickets")
            .insert(
                {"ticket": ticket, "created_at": now(), "status": "open"}
                | {"question": "问题", "officials_message_id": POSTED + n}
            )
            .last_pk
        )
        db.table("handoff_chats").insert({"ticket_id": tid, "chat_id": chat})
    db.close()


async def test_a_tickets_raw_chat_id_is_sealed_on_start_and_the_reply_still_reaches_it(
    api, config, kb
):
    _before_m005(config.database, TICKET_CHATS)
    raw = set(TICKET_CHATS.values())
    assert [v for _t, _c, v in holders(config.database, raw)] == list(TICKET_CHATS.values())
    cfg = dataclasses.replace(config, handoff_chat_id=OFFICIALS, admin_ids=frozenset({ADMIN}))
    storage = Storage(config.database)  # m005 runs; the raw id waits for the salt's holder
    assert storage.db.table("handoff_chats").get(1)["chat_id"] == CHAT
    storage.db.execute("PRAGMA secure_delete = 0")  # the usual default (Debian's SQLite has it on)
    app = await launch(api, cfg, Assistant(cfg, storage, kb))
    try:
        assert storage.db.execute("PRAGMA secure_delete").fetchone() == (0,)  # only while sealing
        links = list(storage.db.table("handoff_chats").rows_where(order_by="ticket_id"))
        assert [r["chat_id"] for r in links] == [None] * 3
        assert [sealed.unseal(cfg.user_salt, r["sealed_chat"]) for r in links] == list(
            TICKET_CHATS.values()
        )
        assert links[0]["chat_key"] == handoff_chats.chat_key(cfg.user_salt, CHAT)
        replied = {"message_id": POSTED, "date": 0, "from": BOT_USER, "text": "工单 AAAAAA"}
        replied["chat"] = {"id": OFFICIALS, "type": "supergroup"}
        api.message(
            "请带上身份证去人社局窗口咨询。",
            chat_id=OFFICIALS,
            user_id=ADMIN,
            chat_type="supergroup",
            reply_to_message=replied,
        )
        [relayed] = await api.wait_for("sendMessage", chat_id=CHAT)
        assert "请带上身份证去人社局窗口咨询" in relayed.params["text"]
    finally:
        await halt(app)
    assert holders(config.database, raw) == []
    assert not [i for i in raw if in_file(config.database, i)]  # scrubbed from free space too


def test_a_handoff_conversion_that_fails_changes_nothing(tmp_path, monkeypatch):
    path = tmp_path / "bot.db"
    _before_m005(path, {"AAAAAA": CHAT, "BBBBBB": USER})
    storage = Storage(path)
    real = handoff_chats.seal

    def broken(secret: str, value: sealed.Sealable) -> str:
        if value == USER:  # the second row
            raise OSError("disk full")
        return real(secret, value)

    monkeypatch.setattr(handoff_chats, "seal", broken)
    with pytest.raises(OSError):
        handoff_chats.seal_legacy(storage.db, "salt")
    raw = "select chat_id from handoff_chats order by ticket_id"
    assert storage.db.execute(raw).fetchall() == [(CHAT,), (USER,)]
    monkeypatch.undo()
    assert handoff_chats.seal_legacy(storage.db, "salt") == 2  # the next start converts them all
    assert handoff_chats.seal_legacy(storage.db, "salt") == 0
    assert storage.db.execute(raw).fetchall() == [(None,), (None,)]
    storage.close()
