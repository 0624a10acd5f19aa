"""Handing a question to a person (issue 13) through the real Application and the fake Bot API:
consent, the masked ticket in the officials' chat, an admin's reply relayed, the courier's one
answer back, overdue notices on working days, drafts in `faq gaps`; the console's printed ticket.
The courier's chat id is stored sealed, never raw; under another salt nothing is relayed."""

import dataclasses
import io
import json
import logging
import re
import sqlite3
import tomllib
from datetime import UTC, datetime

import pytest

from bench.fakeapi import BOT_USER
from bot import config as config_mod
from bot.assistant import Assistant
from bot.console import Console
from bot.handoff import ALPHABET, Question, Tickets
from bot.render import plain, render
from bot.storage.database import stamp
from handlers import handoff as handoff_handlers
from tests.support.cli import run_cli
from tests.support.scan import holders, in_file
from tests.support.telegram import buttons, halt, launch

# The courier's id is past 2**32, as new Telegram ids are: stored raw, it would be found anywhere.
OFFICIALS, ADMIN, OTHER, COURIER = -100900, 7001, 7002, 7_306_518_931
DECLINED = "我手机13812345678，保险公司的理赔员一直不接电话"  # "没有把握": declined
OUT_OF_SCOPE = "我的养老保险怎么交，电话13812345678"  # not work-injury insurance: declined
COURIER_FROM = {"id": COURIER, "is_bot": False, "first_name": "王小明", "username": "wangxm"}
TICKET = re.compile(r"工单号?\s*(?:<b>)?([" + ALPHABET + r"]{6})")


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.fixture
def handoff_config(config):
    return dataclasses.replace(config, handoff_chat_id=OFFICIALS, admin_ids=frozenset({ADMIN}))


@pytest.fixture
async def app(api, handoff_config, storage, kb):
    application = await launch(api, handoff_config, Assistant(handoff_config, storage, kb))
    yield application
    await halt(application)


async def _say(api, text: str, n: int):
    """The courier types `text`; returns the bot's n-th message to the courier."""
    api.message(text, chat_id=COURIER, user_id=COURIER, **{"from": COURIER_FROM})
    return (await api.wait_for("sendMessage", n, chat_id=COURIER))[-1]


async def _press(api, data: str, n: int):
    api.callback(data, chat_id=COURIER, user_id=COURIER)
    return (await api.wait_for("sendMessage", n, chat_id=COURIER))[-1]


def _reply_to(api, ticket_call, text: str, user_id: int) -> None:
    """Someone in the officials' chat replies to the ticket message (Telegram reply_to_message)."""
    replied = {
        "message_id": ticket_call.result["message_id"],
        "date": 0,
        "chat": {"id": OFFICIALS, "type": "supergroup"},
        "from": BOT_USER,
        "text": ticket_call.params["text"],
    }
    api.message(
        text, chat_id=OFFICIALS, user_id=user_id, chat_type="supergroup", reply_to_message=replied
    )


async def _open_ticket(api, n: int = 2):
    """Ask the declined question and agree to pass it on: (the officials' ticket, its number)."""
    declined = await _say(api, DECLINED, n - 1)
    assert "ho:send" in buttons(declined)
    sent = await _press(api, "ho:send", n)
    [ticket] = await api.wait_for("sendMessage", 1, chat_id=OFFICIALS)
    number = TICKET.search(sent.params["text"])[1]
    return ticket, number


def _no_raw_chat_id(path) -> bool:
    """Not in any column of any table, nor anywhere in the file's bytes (free space, the WAL)."""
    return holders(path, {COURIER}) == [] and not in_file(path, COURIER)


