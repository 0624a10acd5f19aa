"""👍 / 👎 under every FAQ answer (issue 13), through the real Application and the fake Bot API:
stored per entry with time, month and region only, one vote per answer message, the reason after
👎, the handoff offer after it, and `courier-bot faq stats`."""

import dataclasses
import io
import json
import sqlite3
from datetime import UTC, datetime

import pytest

from bot.assistant import Assistant
from bot.console import Console
from bot.dates import china_month
from bot.feedback import REASONS, Feedback
from bot.render import render
from tests.support.cli import run_cli
from tests.support.telegram import buttons, halt, launch, step

ASKED = "上班路上骑电动车被车撞了算工伤吗"
ENTRY = "national.injury.commute"
COURIER, OFFICIALS, ADMIN = 987654321, -100900, 7001
COLUMNS = {"id", "at", "month", "entry_id", "region", "vote", "reason"}


def _press_on(api, answer, data: str) -> None:
    """Press a button on that very answer message (same message id, its keyboard)."""
    api.callback(
        data,
        chat_id=COURIER,
        user_id=COURIER,
        message_id=answer.result["message_id"],
        reply_markup=json.loads(answer.params["reply_markup"]),
    )


async def _answer(api, n: int = 1):
    api.message(ASKED, chat_id=COURIER, user_id=COURIER)
    return (await api.wait_for("sendMessage", n, chat_id=COURIER))[-1]


async def _say(api, text: str, n: int):
    api.message(text, chat_id=COURIER, user_id=COURIER)
    return await _next(api, n)


async def _next(api, n: int):
    return (await api.wait_for("sendMessage", n, chat_id=COURIER))[-1]


def _votes(storage) -> list[dict]:
    return list(storage.db.query("select * from feedback order by id"))


async def test_votes_sit_beside_the_source_button(telegram):
    reply = await step(telegram, 1, ASKED)
    rows = json.loads(reply.params["reply_markup"])["inline_keyboard"]
    assert [b["text"] for b in rows[-1]] == ["📄 查看原文", "👍", "👎"]
    assert [b["callback_data"] for b in rows[-1]][1:] == [f"fb:up:{ENTRY}", f"fb:down:{ENTRY}"]


async def test_thumbs_up_is_stored_once_per_answer(api, config, assistant, storage):
    application = await launch(api, config, assistant)
    try:
        await _say(api, "/region 吉林", 1)
        answer = await _answer(api, 2)
        _press_on(api, answer, f"fb:up:{ENTRY}")
        assert (await _next(api, 3)).params["text"] == "谢谢！"
        _press_on(api, answer, f"fb:down:{ENTRY}")  # a second press on the same answer
        assert "已经评价过了" in (await _next(api, 4)).params["text"]
        [row] = _votes(storage)
        assert row["entry_id"] == ENTRY and row["vote"] == 1 and row["reason"] is None
        assert row["region"] == "吉林" and len(row["month"]) == 7 and row["at"] >= row["month"]
        # the entry's title beside it, for the officials' web view (the FAQ is not in the database)
        entry = assistant.matcher.entry(ENTRY)
        assert list(storage.db.table("faq_entries").rows) == [
            {"id": ENTRY, "title": entry.title, "region": entry.region}
        ]
        # the answer keeps its other buttons, without 👍/👎
        edits = await api.wait_for("editMessageReplyMarkup")
        left = [
            b["callback_data"]
            for r in json.loads(edits[0].params["reply_markup"])["inline_keyboard"]
            for b in r
        ]
        assert f"src:{ENTRY}" in left and not any(d.startswith("fb:") for d in left)
        # another answer message is another vote
        again = await _answer(api, 5)
        _press_on(api, again, f"fb:up:{ENTRY}")
        await _next(api, 6)
        assert [r["vote"] for r in _votes(storage)] == [1, 1]
    finally:
        await halt(application)


async def test_thumbs_down_asks_why_and_faq_stats_counts_it(
    api, config, assistant, storage, tmp_path
):
    application = await launch(api, config, assistant)
    try:
        answer = await _answer(api)
        _press_on(api, answer, f"fb:down:{ENTRY}")
        why = await _next(api, 2)
        assert "哪里不好" in why.params["text"]
        markup = json.loads(why.params["reply_markup"])
        labels = [b["text"] for r in markup["inline_keyboard"] for b in r]
        assert labels == ["没回答我的问题", "看不懂", "和我了解的不一样"]
        assert not any(b.startswith("ho:") for b in buttons(why))  # no [handoff]: no offer
        unclear = buttons(why)[1]
        api.callback(unclear, chat_id=COURIER, user_id=COURIER)
        noted = await _next(api, 3)
        assert "记下了" in noted.params["text"] and not buttons(noted)
        api.callback(buttons(why)[0], chat_id=COURIER, user_id=COURIER)  # one reason per 👎
        assert "已经评价过了" in (await _next(api, 4)).params["text"]
        other = await _say(api, "网点不给我报工伤怎么办", 5)
        helpful = next(b for b in buttons(other) if b.startswith("fb:up:"))
        api.callback(helpful, chat_id=COURIER, user_id=COURIER)
        await _next(api, 6)
        rows = _votes(storage)
    finally:
        await halt(application)
    assert [(r["vote"], r["reason"]) for r in rows] == [(-1, "unclear"), (1, None)]
    assert set(rows[0]) == COLUMNS  # no user key, chat id, name or text
    assert all(str(COURIER) not in json.dumps(row) for row in rows)

    cfg = tmp_path / "cli.toml"
    cfg.write_text(f'[storage]\ndatabase = "{config.database}"\n', encoding="utf-8")
    result = run_cli("faq", "stats", config=cfg)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if "national." in line]
    assert ENTRY in lines[0] and "👎  1" in lines[0] and "原因 0/1/0" in lines[0]
    assert "👎  0" in lines[1] and "👍  1" in lines[1] and len(lines) == 2


