"""One flow at a time (issue 10, walkthrough H3 and M5): the outlet prompt waits for the next text
only; starting a guide, pressing another button, a command or a question ends it, and only real
outlet names are logged as lookups (the prompt lives in the persisted user_data). A guide answers
questions typed mid-way, lets commands through (then waits: 继续？), and ends after 30 idle
minutes."""

import io

from bot.console import Console
from bot.guides.flow import CANCEL, RESUME
from bot.reply import MENU
from bot.text import looks_like_question
from handlers.guide import IDLE, SESSION
from tests.support.telegram import buttons, halt, launch, step


def _lookups(storage) -> int:
    return storage.db.table("lookups").count


async def test_h3_a_guide_started_after_the_outlet_prompt_gets_its_date(telegram, storage):
    api = telegram
    assert "网点" in (await step(api, 1, MENU + "outlet")).params["text"]
    await step(api, 2, MENU + "injury_guide")
    date_step = await step(api, 3, "g:what:at_work")
    assert "哪天" in date_step.params["text"]
    after = await step(api, 4, "昨天")
    assert "名单" not in after.params["text"] and "第" in after.params["text"]
    assert _lookups(storage) == 0  # officials' /stats is not fed the courier's dates


async def test_h3_a_question_after_the_outlet_prompt_is_answered_and_not_logged(telegram, storage):
    api = telegram
    await step(api, 1, MENU + "outlet")
    answer = await step(api, 2, "上班路上被车撞了算工伤吗")
    assert "没有在已导入的名单里找到" not in answer.params["text"]
    assert "工伤" in answer.params["text"]
    assert _lookups(storage) == 0


async def test_the_outlet_prompt_still_takes_a_name_and_only_once(telegram, storage):
    api = telegram
    await step(api, 1, "/outlet")
    found = await step(api, 2, "中通")
    assert "网点" in found.params["text"]
    assert _lookups(storage) == 1
    await step(api, 3, "中通")  # the prompt was used up: a plain text is a question again
    assert _lookups(storage) == 1


async def test_a_command_drops_the_outlet_prompt(telegram, storage):
    api = telegram
    await step(api, 1, MENU + "outlet")
    await step(api, 2, "/help")
    await step(api, 3, "中通")
    assert _lookups(storage) == 0


def test_h3_in_the_console_the_prompt_takes_a_name_but_not_a_question(assistant, storage):
    console = Console(assistant, out=io.StringIO())
    console.handle("/outlet")
    assert "没有在已导入的名单里找到" not in console.handle("上班路上被车撞了算工伤吗").text
    assert _lookups(storage) == 0
    console.handle("/outlet")
    console.handle("中通")
    assert _lookups(storage) == 1


async def test_m5_a_question_mid_guide_is_answered_and_the_guide_stays(telegram):
    api = telegram
    await step(api, 1, "/injury")
    answer = await step(api, 2, "网点不给报工伤咋办")
    text = answer.params["text"]
    assert "依据" in text and "你还在「工伤认定指引」第1步" in text
    date_step = await step(api, 3, "g:what:at_work")  # the guide goes on from where it was
    assert "哪天" in date_step.params["text"]


async def test_m5_help_mid_guide_is_answered_in_one_message_and_the_guide_waits(telegram):
    api = telegram
    await step(api, 1, "/injury")
    helped = await step(api, 2, "/help")
    assert "怎么用" in helped.params["text"] and "停在第1步" in helped.params["text"]
    assert buttons(helped)[-2:] == [RESUME, CANCEL]
    question = await step(api, 3, "工伤保险谁交钱")  # waiting: a text is a question
    assert "依据" in question.params["text"] and "第1步" not in question.params["text"]
    resumed = await step(api, 4, RESUME)
    assert "第1步" in resumed.params["text"]


async def test_m5_a_guide_left_for_more_than_half_an_hour_is_over(api, config, assistant):
    app = await launch(api, config, assistant)
    try:
        await step(api, 1, "/injury")
        session = app.user_data[42][SESSION]
        session["at"] -= IDLE + 60  # as if the courier had left it an hour ago
        answer = await step(api, 2, "工伤保险谁交钱")
        assert "超过30分钟没有继续" in answer.params["text"]
        assert "依据" in answer.params["text"]
        assert SESSION not in app.user_data[42]
    finally:
        await halt(app)


def test_looks_like_question():
    assert looks_like_question("上班路上被车撞了算工伤吗")
    assert looks_like_question("网点不给报工伤咋办")
    assert not looks_like_question("中通快递济宁任城区营业部")
    assert not looks_like_question("2026年11月20日")


def test_m5_in_the_console_help_and_questions_work_mid_guide(assistant):
    console = Console(assistant, out=io.StringIO())
    console.handle("/injury")
    helped = console.handle("/help")
    assert "怎么用" in helped.text and "停在第1步" in helped.text
    answered = console.handle("网点不给报工伤咋办")
    assert "依据" in answered.text and "第1步" in answered.text
    assert "哪天" in console.press("g:what:at_work").text  # step 1 is still the guide's step


