"""How the bot understands couriers as they write: the walkthrough's rows H1, H2, H4, H5, M1
(../shared/reviews/ux-walkthrough-2026-11.md) and issue 14's composed replies, through the real
core (Assistant over a real SQLite file) and, where a button matters, the real Telegram Application."""

import json

import pytest

from bench import evaluation
from bot.render import plain
from bot.reply import FAQ, MENU, OUTLET_NAME


def _data(reply) -> list[str]:
    return [d for _, d in reply.buttons]


@pytest.mark.parametrize(
    "text",
    [
        "怎么报工伤",
        "怎么申请工伤认定",
        "工伤认定怎么申请",
        "我要报工伤",
        "工伤怎么报",
        "工伤认定流程",
    ],
)
def test_h1_how_to_file_gets_who_where_deadline_materials_and_the_guide(assistant, text):
    reply = assistant.ask(text)
    body = plain(reply.text)
    assert reply.match.entry.id == "national.apply.how"
    assert all(word in body for word in ("30日", "1年", "人社局", "申请表"))
    assert MENU + "injury_guide" in _data(reply)


def test_h1_assessment_question_gets_the_first_application_not_the_review(assistant):
    reply = assistant.ask("评残怎么申请")
    assert reply.match.entry.id == "national.assess.when"
    assert MENU + "assess_guide" in _data(reply)


@pytest.mark.parametrize(
    "text", ["快递丢了怎么办", "电动车被偷了", "今天天气怎么样", "几号发工资啊"]
)
def test_h2_everyday_off_topic_is_declined_never_answered(assistant, text):
    reply = assistant.ask(text)
    assert reply.match is not None and not reply.match.answered
    assert "12333" in reply.text


@pytest.mark.parametrize("text", ["受伤了", "我受伤了", "出事了", "摔伤了"])
def test_h2_a_bare_injury_asks_what_happened_and_offers_the_guide(assistant, text):
    reply = assistant.ask(text)
    assert reply.intent == "injured" and "怎么受的伤" in reply.text
    assert _data(reply)[0] == MENU + "injury_guide"


@pytest.mark.parametrize(
    "text, intent, words",
    [
        ("你好", "greeting", "快递员工伤保险助手"),
        ("在吗", "greeting", "快递员工伤保险助手"),
        ("谢谢", "thanks", "不客气"),
        ("好的", "ok", "好的"),
        ("菜单", "menu", "请选一项"),
        ("怎么用", "help", "/injury"),
        ("人工客服", "human", "12333"),
        ("👍", "thanks", "不客气"),
    ],
)
def test_h4_small_talk_gets_a_short_reply_and_the_menu_and_no_gap(
    assistant, storage, text, intent, words
):
    reply = assistant.ask(text)
    assert reply.intent == intent and words in reply.text
    assert MENU + "injury_guide" in _data(reply)
    assert storage.gaps() == []


@pytest.mark.parametrize(
    "text",
    [
        "我在中通干快递，送件的时候电动车被撞了，腿骨折了，网点说我没签合同不给报工伤，我该怎么办",
        "今天早上派件的时候从三轮车上摔下来了手腕骨折了老板让我先垫医药费我想问问这个找谁报",
        "送快递摔伤了老板让我自己出医药费合理吗",
    ],
)
def test_h5_accident_stories_lead_to_the_injury_guide(assistant, text):
    reply = assistant.ask(text)
    assert _data(reply)[0] == MENU + "injury_guide"
    if not reply.match.answered:  # a close call: the closest topics come as buttons
        assert "工伤认定指引" in reply.text and any(d.startswith(FAQ) for d in _data(reply))


@pytest.mark.parametrize("text", ["我们网点有没有给我交工伤保险怎么查", "怎么查我的网点有没有参保"])
def test_m1_outlet_question_without_a_name_asks_for_the_outlet(assistant, text):
    reply = assistant.ask(text)
    assert reply.intent == "outlet" and "网点" in reply.text
    assert reply.expects == OUTLET_NAME  # the channel keeps the prompt for the next text


def test_m1_outlet_question_naming_a_brand_runs_the_lookup(assistant, storage):
    reply = assistant.ask("中通快递城西网点交工伤保险了吗", user="u1")
    assert reply.intent == "outlet"
    assert "中通快递城西网点" in reply.text
    assert storage.db["lookups"].count == 1