async def test_declined_question_to_an_official_and_back(api, app, config, storage, tmp_path):
    storage.db.execute("PRAGMA secure_delete = 0")  # a raw id once written and deleted would stay
    await _say(api, "/region 济宁", 1)
    declined = await _say(api, DECLINED, 2)
    text = declined.params["text"]
    assert "没有把握" in text and "转给工作人员" in text
    assert (
        "手机号、身份证号已隐去" in text
        and "山东省济宁市" in text
        and "不发送你的名字和账号" in text
    )
    sent = await _press(api, "ho:send", 3)
    number = TICKET.search(sent.params["text"])[1]

    # the officials' chat: the masked question, the number, the region, the nearest topic
    [ticket] = await api.wait_for("sendMessage", 1, chat_id=OFFICIALS)
    shown = ticket.params["text"]
    nearest = app.bot_data.assistant.matcher.match(DECLINED).ranked[0][0].title
    assert f"工单 {number}" in plain(shown) and "地区：山东省济宁市" in shown
    assert f"最接近的问题：{nearest}" in shown and "理赔员一直不接电话" in shown
    assert "13812345678" not in shown and "###########" in shown
    for personal in (str(COURIER), "王小明", "wangxm"):
        assert personal not in shown

    # a member who is not an admin replies first: ignored; then the admin's reply is relayed
    _reply_to(api, ticket, "别理他", OTHER)
    _reply_to(api, ticket, "请带上身份证去济宁市人社局窗口咨询。", ADMIN)
    relayed = (await api.wait_for("sendMessage", 4, chat_id=COURIER))[-1]
    assert relayed.params["text"].startswith(f"<b>人工回复（工单 {number}）</b>")
    assert "请带上身份证去济宁市人社局窗口咨询。" in relayed.params["text"]
    assert all("别理他" not in c.params["text"] for c in api.sent("sendMessage", COURIER))
    [answer_back] = [b for b in buttons(relayed) if b.startswith("ho:re:")]
    confirmed = (await api.wait_for("sendMessage", 2, chat_id=OFFICIALS))[-1]
    assert f"已转给快递员（工单 {number}）" in confirmed.params["text"]
    assert storage.db.table("handoff_chats").count == 1  # the link the relay used: sealed
    assert _no_raw_chat_id(config.database)

    # the courier answers back once: posted as a reply to the ticket, masked; the ticket closes
    prompt = await _press(api, answer_back, 5)
    assert "只能回复一次" in prompt.params["text"]
    done = await _say(api, "好的谢谢，我电话13812345678", 6)
    assert f"工单 <b>{number}</b> 到这里结束" in done.params["text"]
    back = (await api.wait_for("sendMessage", 3, chat_id=OFFICIALS))[-1]
    assert "好的谢谢" in back.params["text"] and "13812345678" not in back.params["text"]
    replying = json.loads(back.params["reply_parameters"])
    assert replying["message_id"] == ticket.result["message_id"]
    # a second answer back is a question again, not posted
    await _say(api, "还有一个问题", 7)
    assert len(api.sent("sendMessage", OFFICIALS)) == 3

    [row] = storage.db.table("handoff_tickets").rows
    assert row["status"] == "closed" and row["ticket"] == number and row["region"] == "济宁"
    assert storage.db.table("handoff_chats").count == 0  # the courier's chat id is gone
    assert _no_raw_chat_id(config.database)

    # `courier-bot faq gaps`: the official's answer as a draft FAQ entry for curators
    cfg = tmp_path / "cli.toml"
    cfg.write_text(f'[storage]\ndatabase = "{config.database}"\n', encoding="utf-8")
    result = run_cli("faq", "gaps", config=cfg)
    assert result.returncode == 0, result.stderr
    assert "发布前必须" in result.stdout and "cites" in result.stdout
    drafts = result.stdout.split("# ---- 人工答复过的问题", 1)[1].split("\n", 1)[1]
    draft = tomllib.loads(drafts)
    [entry] = draft["entry"]
    assert entry["questions"] == [row["question"]] and "###########" in entry["questions"][0]
    assert entry["answer"].strip() == "请带上身份证去济宁市人社局窗口咨询。"
    assert entry["region"] == "济宁"
    assert entry["cites"] == [] and entry["id"] == f"draft.{number.lower()}"


