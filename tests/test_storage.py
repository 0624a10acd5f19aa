"""The SQLite file: created on first run, region preferences, gaps without user ids."""

import re
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.handoff import Question, Tickets
from bot.handoff_chats import chat_key
from bot.storage.database import Storage, user_key


def test_database_is_created_and_reopened(tmp_path):
    path = tmp_path / "sub" / "bot.db"
    s = Storage(path)
    s.set_region(user_key("salt", "telegram", 123), "济宁")
    s.close()
    again = Storage(path)
    assert again.region(user_key("salt", "telegram", 123)) == "济宁"
    assert again.region(user_key("other-salt", "telegram", 123)) is None


def test_gaps_are_counted_and_hold_no_user(assistant, storage, config):
    user = user_key(config.user_salt, "telegram", 987654321)
    for _ in range(3):
        assistant.ask("明天会下雨吗", user)
    assistant.ask("怎么查我的快递单号", user)
    rows = storage.gaps()
    assert [(r["text"], r["n"]) for r in rows] == [("明天会下雨吗", 3), ("怎么查我的快递单号", 1)]
    columns = {c.name for c in storage.db["gaps"].columns}
    assert columns == {"id", "text", "region", "created_at"}
    assert b"987654321" not in config.database.read_bytes()


def test_per_user_limit_is_polite_and_per_courier(assistant):
    clock = [0.0]
    assistant.limit.clock = lambda: clock[0]
    answers = [assistant.ask("派件途中摔伤算工伤吗", "courier-a").text for _ in range(21)]
    assert all("依据" in a for a in answers[:20]) and "发得有点快" in answers[20]
    assert "依据" in assistant.ask("派件途中摔伤算工伤吗", "courier-b").text
    clock[0] += 61
    assert "依据" in assistant.ask("派件途中摔伤算工伤吗", "courier-a").text


def test_gaps_never_keep_phone_or_id_numbers(assistant, storage, config):
    for text in (
        "我叫王小明电话13812345678咋办养老",
        "打139 1234 5678找我问退休",
        "+86-139-1234-5678 医保",
        "身份证370881199001011234问公积金",
        "13812345678",
    ):
        assistant.ask(text, "someone")
    stored = " ".join(r["text"] for r in storage.gaps())
    for secret in ("13812345678", "1234 5678", "1234-5678", "370881199001011234"):
        assert secret not in stored
    assert "###########" in stored and "#" * 18 in stored
    assert b"13812345678" not in config.database.read_bytes()


def test_forget_is_all_or_nothing(storage):
    """A /forgetme that fails half-way leaves everything as it was, so that asking again forgets
    it all (a trigger stands in for a disk that fails at the last statement)."""
    key = user_key("salt", "telegram", 123)
    storage.set_region(key, "济宁")
    storage.db.table("lookups").insert({"user_key": key, "query": "中通", "result": "insured"})
    ticket = Tickets(storage.db, "salt").create(Question("问", None, None), 123, datetime.now(UTC))
    chat = chat_key("salt", 123)
    storage.db.execute(
        "create trigger fail_unlink before update on lookups begin"
        " select raise(abort, 'disk failed'); end"
    )
    with pytest.raises(sqlite3.IntegrityError):
        storage.forget(key, chat)
    storage._regions.clear()  # read what the file holds, not the cache
    assert storage.region(key) == "济宁"
    assert storage.db.table("lookups").count_where("user_key = ?", [key]) == 1
    assert storage.db.table("handoff_tickets").get(ticket["id"])["status"] == "open"
    assert storage.db.table("handoff_chats").count_where("chat_key = ?", [chat]) == 1
    storage.db.execute("drop trigger fail_unlink")
    assert storage.forget(key, chat)["region"] is True
    assert storage.region(key) is None
    assert storage.db.table("handoff_chats").count == 0


def test_forget_waits_for_another_process_writing(storage, config):
    """/forgetme while another connection holds the write lock (an outlet import, say) waits
    for it instead of failing: the transaction's first statement is a write."""
    key = user_key("salt", "telegram", 123)
    storage.set_region(key, "济宁")
    other = sqlite3.connect(config.database, isolation_level=None, check_same_thread=False)
    other.execute("begin immediate")
    release = threading.Timer(0.3, other.execute, ["commit"])
    release.start()
    try:
        assert storage.forget(key)["region"] is True  # busy_timeout covers the 0.3 s
    finally:
        release.join()
        other.close()
    assert storage.region(key) is None


def test_transactions_use_sqlite_utils_atomic():
    """`with db.conn:` opens no transaction under sqlite-utils 4 (each statement commits on its
    own), so a block written that way is not atomic; db.atomic() is (and commits itself)."""
    roots = [Path(__file__).parent.parent / d for d in ("bot", "handlers", "bench")]
    offenders = [
        f"{path}:{n}"
        for root in roots
        for path in sorted(root.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bwith\b.*\bconn\b|\.commit\(\)", line)
    ]
    assert offenders == []
