"""The guides in Telegram end to end: buttons, typed dates, the document upload, a restart mid-guide,
and reminders that fire once and survive a restart."""

import asyncio
from datetime import UTC, datetime, timedelta

from bot import dates
from bot.guides.flow import CANCEL, RESUME
from bot.guides.reminders import Reminders
from bot.storage.database import Storage, user_key
from tests.support.telegram import buttons, halt, launch, step


async def test_injury_guide_end_to_end_with_document_and_reminders(telegram, config):
    api = telegram
    first = await step(api, 1, "menu:injury_guide")
    assert "第1步" in first.params["text"] and "g:what:commute" in buttons(first)
    await step(api, 2, "g:what:commute")
    bad = await step(api, 3, "2099-01-01")
    assert "这个日期还没到" in bad.params["text"]
    accident = dates.today() - timedelta(days=3)
    await step(api, 4, accident.isoformat())
    await step(api, 5, "g:fault:minor")
    await step(api, 6, "g:exclusion:no")
    await step(api, 7, "g:employer_applied:no")
    await step(api, 8, "g:insured:unknown")
    await step(api, 9, "g:outlet_kind:licensed")
    api.callback("g:region:济宁")
    replies = await api.wait_for("sendMessage", 11)
    result, offer = replies[9], replies[10]
    assert "第十四条第（六）项" in result.params["text"]
    assert "还剩27天" in result.params["text"]
    [doc] = await api.wait_for("sendDocument")
    name, content = doc.files["document"]
    assert name.endswith(".html") and "工伤认定申请清单" in content.decode("utf-8")
    add, _ = buttons(offer)
    assert add.startswith("rem:add:") and "北京时间09:00" in offer.params["text"]
    done = await step(api, 12, add)
    assert "已经设好4个提醒" in done.params["text"]
    listing = await step(api, 13, "/reminders")
    cancel = [b for b in buttons(listing) if b.startswith("rem:cancel:")]
    assert len(cancel) == 4
    cancelled = await step(api, 14, cancel[0])
    assert "已取消" in cancelled.params["text"] and "你还有3个提醒" in cancelled.params["text"]
    again = await step(api, 15, cancel[0])
    assert "之前已经取消了" in again.params["text"]
    assert len(Reminders(Storage(config.database), config.user_salt).pending()) == 3


async def test_cancel_back_and_busy_inside_a_guide(telegram):
    api = telegram
    await step(api, 1, "/assess")
    await step(api, 2, "g:decision:yes")
    back = await step(api, 3, "/back")
    assert "《工伤认定决定书》" in back.params["text"]
    sticker_reply = (api.sticker(), await api.wait_for("sendMessage", 4))[1][-1]
    assert "/cancel" in sticker_reply.params["text"] and "第1步" in sticker_reply.params["text"]
    # A command mid-guide is answered as anywhere else (M5); then the guide waits.
    region = await step(api, 5, "/region 济宁")
    assert "济宁" in region.params["text"] and "第1步" in region.params["text"]
    assert buttons(region) == [RESUME, CANCEL]
    answer = await step(api, 6, "派件途中摔伤算工伤吗")  # paused: a text is a question
    assert "依据" in answer.params["text"]
    again = await step(api, 7, RESUME)
    assert "第1步" in again.params["text"]
    bye = await step(api, 8, "/cancel")
    assert "已退出劳动能力鉴定指引" in bye.params["text"]
    stale = await step(api, 9, "g:stage:applied")
    assert "按钮已经失效" in stale.params["text"]


async def test_restart_mid_guide_continues_where_the_courier_was(api, config, assistant):
    app = await launch(api, config, assistant)
    await step(api, 1, "/injury")
    await step(api, 2, "g:what:errand")
    await halt(app)
    app = await launch(api, config)  # as a fresh process would: nothing shared
    try:
        after = await step(api, 3, (dates.today() - timedelta(days=1)).isoformat())
        assert "再确认一项法律规定的例外" in after.params["text"]
    finally:
        await halt(app)


async def test_due_reminder_fires_once_and_survives_restart(api, config):
    storage = Storage(config.database)
    reminders = Reminders(storage, config.user_salt)
    last = dates.today() + timedelta(days=8)
    # Planned a week ago, while the bot was down when it fell due: time injected, no sleeping.
    reminders.plan(
        [dates.Deadline("self_apply", last, dates.today())],
        chat_id=77,
        user_key=user_key(config.user_salt, "telegram", 77),
        moment=datetime.now(UTC) - timedelta(days=7),
    )
    [row] = [r for r in reminders.pending() if r["days_before"] == 7]
    storage.db.execute(
        "update reminders set due_at = ? where id = ?",
        [(datetime.now(UTC) - timedelta(hours=1)).isoformat(), row["id"]],
    )
    storage.db.conn.commit()
    app = await launch(api, config)
    try:
        [sent] = await api.wait_for("sendMessage", chat_id=77)
        assert (
            "提醒" in sent.params["text"] and f"{last.month}月{last.day}日" in sent.params["text"]
        )
    finally:
        await halt(app)
    app = await launch(api, config)  # restart: the sent one must not fire again
    try:
        api.message("/reminders", chat_id=77, user_id=77)
        listing = (await api.wait_for("sendMessage", 2, chat_id=77))[-1]
        assert len(api.sent("sendMessage", chat_id=77)) == 2
        assert len([b for b in buttons(listing) if b.startswith("rem:cancel:")]) == 1
    finally:
        await halt(app)


async def test_forgetme_removes_state_reminders_and_region(telegram, config):
    api = telegram
    await step(api, 1, "/region 济宁")
    await step(api, 2, "/injury")
    for n, action in enumerate(
        [
            "g:what:at_work",
            (dates.today() - timedelta(days=2)).isoformat(),
            "g:exclusion:no",
            "g:employer_applied:no",
            "g:insured:yes",
            "g:outlet_kind:licensed",
        ],
        3,
    ):
        await step(api, n, action)
    api.callback("g:region:济宁")
    await api.wait_for("sendMessage", 10)
    await step(api, 11, "rem:add")
    storage = Storage(config.database)
    key = user_key(config.user_salt, "telegram", 42)
    assert Reminders(storage, config.user_salt).pending(key) and storage.region(key) == "济宁"
    await step(api, 12, "/injury")  # a guide in progress, too
    await step(api, 13, "/forgetme")  # asks first (M14)
    bye = await step(api, 14, "forget:yes")
    assert "已经删掉" in bye.params["text"] and "4个提醒" in bye.params["text"]
    fresh = Storage(config.database)
    assert not Reminders(fresh, config.user_salt).pending(key) and fresh.region(key) is None
    for _ in range(50):  # user data is written just after the reply has gone out
        if not list(fresh.db["ptb_user_data"].rows):
            break
        await asyncio.sleep(0.02)
    assert not list(fresh.db["ptb_user_data"].rows)
    after = await step(api, 15, "派件途中摔伤算工伤吗")  # a question again, not guide input
    assert "依据" in after.params["text"]
