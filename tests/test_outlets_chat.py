"""The outlet lookup, /stats and /premium through the real Application over HTTP (fake Bot API)."""

import dataclasses
import json

from bot.assistant import Assistant
from tests.support.telegram import buttons, halt, launch, step

SOURCE_LINE = "名单来源：示例数据（虚构）（截至2026-10）"


async def test_outlet_and_premium_are_advertised_stats_is_not(telegram):
    calls = await telegram.wait_for("setMyCommands")
    names = {c["command"] for c in json.loads(calls[0].params["commands"])}
    assert {"outlet", "premium"} <= names and "stats" not in names


async def test_outlet_command_finds_the_sample_outlet(telegram):
    reply = await step(telegram, 1, "/outlet 中通 城西 网点")
    text = reply.params["text"]
    assert "<b>中通快递城西网点</b>" in text and reply.params["parse_mode"] == "HTML"
    assert "已参加工伤保险" in text and "2022-05" in text
    assert SOURCE_LINE in text and "不是真实名单" in text
    # fictional data: the warning first, then what the row says, with no ✅/❌ verdict (M10)
    assert text.index("不是真实名单") < text.index("<b>中通快递城西网点</b>")
    assert "✅" not in text and "名单显示" not in text


async def test_menu_prompt_then_name_then_pick(telegram):
    prompt = await step(telegram, 1, "menu:outlet")
    assert "网点的<b>名称</b>" in prompt.params["text"]
    choices = await step(telegram, 2, "城西")  # the answer to the prompt, not an FAQ question
    assert (
        "请点一下你所在的网点" in choices.params["text"] and SOURCE_LINE in choices.params["text"]
    )
    picks = [b for b in buttons(choices) if b.startswith("ol:")]
    assert len(picks) >= 2 and all(len(b.encode()) <= 64 for b in picks)
    shown = await step(telegram, 3, picks[1])
    shown_text = shown.params["text"]
    assert "示例名单里写的是（虚构）" in shown_text and SOURCE_LINE in shown_text
    assert shown_text.startswith("⚠️") and "名单显示" not in shown_text  # no verdict (M10)
    # the prompt was answered: the next text is a policy question again
    answer = await step(telegram, 4, "上班路上骑电动车被车撞了算工伤吗")
    assert "第十四条" in answer.params["text"]


async def test_a_brand_alone_shows_its_outlets_as_buttons(telegram):
    reply = await step(telegram, 1, "/outlet 中通")  # the sample lists 2 中通 outlets
    text = reply.params["text"]
    assert "名单里「中通」的网点有2个，请点一下你所在的网点" in text and "不止" not in text
    markup = json.loads(reply.params["reply_markup"])
    labels = [b["text"] for row in markup["inline_keyboard"] for b in row]
    assert labels == ["中通快递城西网点（南宁市）", "中通快递城东网点（南宁市）"]
    picks = buttons(reply)
    assert all(p.startswith("ol:") for p in picks)
    shown = await step(telegram, 2, picks[1])
    assert "<b>中通快递城东网点</b>" in shown.params["text"]
    # the buttons under a hit: the brand's other outlet, before other brands' 城西 outlets
    hit = await step(telegram, 3, "/outlet 中通 城西 网点")
    markup = json.loads(hit.params["reply_markup"])
    under = [b["text"] for row in markup["inline_keyboard"] for b in row]
    assert under[0] == "中通快递城东网点（南宁市）" and "不是这个网点？" in hit.params["text"]


async def test_uninsured_outlet_explains_article_62_and_what_to_do(telegram):
    await step(telegram, 1, "/outlet")
    reply = await step(telegram, 2, "百世鼓楼大街")
    text = reply.params["text"]
    assert "没有参加工伤保险" in text and "第六十二条" in text and "12333" in text
    assert "人社局" in text and "邮政管理局" in text
    assert "济宁示例百世物流有限公司（虚构）" in text and "三（四）" in text  # filed-only: parent


async def test_filed_only_insured_outlet_names_the_parent_as_employer(telegram):
    reply = await step(telegram, 1, "/outlet 顺丰北京路")
    text = reply.params["text"]
    assert "备案的末端网点" in text and "吉林市示例顺丰速运有限公司（虚构）" in text
    assert "吉人社联〔2022〕17号 二" in text


async def test_not_in_any_list_shows_the_lists_and_no_guess(telegram):
    reply = await step(telegram, 1, "/outlet 火星快递月球网点")
    text = reply.params["text"]
    assert "没有在已导入的名单里找到" in text and "示例数据（虚构）（截至2026-10）" in text
    assert "不代表网点没参保" in text and not buttons(reply)


async def test_another_command_drops_the_prompt(telegram):
    await step(telegram, 1, "/outlet")
    await step(telegram, 2, "/help")
    reply = await step(telegram, 3, "中通城西")
    assert "名单来源" not in reply.params["text"]


async def test_forged_or_stale_outlet_buttons_get_the_stale_reply(telegram):
    for data in ("ol:abc", "ol:99999999", "ol:-1", "ol:" + "9" * 60, "ol:"):
        telegram.callback(data)
    replies = await telegram.wait_for("sendMessage", 5)
    assert all("按钮已经失效" in r.params["text"] for r in replies)


async def test_stats_is_refused_politely_to_couriers(telegram):
    reply = await step(telegram, 1, "/stats")
    assert "只对管理员开放" in reply.params["text"] and "覆盖率" not in reply.params["text"]


async def test_stats_for_an_admin(api, config, storage, kb):
    admin_config = dataclasses.replace(config, admin_ids=frozenset({42}))
    application = await launch(api, admin_config, Assistant(admin_config, storage, kb))
    try:
        await step(api, 1, "/outlet 百世鼓楼大街")
        reply = await step(api, 2, "/stats")
        text = reply.params["text"]
        assert "网点参保统计" in text and "名单内网点（应参保）：12户" in text
        assert "本月查询：1次" in text and "百世快递鼓楼大街网点" in text
        assert "含示例数据（虚构）" in text
        api.message("/stats", chat_id=43, user_id=43)  # another user in the same bot
        [*_, other] = await api.wait_for("sendMessage", 3)
        assert "只对管理员开放" in other.params["text"]
    finally:
        await halt(application)


async def test_premium_estimate_and_its_rules(telegram):
    usage = await step(telegram, 1, "/premium")
    assert "个人不缴纳" in usage.params["text"] and "分别为他缴纳" in usage.params["text"]
    estimate = await step(telegram, 2, "/premium 12 98000 济宁")
    text = estimate.params["text"]
    assert "12人 × 98,000元/年 × 0.4% = <b>约4,704.00元/年</b>" in text
    assert "三（二）" in text and "个人不缴纳" in text
    missing = await step(telegram, 3, "/premium 12 济宁")
    assert "还缺缴费基数" in missing.params["text"] and "约" not in missing.params["text"]