async def test_thumbs_down_offers_handoff_with_the_question(api, config, storage, kb):
    cfg = dataclasses.replace(config, handoff_chat_id=OFFICIALS, admin_ids=frozenset({ADMIN}))
    application = await launch(api, cfg, Assistant(cfg, storage, kb))
    try:
        answer = await _answer(api)
        _press_on(api, answer, f"fb:down:{ENTRY}")
        why = await _next(api, 2)
        api.callback(buttons(why)[0], chat_id=COURIER, user_id=COURIER)
        offer = await _next(api, 3)
        assert "转给工作人员" in offer.params["text"] and buttons(offer) == ["ho:send"]
        api.callback("ho:send", chat_id=COURIER, user_id=COURIER)
        [ticket] = await api.wait_for("sendMessage", 1, chat_id=OFFICIALS)
        assert ASKED in ticket.params["text"] and "上下班路上" in ticket.params["text"]
    finally:
        await halt(application)


async def test_groups_get_no_votes_and_store_none(telegram, storage):
    group = -100200
    telegram.message(
        f"@courier_test_bot {ASKED}", chat_id=group, user_id=COURIER, chat_type="group"
    )
    [answer] = await telegram.wait_for("sendMessage", chat_id=group)
    assert "依据" in answer.params["text"]
    assert not any(b.startswith("fb:") for b in buttons(answer))
    telegram.callback(f"faq:{ENTRY}", chat_id=group, user_id=COURIER, chat_type="group")
    shown = (await telegram.wait_for("sendMessage", 2, chat_id=group))[-1]
    assert not any(b.startswith("fb:") for b in buttons(shown))
    telegram.callback(f"fb:up:{ENTRY}", chat_id=group, user_id=COURIER, chat_type="group")
    telegram.message("/help", chat_id=group, user_id=COURIER, chat_type="group")
    await telegram.wait_for("sendMessage", 3, chat_id=group)  # the press came first
    assert _votes(storage) == []


@pytest.mark.parametrize(
    "data", ["fb:up:no.such.entry", "fb:why:1:unclear", "fb:why:x:unclear", "fb:why:1:bored", "fb:"]
)
async def test_forged_votes_get_the_stale_reply(telegram, storage, data):
    telegram.callback(data)
    [reply] = await telegram.wait_for("sendMessage")
    assert "按钮已经失效" in reply.params["text"] and _votes(storage) == []


def test_console_votes_are_not_stored(assistant, storage):
    """The console is the operator's own terminal: a vote there is no courier's."""
    console = Console(assistant, io.StringIO())
    console.show(console.handle(ASKED))
    data = [d for _, d in console.buttons]
    for vote in (f"fb:up:{ENTRY}", f"fb:down:{ENTRY}"):
        reply = console.handle(str(1 + data.index(vote)))
        assert "不记录" in reply.text and not reply.buttons
    assert _votes(storage) == [] and storage.db.table("faq_entries").count == 0


def test_a_vote_counts_in_chinas_month_as_lookups_do(storage, kb):
    """One month rule for votes and lookups (bot.dates.china_month): 31 October 17:00
    UTC is 1 November in China."""
    at = datetime(2026, 10, 31, 17, 0, tzinfo=UTC)
    Feedback(storage.db).record(kb.by_id()[ENTRY], 1, None, at)
    [row] = _votes(storage)
    assert row["month"] == china_month(at) == "2026-11"
    assert row["at"] == "2026-10-31T17:00:00+00:00"


def test_a_vote_is_stored_only_with_its_entry_so_a_down_vote_always_gets_its_reasons(
    storage, kb, monkeypatch
):
    """The vote and its entry's title are one write: when the second fails (a busy database),
    no vote is left behind without the reason buttons that name its row."""
    feedback, at = Feedback(storage.db), datetime(2026, 10, 31, 9, 0, tzinfo=UTC)

    def busy(*_args):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr("bot.feedback.remember_entry", busy)
    reply, _ = feedback.press(f"fb:down:{ENTRY}", ("chat", 1), None, kb.by_id().get, at)
    assert reply.buttons == [] and reply.text == render("feedback_thanks")
    assert _votes(storage) == [] and storage.db.table("faq_entries").count == 0
    monkeypatch.undo()
    reply, _ = feedback.press(f"fb:down:{ENTRY}", ("chat", 2), None, kb.by_id().get, at)
    [vote] = _votes(storage)
    assert [d for _, d in reply.buttons] == [f"fb:why:{vote['id']}:{r}" for r in REASONS]
    assert storage.db.table("faq_entries").count == 1