async def test_unanswered_after_two_working_days_points_to_12333(api, app, storage, monkeypatch):
    now = {"at": _at("2026-09-30T10:00:00+08:00")}  # the day before the National Day holiday
    monkeypatch.setattr(handoff_handlers, "clock", lambda: now["at"])
    ticket, number = await _open_ticket(api)
    [job] = app.job_queue.get_jobs_by_name(handoff_handlers.SWEEP)

    now["at"] = _at("2026-10-09T18:00:00+08:00")  # 10-08 and 10-09 are the 2 working days
    await job.run(app)
    assert len(api.sent("sendMessage", COURIER)) == 2

    now["at"] = _at("2026-10-10T09:00:00+08:00")  # a Saturday worked in place of a holiday
    await job.run(app)
    notice = (await api.wait_for("sendMessage", 3, chat_id=COURIER))[-1]
    text = notice.params["text"]
    assert number in text and "2个工作日" in text
    assert "拨打人社服务热线 <b>12333</b>、到当地人社局（人力资源和社会保障局）咨询" in text
    await job.run(app)  # told once
    assert len(api.sent("sendMessage", COURIER)) == 3

    # an answer is still relayed until the ticket closes; after close_after_days it is not
    now["at"] = _at("2026-10-15T09:00:00+08:00")
    await job.run(app)
    [row] = storage.db.table("handoff_tickets").rows
    assert row["status"] == "expired" and storage.db.table("handoff_chats").count == 0
    _reply_to(api, ticket, "抱歉回复晚了", ADMIN)
    refused = (await api.wait_for("sendMessage", 2, chat_id=OFFICIALS))[-1]
    assert "已经结束" in refused.params["text"]
    assert len(api.sent("sendMessage", COURIER)) == 3


async def test_without_handoff_no_button_and_today_human_reply(telegram, storage):
    telegram.message(DECLINED)
    [declined] = await telegram.wait_for("sendMessage")
    assert not any(b.startswith("ho:") for b in buttons(declined))
    assert "转给工作人员" not in declined.params["text"]
    telegram.message("转人工")
    human = (await telegram.wait_for("sendMessage", 2))[-1]
    assert "这里没有人工客服" in human.params["text"]
    hotline = render("unknown", suggestions=[], confirm=False, guide=None).split("或者")[-1]
    assert hotline.rstrip("。") in human.params["text"]  # the one 12333 wording (_hotline.j2)
    telegram.callback("ho:send")  # an old button, or a forged one
    stale = (await telegram.wait_for("sendMessage", 3))[-1]
    assert "按钮已经失效" in stale.params["text"]
    assert storage.db.table("handoff_tickets").count == 0


async def test_human_offers_the_latest_question_or_asks_for_one(api, app):
    first = await _say(api, "转人工", 1)
    assert "请先把你的问题" in first.params["text"] and not buttons(first)
    await _say(api, DECLINED, 2)
    offer = await _say(api, "转人工", 3)
    assert (
        "理赔员一直不接电话" in offer.params["text"] and "13812345678" not in offer.params["text"]
    )
    assert buttons(offer) == ["ho:send"]
    await _press(api, "ho:send", 4)
    await api.wait_for("sendMessage", 1, chat_id=OFFICIALS)
    again = await _press(api, "ho:send", 5)  # pressed twice: one ticket
    assert "过期" in again.params["text"] and len(api.sent("sendMessage", OFFICIALS)) == 1


async def test_groups_are_never_offered_handoff_and_nothing_is_stored(api, app, storage):
    group = -100200
    for text in (f"@courier_test_bot {DECLINED}", "@courier_test_bot 转人工"):
        api.message(text, chat_id=group, user_id=COURIER, chat_type="group")
    declined, human = await api.wait_for("sendMessage", 2, chat_id=group)
    assert not any(b.startswith(("ho:", "fb:")) for b in buttons(declined))
    assert "转给工作人员" not in declined.params["text"]
    assert "这里没有人工客服" in human.params["text"]
    api.callback("ho:send", chat_id=group, user_id=COURIER, chat_type="group")
    await api.wait_for("answerCallbackQuery")
    api.message("/help", chat_id=group, user_id=COURIER, chat_type="group")
    await api.wait_for("sendMessage", 3, chat_id=group)  # the press was handled before this
    assert api.sent("sendMessage", OFFICIALS) == []
    assert storage.db.table("handoff_tickets").count == 0 and storage.db.table("gaps").count == 0