@pytest.mark.parametrize(
    ("text", "outlet"),
    [
        ("韵达快递四平英雄大街营业部交没交工伤保险", "韵达快递四平英雄大街营业部"),
        ("申通快递四平铁东区铁东大学城服务部有没有参保", "申通快递四平铁东区铁东大学城服务部"),
        ("请问中通快递城西网点交了工伤保险没有", "中通快递城西网点"),
        ("上海路中通网点交了吗", "上海路中通网点"),  # a brand, an outlet word, "paid?"
    ],
)
def test_a_named_outlet_with_an_insured_question_runs_the_lookup(assistant, storage, text, outlet):
    reply = assistant.ask(text, user="u1")
    assert reply.intent == "outlet", reply.text
    # the lookup gets (and the log keeps) the outlet's name, not the question around it
    assert storage.db.execute("select query from lookups").fetchall() == [(outlet,)]


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("申通快递员上没上保险", "申通"),  # was jilin.public_disclosure: 吉林's rule, no region
        ("顺丰快递员有没有交工伤保险", "顺丰"),
        ("我是中通快递员公司给我上工伤保险了吗", "中通公司"),
        ("韵达快递员交没交工伤保险", "韵达"),
    ],
)
def test_a_brands_courier_asking_if_he_is_insured_gets_the_lookup(assistant, storage, text, query):
    """ "Did my outlet insure me?" with the brand he works for: his outlet's status is the answer,
    not an FAQ entry (and never a region's rule for a courier with no region)."""
    reply = assistant.ask(text, user="u1")
    assert reply.intent == "outlet" and reply.match is None, reply.text
    assert storage.db.execute("select query from lookups").fetchall() == [(query,)]


@pytest.mark.parametrize("text", ["快递员上没上保险怎么查", "快递小哥有没有上工伤保险去哪查"])
def test_a_courier_asking_how_to_check_he_is_insured_is_asked_for_his_outlet(assistant, text):
    """No brand, no region: not a region's rule (吉林's public-disclosure entry), but "which
    outlet?", since the outlet's status is the answer."""
    reply = assistant.ask(text, user="u1")
    assert reply.intent == "outlet" and reply.match is None, reply.text
    assert reply.expects == OUTLET_NAME


@pytest.mark.parametrize(
    "text",
    [
        "快递员有没有工伤保险",  # no brand: a general question
        "中通快递员工伤保险怎么交",  # how, not whether
        "顺丰快递员能不能上工伤保险",
        "申通快递员没上保险受伤了怎么办",  # knows the answer
    ],
)
def test_a_couriers_general_insurance_question_stays_an_faq_question(assistant, storage, text):
    assert assistant.ask(text, user="u1").intent != "outlet"
    assert storage.db["lookups"].count == 0


@pytest.mark.parametrize(
    "text",
    [
        "顺丰网点怎么查工伤认定进度",  # a look-up word, but no question about the insurance
        "中通网点没交工伤保险怎么办",  # knows the answer, asks what follows
        "韵达营业部交了工伤保险，我受伤了怎么办",
    ],
)
def test_questions_around_an_outlet_stay_faq_questions(assistant, storage, text):
    assert assistant.ask(text, user="u1").intent != "outlet"
    assert storage.db["lookups"].count == 0


def test_second_ask_is_offered_as_a_button(assistant):
    reply = assistant.ask("在网点分拣快递受伤算工伤吗？伤残等级怎么分")
    assert reply.match.entry.topic == "injury.at_work"
    labels = [label for label, _ in reply.buttons]
    assert any(label.startswith("另外：") for label in labels)


def test_issue14_story_gets_rule_uninsured_payer_and_deadlines_each_cited(assistant):
    reply = assistant.ask("我在送件路上被车撞了骨折，网点没给我交工伤保险，怎么办")
    body = plain(reply.text)
    assert reply.match.answered and "第十四条" in body  # the at-work rule
    assert "由单位按工伤保险待遇项目和标准支付" in body and "第六十二条" in body  # outlet pays
    assert "30日" in body and "1年" in body and "第十七条" in body  # who applies, when
    assert _data(reply)[0] == MENU + "injury_guide"
    assert {"national.uninsured_outlet", "national.apply.who_when"} <= {
        f.id for f in reply.followups
    }


def test_a_followup_already_in_the_answer_is_not_repeated(assistant):
    reply = assistant.ask("怎么报工伤")  # the answer states the 30-day / 1-year rule itself
    assert "national.apply.who_when" not in {f.id for f in reply.followups}
    assert len(reply.followups) <= 3


def test_a_followup_line_above_is_not_said_again(assistant):
    """Two 「接下来」 lines saying the same rule in other words (30日 / 1年 twice) read as
    padding on a phone: the second one is left out."""
    reply = assistant.ask("我在网点分拣的时候被货架砸伤了腿，算工伤吗")
    ids = [f.id for f in reply.followups]
    assert "national.apply.who_when" in ids and "national.apply.no_stamp" not in ids
    block = plain(reply.text).split("接下来", 1)[1]
    assert block.count("1年内") == 1


def test_a_close_call_shows_each_candidate_rule_with_its_source(assistant):
    """你是不是想问 with the candidates' one-line rules, each cited, so the courier sees at a
    glance which fits; still not an answer (nothing is stated as their case's answer)."""
    reply = assistant.ask(
        "我在中午下班后因事回家,中途发生车祸。单位知道这一情况后,不但拒绝为我申报工伤"
    )
    assert reply.match.confirm and not reply.match.answered
    body = plain(reply.text)
    assert body.startswith("我不太确定你问的是哪一个，你是不是想问")
    shown = reply.match.suggestions
    assert len(shown) == 3
    for e in shown:
        assert f"{e.title}：{e.short}（{e.short_source}）" in body
    assert [d for d in _data(reply) if d.startswith(FAQ)] == [FAQ + e.id for e in shown]


