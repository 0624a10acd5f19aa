"""One flow at a time (issue 10, walkthrough H3): the outlet prompt waits for the next text only;
starting a guide, pressing another button, a command or a question ends it, and only real outlet
names are logged as lookups. In Telegram the prompt lives in the persisted user_data."""

import io

from bot.console import Console
from bot.reply import MENU
from tests.support.telegram import step


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