def test_console_prints_the_ticket_and_sends_nothing(handoff_config, storage, kb):
    out = io.StringIO()
    console = Console(Assistant(handoff_config, storage, kb), out)
    console.show(console.handle(DECLINED))
    number = 1 + [d for _, d in console.buttons].index("ho:send")
    console.show(console.handle(str(number)))
    printed = out.getvalue().split("转给工作人员")[-1]
    assert "终端里没有工作人员群" in printed and TICKET.search(printed)
    assert "理赔员一直不接电话" in printed and "###########" in printed
    assert "13812345678" not in printed
    assert storage.db.table("handoff_tickets").count == 0


def test_ticket_numbers_are_unique_and_unambiguous(storage):
    assert not set("0O1IL") & set(ALPHABET)
    draws = iter("AAAAAA" + "AAAAAA" + "BBBBBB")  # the second ticket first draws a taken number
    tickets = Tickets(storage.db, "salt", pick=lambda _alphabet: next(draws))
    at = _at("2026-11-02T09:00:00+08:00")
    first = tickets.create(Question("问题一", None, None), 1, at)
    second = tickets.create(Question("问题二", None, None), 2, at)
    assert (first["ticket"], second["ticket"]) == ("AAAAAA", "BBBBBB")
    assert first["created_at"] == stamp(at) == "2026-11-02T01:00:00+00:00"  # stored in UTC
    assert list(draws) == []  # exactly the draws needed: one retry
    tickets = Tickets(storage.db, "salt")
    numbers = {tickets.create(Question("问", None, None), 3, at)["ticket"] for _ in range(50)}
    assert len(numbers) == 50 and all(re.fullmatch(f"[{ALPHABET}]{{6}}", n) for n in numbers)


@pytest.mark.parametrize("data", ["ho:re:abc", "ho:re:²", "ho:re:" + "9" * 30, "ho:", "ho:nope"])
async def test_forged_handoff_buttons_get_the_stale_reply(api, app, data):
    reply = await _press(api, data, 1)
    assert "按钮已经失效" in reply.params["text"]


async def test_answer_back_only_for_an_answered_ticket_of_this_chat(api, app, storage):
    ticket, _number = await _open_ticket(api)
    [row] = storage.db.table("handoff_tickets").rows
    early = await _press(api, f"ho:re:{row['id']}", 3)  # not answered yet
    assert "已经结束" in early.params["text"]
    _reply_to(api, ticket, "请打12333问问。", ADMIN)
    await api.wait_for("sendMessage", 4, chat_id=COURIER)
    api.callback(f"ho:re:{row['id']}", chat_id=555, user_id=555)  # another courier's chat
    [other] = await api.wait_for("sendMessage", 1, chat_id=555)
    assert "已经结束" in other.params["text"]
    await _say(api, "上班路上骑电动车被车撞了算工伤吗", 5)  # without the button: a question
    assert len(api.sent("sendMessage", OFFICIALS)) == 2  # the ticket and "已转给快递员"
    assert storage.db.table("handoff_tickets").get(row["id"])["status"] == "answered"