async def test_an_outlet_name_with_a_question_word_is_still_looked_up(telegram, storage):
    await step(telegram, 1, "/outlet")
    await step(telegram, 2, "中通城西网点交了吗")
    assert _lookups(storage) == 1


async def test_typing_continue_resumes_a_paused_guide(telegram):
    await step(telegram, 1, "/injury")
    await step(telegram, 2, "/help")
    resumed = await step(telegram, 3, "继续")
    assert "第1步" in resumed.params["text"]


def test_raw_updates_never_reach_the_log():
    import logging

    from handlers.polling import WithholdUpdateContent

    record = logging.LogRecord(
        "telegram.Bot",
        logging.CRITICAL,
        "",
        0,
        "Error while parsing updates! Received data was %r",
        ([{"message": {"text": "我的手机13912345678"}}],),
        None,
    )
    WithholdUpdateContent().filter(record)
    assert "1391234" not in record.getMessage() and "withheld" in record.getMessage()


async def test_l1_back_and_cancel_without_a_guide_say_so(telegram):
    for n, command in enumerate(("/back", "/cancel"), 1):
        reply = await step(telegram, n, command)
        assert "现在没有进行中的指引" in reply.params["text"]


async def test_l1_back_at_the_first_step_says_so(telegram):
    await step(telegram, 1, "/injury")
    reply = await step(telegram, 2, "/back")
    assert "已经是第一步了" in reply.params["text"] and "第1步" in reply.params["text"]


async def test_m3_long_labels_get_a_row_of_their_own(telegram):
    reply = await step(telegram, 1, "/injury")
    import json

    rows = json.loads(reply.params["reply_markup"])["inline_keyboard"]
    for row in rows:
        if len(row) > 1:
            assert all(len(b["text"]) <= 9 for b in row)
    assert any(len(row) == 1 and len(row[0]["text"]) > 9 for row in rows)


async def test_l5_the_ask_menu_says_how_to_ask(telegram):
    reply = await step(telegram, 1, MENU + "qa")
    assert "请直接打字提问" in reply.params["text"] and "/forgetme" not in reply.params["text"]


def test_l4_the_welcome_keeps_its_paragraphs():
    from bot.render import render

    for region in (None, "济宁"):
        text = render("welcome", region=region)
        assert "按钮。\n\n" in text and "\n\n我不是政府部门" in text


async def test_l7_a_photo_caption_is_answered_and_a_voice_message_gets_a_hint(telegram):
    photo = [{"file_id": "ph1", "file_unique_id": "ph1u", "width": 90, "height": 90}]
    telegram.message(None, photo=photo, caption="送件路上摔伤了，这是我的诊断书，算工伤吗")
    [answer] = await telegram.wait_for("sendMessage")
    assert "只看得懂文字" not in answer.params["text"] and "工伤" in answer.params["text"]
    voice = {"file_id": "v1", "file_unique_id": "v1u", "duration": 3}
    telegram.message(None, voice=voice)
    calls = await telegram.wait_for("sendMessage", count=2)
    assert "语音转文字" in calls[-1].params["text"]


async def test_l11_starting_a_guide_again_asks_before_throwing_answers_away(telegram):
    from bot.guides.flow import RESTART

    await step(telegram, 1, "/injury")
    await step(telegram, 2, "g:what:at_work")
    offer = await step(telegram, 3, "/injury")
    assert "还停在第2步" in offer.params["text"]
    assert buttons(offer) == [RESUME, RESTART + "injury"]
    resumed = await step(telegram, 4, RESUME)
    assert "第2步" in resumed.params["text"]
    await step(telegram, 5, "/injury")
    again = await step(telegram, 6, RESTART + "injury")
    assert "第1步" in again.params["text"]


def test_l16_the_guide_region_is_kept_for_a_courier_without_one(assistant, storage):
    assert assistant.adopt_region("u1", "全国") is None  # national rules: nothing to keep
    note = assistant.adopt_region("u1", "广西")
    assert note is not None and "广西" in note and storage.region("u1") == "广西"
    assert assistant.adopt_region("u1", "吉林") is None  # a region the courier set stays
    assert storage.region("u1") == "广西"


def test_l16_the_guide_region_step_offers_no_national_place(assistant):
    from bot.guides.engine import Engine, load_guides
    from bot.guides.flow import GuideFlow

    flow = GuideFlow(Engine(load_guides(assistant.config.faq_dir)))
    _, session = flow.start("injury")
    session["step"] = "region"
    labels = [label for label, _ in flow.resume(session).buttons]
    assert "其他地区" in labels and "全国" not in labels


def test_m5_in_the_console_typing_continue_resumes(assistant):
    console = Console(assistant, out=io.StringIO())
    console.handle("/injury")
    console.press("g:what:at_work")
    console.handle("/help")
    resumed = console.handle("继续")
    assert "第2步" in resumed.text and "没看懂" not in resumed.text