def test_a_region_line_is_judged_by_what_it_says_there(assistant):
    """Whether a 「接下来」 line is already said is judged on the line the courier would see:
    the national 缴费基数 line repeats the answer, 长治's own (全市平均工资) does not."""
    reply = assistant.ask("工伤保险我自己要出钱不", region="长治")
    assert "changzhi.base" in [f.id for f in reply.followups]


def test_followups_use_the_courier_region_variant(assistant):
    reply = assistant.ask("我在送件路上被车撞了骨折，网点没给我交工伤保险，怎么办", region="济宁")
    assert any(f.region == "济宁" for f in reply.followups)


async def test_story_answer_through_telegram_has_followups_and_guide_button(telegram):
    telegram.message("我在送件路上被车撞了骨折，网点没给我交工伤保险，怎么办")
    [reply] = await telegram.wait_for("sendMessage")
    text = reply.params["text"]
    assert "接下来" in text and "第六十二条" in text and "第十七条" in text
    markup = json.loads(reply.params["reply_markup"])
    first = markup["inline_keyboard"][0][0]
    assert first["callback_data"] == MENU + "injury_guide"


async def test_small_talk_through_telegram_is_not_stored(telegram, storage):
    telegram.message("谢谢")
    [reply] = await telegram.wait_for("sendMessage")
    assert "不客气" in reply.params["text"]


def test_facts_check_needs_every_fact():
    assert evaluation.has_facts("网点应在30日内申请，你本人1年内", ["30日|30天", "1年|一年"])
    assert not evaluation.has_facts("网点应在30日内申请", ["30日|30天", "1年|一年"])


def test_issue14_grade_and_wage_are_computed(assistant):
    reply = assistant.ask("七级伤残，月工资6000，能拿多少")
    body = plain(reply.text)
    assert reply.intent == "benefit"
    assert "13个月" in body and "78000" in body.replace(",", "")
    assert "一次性伤残就业补助金" in body and "省、自治区、直辖市人民政府规定" in body
    assert MENU + "assess_guide" in _data(reply)


def test_benefit_menu_button_explains_how_to_ask(assistant):
    reply = assistant.callback(MENU + "benefit", None)
    assert "/benefit" in plain(reply.text)


async def test_benefit_command_through_telegram(telegram):
    telegram.message("/benefit 9 5000")
    [reply] = await telegram.wait_for("sendMessage")
    assert "9个月" in reply.params["text"] and "45000" in reply.params["text"].replace(",", "")


def test_whether_it_counts_comes_before_the_amounts(assistant):
    """A death story asking "is it 工伤, how much?": the 48-hour rule first, the amounts a button."""
    reply = assistant.ask("工作时间突发疾病死亡算工伤吗 赔多少钱")
    assert reply.intent is None and reply.match.entry.topic == "injury.sudden_death"
    assert "48小时" in plain(reply.text)
    assert _data(reply)[0] == MENU + "benefit"
    assert assistant.ask("七级伤残 月工资6000 能拿多少").intent == "benefit"


@pytest.mark.parametrize(
    "text", ["快递丢了要我赔钱", "不认劳动关系咋办", "网点没上工伤保险咋办", "工伤认定调解"]
)
def test_l13_a_topic_button_opens_what_its_label_says(assistant, text):
    reply = assistant.ask(text)
    for title, data in reply.buttons:
        if data.startswith(FAQ) and not title.startswith("另外："):
            opened = assistant.callback(data, None)
            assert opened.match is not None and opened.match.entry.title == title, (text, data)


def test_asking_whether_a_death_counts_never_gets_the_amounts_as_if_it_did(assistant):
    """Amounts would take "is it 工伤?" for granted: the FAQ (or a 你是不是想问) comes first,
    with the calculation one tap away."""
    reply = assistant.ask("同事在厂里突然死亡,算不算工伤?家里有父母妻子和儿子,能赔偿多少?")
    assert reply.intent != "benefit"
    assert MENU + "benefit" in _data(reply)


def test_a_computed_benefit_carries_the_rest_of_the_story(assistant):
    """十级伤残 + the boss refuses to pay: the amounts, then the way to a dispute (仲裁)."""
    reply = assistant.ask("鉴定为十级伤残,老板拒绝赔偿我该怎么办")
    body = plain(reply.text)
    assert reply.intent == "benefit" and "7个月" in body
    assert "接下来" in body and "仲裁" in body.split("接下来")[1]
    assert [e.id for e in reply.followups] == ["national.labour_dispute"]


def test_a_sudden_illness_at_work_brings_the_48_hour_rule(assistant):
    reply = assistant.ask("我老公在单位加班,突然晕倒送医院没抢救过来,单位说不算工伤")
    assert "48小时" in plain(reply.text)
