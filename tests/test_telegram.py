"""The Telegram channel end to end: real Application, real HTTP, fake Bot API server."""

import json

from bot.reply import FAQ


def _markup(call) -> dict:
    return json.loads(call.params.get("reply_markup") or "{}")


def _button_data(call) -> list[str]:
    return [b["callback_data"] for row in _markup(call).get("inline_keyboard", []) for b in row]


async def test_commands_are_registered_on_start(telegram):
    calls = await telegram.wait_for("setMyCommands")
    names = [c["command"] for c in json.loads(calls[0].params["commands"])]
    assert {"start", "help", "region"} <= set(names)


async def test_start_shows_welcome_and_menu(telegram):
    telegram.message("/start")
    [reply] = await telegram.wait_for("sendMessage")
    assert "快递员工伤保险助手" in reply.params["text"]
    assert reply.params["parse_mode"] == "HTML"
    assert "menu:injury_guide" in _button_data(reply)


async def test_question_gets_sourced_answer_with_related_buttons(telegram):
    telegram.message("上班路上骑电动车被车撞了算工伤吗")
    [reply] = await telegram.wait_for("sendMessage")
    text = reply.params["text"]
    assert "第十四条" in text and "适用地区" in text and "依据" in text
    assert any(d.startswith(FAQ) for d in _button_data(reply))


async def test_button_press_answers_that_topic(telegram):
    telegram.message("派件途中摔伤算工伤吗")
    [first] = await telegram.wait_for("sendMessage")
    data = next(d for d in _button_data(first) if d.startswith(FAQ))
    telegram.callback(data)
    await telegram.wait_for("answerCallbackQuery")
    replies = await telegram.wait_for("sendMessage", 2)
    assert "依据" in replies[1].params["text"]
    assert replies[1].params["text"] != first.params["text"]


async def test_forged_callback_data_gets_clear_reply(telegram):
    telegram.callback("faq:../../etc/passwd")
    [reply] = await telegram.wait_for("sendMessage")
    assert "按钮已经失效" in reply.params["text"]


async def test_sticker_and_photo_get_asked_for_text(telegram):
    telegram.sticker()
    telegram.photo(chat_id=43, user_id=43)
    replies = await telegram.wait_for("sendMessage", 2)
    assert all("文字" in r.params["text"] for r in replies)


async def test_oversized_message_is_declined_politely(telegram):
    telegram.message("工伤" * 3000)
    [reply] = await telegram.wait_for("sendMessage")
    assert "消息有点长" in reply.params["text"]


async def test_region_command_is_remembered(telegram):
    telegram.message("/region 济宁")
    [reply] = await telegram.wait_for("sendMessage")
    assert "山东省济宁市" in reply.params["text"]
    telegram.message("网点的工伤保险费率是多少")
    replies = await telegram.wait_for("sendMessage", 2)
    assert "济宁" in replies[1].params["text"] and "0.4%" in replies[1].params["text"]


async def test_out_of_scope_question_is_refused(telegram):
    telegram.message("今天天气怎么样")
    [reply] = await telegram.wait_for("sendMessage")
    assert "12333" in reply.params["text"]
    assert "依据" not in reply.params["text"]
