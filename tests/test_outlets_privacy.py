"""Lookups are logged with a salted hash of the user: no raw id, name or phone in the database
file (checked on the bytes, WAL included), and the retention period is enforced."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.outlets.lookups import mask
from bot.outlets.registry import Registry
from bot.storage.database import Storage, user_key
from tests.support.telegram import halt, launch

USER_ID = 7712345678
NAME, USERNAME, PHONE, ID_CARD = "王小明", "wxm_courier_77", "13912345678", "370881199001011234"


def file_bytes(path) -> bytes:
    data = b""
    for p in (path, path.with_name(path.name + "-wal")):
        if p.exists():
            data += p.read_bytes()
    return data


async def test_no_raw_id_name_or_phone_in_the_database_file(api, config, assistant):
    application = await launch(api, config, assistant)
    sender = {"id": USER_ID, "is_bot": False, "first_name": NAME, "username": USERNAME}
    try:
        for text in (
            "/outlet 中通城西",
            f"/outlet 中通城西 我电话{PHONE}",
            f"/outlet 身份证{ID_CARD}",
            "/outlet",
        ):
            api.message(text, chat_id=USER_ID, user_id=USER_ID, **{"from": sender})
        api.message("百世鼓楼大街", chat_id=USER_ID, user_id=USER_ID, **{"from": sender})
        await api.wait_for("sendMessage", 5)
    finally:
        await halt(application)
    reopened = Storage(config.database)  # the Application closed its storage on shutdown
    rows = reopened.db.execute("select user_key, channel, query from lookups").fetchall()
    assert len(rows) == 4  # the bare /outlet prompt is not a lookup
    key = user_key(config.user_salt, "telegram", USER_ID)
    assert {r[0] for r in rows} == {key} and {r[1] for r in rows} == {"telegram"}
    assert any("#" * 11 in r[2] for r in rows) and any("#" * 18 in r[2] for r in rows)
    data = file_bytes(config.database)
    assert key.encode() in data  # the hash is there (the log is not empty) …
    for secret in (str(USER_ID), NAME, USERNAME, PHONE, ID_CARD):
        assert secret.encode() not in data, secret  # … the person is not
    columns = {c.name for c in reopened.db["lookups"].columns}
    assert columns == {
        "id",
        "at",
        "month",
        "channel",
        "user_key",
        "region",
        "query",
        "outlet_id",
        "score",
        "result",
        "via",
    }
    reopened.close()


@pytest.mark.parametrize(
    "raw, logged",
    [
        ("中通城西", "中通城西"),
        ("电话13912345678中通", "电话###########中通"),
        ("１３９１２３４５６７８", "###########"),  # full-width digits too
        ("编号2022001234567890123", "编号2022001234567890123"),  # longer digit runs are not phones
        ("x" * 300, "x" * 100),
    ],
)
def test_mask(raw, logged):
    assert mask(raw) == logged


def _stamp(days_ago: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).isoformat(timespec="seconds")


def test_retention_is_enforced(tmp_path):
    storage = Storage(tmp_path / "r.db")
    registry = Registry(storage, retention_days=30)
    registry.ensure_sample()
    for days in (40, 31, 29, 1):
        storage.db.execute(
            "insert into lookups (at, month, channel, user_key, query, result)"
            " values (?, ?, 'test', 'k', 'q', 'unknown')",
            [_stamp(days), _stamp(days)[:7]],
        )
    registry.record(registry.lookup("中通城西"), "k", "test")  # recording purges first
    ages = [r[0] for r in storage.db.execute("select at from lookups order by at")]
    assert len(ages) == 3 and min(ages) > _stamp(30)
    storage.close()


def test_retention_zero_keeps_no_log(tmp_path):
    storage = Storage(tmp_path / "z.db")
    registry = Registry(storage, retention_days=0)
    registry.ensure_sample()
    assert registry.record(registry.lookup("中通城西"), "k", "test") is None
    assert storage.db.execute("select count(*) from lookups").fetchone()[0] == 0
    storage.close()


def test_a_locked_database_still_answers_without_logging(assistant, config):
    """A big import in another process holds the write lock: the courier still gets the answer."""
    import sqlite3

    assistant.storage.db.execute("pragma busy_timeout = 50")
    importer = sqlite3.connect(config.database, isolation_level=None)
    importer.execute("begin immediate")
    try:
        reply = assistant.outlets.lookup("中通城西", "k", "test")
        assert "中通快递城西网点" in reply.text and "已参加工伤保险" in reply.text
    finally:
        importer.execute("rollback")
        importer.close()
    assert assistant.storage.db.execute("select count(*) from lookups").fetchone()[0] == 0
