"""In groups the bot speaks only when spoken to (walkthrough M8): chatter is neither answered nor
stored; a mention or a reply to the bot is answered (and not kept as a gap); guides, outlet
lookups and reminders move to the private chat with a link that starts them there."""

import asyncio

from bench.fakeapi import BOT_USER
from bot.reply import MENU
from bot.storage.database import user_key
from tests.support.telegram import buttons, step

GROUP, MEMBER = -100200, 8002
# One of the bot's own messages in the group, for a member to reply to.
BOT_MESSAGE = {
    "message_id": 1,
    "date": 0,
    "chat": {"id": GROUP, "type": "group"},
    "from": BOT_USER,
    "text": "你好",
}


def _gaps(storage) -> int:
    return storage.db.table("gaps").count


async def _quiet(api, chat: int) -> list:
    await asyncio.sleep(0.5)  # give the bot time to (not) answer
    return api.sent("sendMessage", chat)


def _in_group(api, text: str, **extra) -> None:
    """A member of the group writes `text` there."""
    api.message(text, chat_id=GROUP, user_id=MEMBER, chat_type="group", **extra)


async def test_m8_group_chatter_is_not_answered_or_stored(telegram, storage):
    for text in ("今天好累啊，谁帮我带个饭", "哈哈哈", "上班路上被车撞了算工伤吗"):
        _in_group(telegram, text)
    assert await _quiet(telegram, GROUP) == []
    assert _gaps(storage) == 0


async def test_m8_a_mention_is_answered_and_not_kept_as_a_gap(telegram, storage):
    _in_group(telegram, "@courier_test_bot 上班路上被车撞了算工伤吗")
    [reply] = await telegram.wait_for("sendMessage", chat_id=GROUP)
    assert "依据" in reply.params["text"]
    _in_group(telegram, "@courier_test_bot 哈哈哈")
    await telegram.wait_for("sendMessage", count=2, chat_id=GROUP)
    assert _gaps(storage) == 0


async def test_m8_a_reply_to_the_bot_is_answered(telegram):
    _in_group(telegram, "网点不给报工伤咋办", reply_to_message=BOT_MESSAGE)
    [reply] = await telegram.wait_for("sendMessage", chat_id=GROUP)
    assert "依据" in reply.params["text"]


async def test_m8_guides_and_lookups_move_to_the_private_chat(telegram):
    for n, command in enumerate(("/injury", "/assess", "/outlet 中通", "/reminders"), 1):
        _in_group(telegram, command)
        calls = await telegram.wait_for("sendMessage", count=n, chat_id=GROUP)
        assert "请私聊我" in calls[-1].params["text"]
        assert "https://t.me/courier_test_bot?start=" in calls[-1].params["text"]


async def test_the_private_link_starts_the_guide_there(telegram):
    started = await step(telegram, 1, "/start injury")
    assert "工伤认定指引" in started.params["text"] and "第1步" in started.params["text"]
    outlet = await step(telegram, 2, "/start outlet")
    assert "网点" in outlet.params["text"]


async def test_m8_the_outlet_menu_button_in_a_group_points_to_private(telegram):
    telegram.callback(MENU + "outlet", chat_id=GROUP, user_id=MEMBER, chat_type="group")
    [reply] = await telegram.wait_for("sendMessage", chat_id=GROUP)
    assert "请私聊我" in reply.params["text"]


async def test_an_outlet_question_in_a_group_goes_private_and_is_not_logged(telegram, storage):
    _in_group(telegram, "@courier_test_bot 中通城西网点交工伤保险了吗")
    [reply] = await telegram.wait_for("sendMessage", chat_id=GROUP)
    assert "请私聊我" in reply.params["text"]
    assert storage.db.table("lookups").count == 0


async def test_start_links_typed_in_a_group_point_to_private(telegram):
    _in_group(telegram, "/start reminders")
    [reply] = await telegram.wait_for("sendMessage", chat_id=GROUP)
    assert "请私聊我" in reply.params["text"]


async def test_a_private_prompt_is_not_answered_from_a_group(telegram, storage):
    await step(telegram, 1, "/outlet")  # private chat 42, user 42
    telegram.message(
        "中通", chat_id=GROUP, user_id=42, chat_type="group", reply_to_message=BOT_MESSAGE
    )
    await telegram.wait_for("sendMessage", count=2)
    assert storage.db.table("lookups").count == 0


async def test_an_outlet_question_in_a_groups_photo_caption_goes_private_too(telegram, storage):
    photo = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]
    reply_to = {"reply_to_message": BOT_MESSAGE}
    _in_group(telegram, None, photo=photo, caption="中通城西网点交工伤保险了吗", **reply_to)
    [reply] = await telegram.wait_for("sendMessage", chat_id=GROUP)
    assert "请私聊我" in reply.params["text"]
    assert storage.db.table("lookups").count == 0


async def test_forgetme_in_a_group_points_to_private_and_removes_nothing(telegram, storage, config):
    key = user_key(config.user_salt, "telegram", MEMBER)
    storage.set_region(key, "济宁")
    _in_group(telegram, "/forgetme")
    [reply] = await telegram.wait_for("sendMessage", chat_id=GROUP)
    assert "请私聊我" in reply.params["text"] and "start=forgetme" in reply.params["text"]
    assert storage.region(key) == "济宁"
    telegram.message("/start forgetme", chat_id=MEMBER, user_id=MEMBER)
    [ask] = await telegram.wait_for("sendMessage", chat_id=MEMBER)
    assert buttons(ask) == ["forget:yes", "forget:no"]


async def test_a_mention_in_a_photo_caption_is_answered(telegram):
    photo = [{"file_id": "p2", "file_unique_id": "u2", "width": 90, "height": 90}]
    _in_group(telegram, None, photo=photo, caption="@courier_test_bot 上班路上被车撞了算工伤吗")
    [reply] = await telegram.wait_for("sendMessage", chat_id=GROUP)
    assert "依据" in reply.params["text"]


async def test_in_a_forum_group_the_reply_goes_to_the_topic_asked_in(telegram):
    telegram.message(
        "@courier_test_bot 上班路上被车撞了算工伤吗",
        chat_id=GROUP,
        user_id=MEMBER,
        chat_type="supergroup",
        is_topic_message=True,
        message_thread_id=77,
    )
    [reply] = await telegram.wait_for("sendMessage", chat_id=GROUP)
    assert int(reply.params["message_thread_id"]) == 77 and "依据" in reply.params["text"]


async def test_a_caption_mention_in_any_case_is_taken_off_before_reading(telegram):
    photo = [{"file_id": "p3", "file_unique_id": "u3", "width": 90, "height": 90}]
    _in_group(telegram, None, photo=photo, caption="@Courier_Test_Bot 你好")
    [reply] = await telegram.wait_for("sendMessage", chat_id=GROUP)
    assert "没有把握" not in reply.params["text"]
    assert "menu:qa" in buttons(reply)  # the greeting's menu


async def test_a_forget_yes_pressed_in_a_group_deletes_nothing(telegram, storage, config):
    key = user_key(config.user_salt, "telegram", MEMBER)
    storage.set_region(key, "济宁")
    telegram.callback("forget:yes", chat_id=GROUP, user_id=MEMBER, chat_type="group")
    [reply] = await telegram.wait_for("sendMessage", chat_id=GROUP)
    assert "请私聊我" in reply.params["text"]
    assert storage.region(key) == "济宁"