def test_handoff_needs_admins_to_answer(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[handoff]\nchat_id = -100900\n", encoding="utf-8")
    with pytest.raises(config_mod.ConfigError, match="handoff.chat_id needs telegram.admin_ids"):
        config_mod.load(path)
    path.write_text("[telegram]\nadmin_ids = [7001]\n[handoff]\nchat_id = -100900\n", "utf-8")
    assert config_mod.load(path).handoff_chat_id == -100900
    path.write_text("[handoff]\nchat_id = 0\n", encoding="utf-8")  # 0: off
    assert config_mod.load(path).handoff_chat_id is None


async def test_out_of_scope_question_is_offered_on_human(api, app):
    """The decline says where to ask and offers nothing; 转人工 right after passes that question."""
    declined = await _say(api, OUT_OF_SCOPE, 1)
    assert "这个我答不了" in declined.params["text"] and "ho:send" not in buttons(declined)
    offer = await _say(api, "转人工", 2)
    assert "我的养老保险怎么交" in offer.params["text"] and buttons(offer) == ["ho:send"]
    assert "请先把你的问题" not in offer.params["text"]
    await _press(api, "ho:send", 3)
    [ticket] = await api.wait_for("sendMessage", 1, chat_id=OFFICIALS)
    shown = ticket.params["text"]
    assert "我的养老保险怎么交" in shown and "13812345678" not in shown
    assert "最接近的问题：（没有相近的）" in shown  # no FAQ topic is near a question outside it


async def test_forgetme_cuts_the_tickets_off_the_courier(api, app, storage):
    ticket, number = await _open_ticket(api)
    await _say(api, DECLINED, 3)  # a second question, held for 转人工
    await _say(api, "/forgetme", 4)
    done = await _press(api, "forget:yes", 5)
    assert "工单结束了" in done.params["text"] and "没有你的记录" not in done.params["text"]
    assert storage.db.table("handoff_chats").count == 0  # no chat id tied to a ticket
    [row] = storage.db.table("handoff_tickets").rows
    assert row["status"] == "closed" and row["closed_at"]
    human = await _say(api, "转人工", 6)  # the held question is gone too
    assert "请先把你的问题" in human.params["text"] and not buttons(human)
    _reply_to(api, ticket, "请带上身份证去人社局窗口咨询。", ADMIN)
    refused = (await api.wait_for("sendMessage", 2, chat_id=OFFICIALS))[-1]
    assert "已经结束" in refused.params["text"] and number in refused.params["text"]
    assert len(api.sent("sendMessage", COURIER)) == 6  # nothing relayed


async def test_sweep_survives_one_tickets_failure_and_still_closes_old_ones(
    api, app, storage, monkeypatch
):
    """A failure that is not Telegram's (here a locked database) on one ticket: the next ticket
    still gets its notice, and tickets past close_after_days still close."""
    tickets = app.bot_data.assistant.handoff.tickets
    old = tickets.create(
        Question("很久以前的问题", None, None), 555, _at("2026-09-01T10:00:00+08:00")
    )
    late = tickets.create(
        Question("前天的问题", None, None), COURIER, _at("2026-10-20T10:00:00+08:00")
    )
    real = tickets.chat_of

    def chat_of(ticket_id: int) -> int | None:
        if ticket_id == old["id"]:
            raise sqlite3.OperationalError("database is locked")
        return real(ticket_id)

    monkeypatch.setattr(tickets, "chat_of", chat_of)
    monkeypatch.setattr(handoff_handlers, "clock", lambda: _at("2026-10-23T10:00:00+08:00"))
    [job] = app.job_queue.get_jobs_by_name(handoff_handlers.SWEEP)
    await job.run(app)
    [notice] = await api.wait_for("sendMessage", 1, chat_id=COURIER)
    assert late["ticket"] in notice.params["text"]
    assert tickets.get(late["id"])["overdue_notified_at"] is not None
    assert tickets.get(old["id"])["status"] == "expired"
    assert real(old["id"]) is None and real(late["id"]) == COURIER


async def test_a_chat_sealed_under_another_salt_gets_no_reply_and_nothing_breaks(
    api, handoff_config, storage, kb, monkeypatch, caplog
):
    """The salt changed after the ticket was opened: the official is told the reply did not
    reach the courier, the overdue notice is skipped, each with a log line; the link is kept,
    and with the salt put back the reply goes out."""
    caplog.set_level(logging.WARNING, logger="handlers.handoff")
    now = {"at": _at("2026-10-20T10:00:00+08:00")}
    monkeypatch.setattr(handoff_handlers, "clock", lambda: now["at"])
    app = await launch(api, handoff_config, Assistant(handoff_config, storage, kb))
    try:
        ticket, number = await _open_ticket(api)
    finally:
        await halt(app)

    app = await launch(api, dataclasses.replace(handoff_config, user_salt="another salt"))
    try:
        _reply_to(api, ticket, "请带上身份证去人社局窗口咨询。", ADMIN)
        said = (await api.wait_for("sendMessage", 2, chat_id=OFFICIALS))[-1]
        assert f"工单 {number}：快递员收不到消息" in said.params["text"]
        assert "sealed under another user_salt: reply not relayed" in caplog.text
        now["at"] = _at("2026-10-23T10:00:00+08:00")  # two working days unanswered
        [job] = app.job_queue.get_jobs_by_name(handoff_handlers.SWEEP)
        await job.run(app)
        assert "sealed under another user_salt: no overdue notice" in caplog.text
        tickets = app.bot_data.assistant.handoff.tickets
        [row] = tickets.db.table("handoff_tickets").rows
        assert row["status"] == "open" and tickets.db.table("handoff_chats").count == 1
    finally:
        await halt(app)
    assert len(api.sent("sendMessage", COURIER)) == 2  # the offer and the ticket's number

    app = await launch(api, handoff_config)  # the right salt again
    try:
        _reply_to(api, ticket, "请带上身份证去人社局窗口咨询。", ADMIN)
        relayed = (await api.wait_for("sendMessage", 3, chat_id=COURIER))[-1]
        assert f"人工回复（工单 {number}）" in relayed.params["text"]
    finally:
        await halt(app)


def test_a_ticket_whose_entry_title_cannot_be_kept_is_not_kept(storage, kb):
    """The closest entry's title is written with the ticket: if that write fails, no ticket
    stays behind that the officials' chat never saw, and the failure is not mistaken for a
    taken ticket number (drawn again and again). A trigger stands in for the failing write."""
    entry = kb.by_id().get("national.apply.who_when")
    assert entry is not None
    tickets = Tickets(storage.db, "salt", entry=lambda _id: entry)
    question = Question("我想问个事", None, entry.id)
    at = _at("2026-11-02T09:00:00+08:00")
    storage.db.execute(
        "create trigger fail_title before insert on faq_entries begin"
        " select raise(abort, 'disk failed'); end"
    )
    with pytest.raises(sqlite3.IntegrityError, match="disk failed"):
        tickets.create(question, 1, at)
    storage.db.execute("drop trigger fail_title")
    assert storage.db.table("handoff_tickets").count == 0
    assert storage.db.table("handoff_chats").count == 0
    tickets.create(question, 1, at)  # the write works again: ticket and title, together
    assert storage.db.table("handoff_tickets").count == 1
    assert storage.db.table("faq_entries").get(entry.id)["title"] == entry.title


def test_an_answer_back_that_fails_to_close_is_not_kept(storage):
    """The courier's answer back and the ticket's closing are one write: if closing fails, the
    answer back is not kept either, and the courier can still send it once."""
    tickets = Tickets(storage.db, "salt")
    at = _at("2026-11-02T09:00:00+08:00")
    ticket = tickets.create(Question("问", None, None), 1, at)
    assert tickets.answer(ticket["id"], "请打12333", at)
    storage.db.execute(
        "create trigger fail_close before delete on handoff_chats begin"
        " select raise(abort, 'disk failed'); end"
    )
    with pytest.raises(sqlite3.IntegrityError):
        tickets.answer_back(ticket["id"], 1, "第一次", at)
    row = tickets.get(ticket["id"])
    assert (row["status"], row["followup"]) == ("answered", None)
    storage.db.execute("drop trigger fail_close")
    assert tickets.answer_back(ticket["id"], 1, "第二次", at)["followup"] == "第二次"
    assert tickets.answer_back(ticket["id"], 1, "第三次", at) is None  # once only
