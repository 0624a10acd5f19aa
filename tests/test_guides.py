"""Every branch of both guides, through the engine, the outcomes and the real templates."""

import re
from datetime import date, datetime, time

import pytest

from bot.dates import CHINA
from bot.faq.loader import FaqError
from bot.guides import reminders
from bot.guides.engine import Engine, load_guides
from bot.guides.flow import MENU_GUIDES, GuideFlow
from bot.guides.outcomes import DATE_STEPS
from bot.render import label, macro_lines, plain

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def flow():
    return GuideFlow(Engine(load_guides()))


def walk(flow, guide, *inputs):
    reply, session = flow.start(guide)
    for text in inputs:
        assert session is not None, f"guide ended before input {text!r}"
        reply, session = flow.answer(session, text, today=TODAY)
    return reply, session


ACCIDENT = "2026-10-01"
AFTER_EXCLUSION = ("no", "yes", "licensed", "济宁")  # employer applied, insured, kind, region
INJURY_TAIL = (ACCIDENT, "no", *AFTER_EXCLUSION)  # date, no exclusion, the rest


@pytest.mark.parametrize(
    "what, article",
    [
        ("at_work", "第十四条第（一）项"),
        ("prep", "第十四条第（二）项"),
        ("violence", "第十四条第（三）项"),
        ("disease", "第十四条第（四）项"),
        ("errand", "第十四条第（一）项、第（五）项"),
        ("sudden_death", "第十五条第（一）项"),
    ],
)
def test_each_injury_kind_cites_its_article(flow, what, article):
    reply, session = walk(flow, "injury", what, *INJURY_TAIL)
    assert session is None and reply.document
    assert article in reply.text


def test_done_when_commute_example(flow):
    """Commuting accident, not my fault, 2026-10-01, outlet has not applied."""
    reply, _ = walk(flow, "injury", "commute", ACCIDENT, "minor", "no", *AFTER_EXCLUSION)
    text = plain(reply.text)
    assert "第十四条第（六）项" in text and "城市轨道交通、客运轮渡、火车事故" in text
    assert "最晚 2026年10月31日（已经过了23天）" in text
    assert "最晚 2027年10月1日（还剩312天，当天在人社局下班前办也来得及）" in text
    assert "《工伤认定申请表》" in text and "事实劳动关系" in text and "交通事故认定书" in text
    assert "第五十五条" in text and "《工伤认定办法》第八条" in text
    name, content = reply.document
    assert name.endswith(".html") and "2027年10月1日" in content.decode("utf-8")
    assert {d.key for d in reply.outcome.upcoming} == {"self_apply"}


def test_commute_pending_police_finding_still_files_in_time(flow):
    reply, _ = walk(flow, "injury", "commute", ACCIDENT, "pending", "no", *AFTER_EXCLUSION)
    assert "交警认定还没出也别干等" in reply.text and "还没出的，出了以后补交" in reply.text


@pytest.mark.parametrize(
    "inputs, phrase",
    [
        (("commute", ACCIDENT, "major"), "本人负主要或全部责任"),
        (("commute", ACCIDENT, "alone"), "要看交警怎么认定责任"),
        (("at_work", ACCIDENT, "yes"), "第十六条"),
        (("other",), "判断不了"),
    ],
)
def test_early_stops_explain_kindly(flow, inputs, phrase):
    reply, session = walk(flow, "injury", *inputs)
    assert session is None and phrase in reply.text
    assert reply.document is None and not reply.outcome.upcoming


def test_employer_already_applied_has_no_employer_deadline(flow):
    reply, _ = walk(flow, "injury", "at_work", "昨天", "no", "yes", "yes", "licensed", "全国")
    assert "网点说已经申请了" in reply.text
    assert [d.key for d in reply.outcome.upcoming] == ["self_apply"]


def test_uninsured_and_filed_only_outlet(flow):
    reply, _ = walk(flow, "injury", "errand", "2026-11-20", "no", "no", "no", "filed", "吉林")
    assert "第六十二条" in reply.text
    assert "先行支付" in reply.text and "《社会保险法》第四十一条" in reply.text
    assert "代为参保" in reply.text and "吉人社联〔2022〕17号 二" in reply.text
    assert "济宁方案" not in reply.text  # Jilin's rule only, for someone in Jilin
    assert "属地人力资源和社会保障局" in reply.text
    assert {d.key for d in reply.outcome.upcoming} == {"employer_apply", "self_apply"}


def test_one_year_passed_says_what_is_still_possible(flow):
    reply, _ = walk(flow, "injury", "at_work", "2025-10-01", "no", "no", "yes", "licensed", "全国")
    assert "1年的期限已经过了" in reply.text and "12333" in reply.text
    assert not reply.outcome.upcoming


def test_back_undoes_the_last_answer(flow):
    reply, session = walk(flow, "injury", "commute", ACCIDENT, "minor")
    reply = flow.back(session)
    assert session["step"] == "fault" and "fault" not in session["answers"]
    assert "交警的事故认定书" in reply.text


@pytest.mark.parametrize(
    "text, hint",
    [
        ("上周", "没看懂这个日期"),
        ("明天", "这个日期还没到"),
        ("2026-02-30", "这个日期不存在"),
        ("2027-01-01", "这个日期还没到"),
    ],
)
def test_bad_date_is_asked_again(flow, text, hint):
    reply, session = walk(flow, "injury", "at_work", text)
    assert session["step"] == "date" and hint in reply.text


def test_old_button_and_unknown_choice(flow):
    _, session = walk(flow, "injury", "at_work", ACCIDENT)
    reply, session = flow.answer(session, "commute", step_id="what", today=TODAY)
    assert "之前一步的按钮" in reply.text and session["step"] == "exclusion"
    reply, session = flow.answer(session, "随便说点啥", today=TODAY)
    assert "请点下面的按钮" in reply.text and session["step"] == "exclusion"


def test_stale_or_forged_session_is_not_an_error(flow):
    for bad in (None, {}, {"guide": "nope", "step": "x"}, {"guide": "injury", "step": "nope"}):
        reply, session = flow.answer(bad, "1", today=TODAY)
        assert session is None and "没有进行中的指引" in reply.text


def test_assess_needs_a_decision_first(flow):
    reply, session = walk(flow, "assess", "no")
    assert session is None and "/injury" in reply.text and reply.buttons


@pytest.mark.parametrize("paid_leave", ["running", "unsure"])
def test_assess_still_treating_within_paid_leave_waits_but_says_when_not_to(flow, paid_leave):
    reply, session = walk(flow, "assess", "yes", "treating", paid_leave)
    text = plain(reply.text)
    assert session is None and reply.outcome.stop == "still_treating" and not reply.document
    assert "第三十三条" in text and "12个月" in text
    # 停工留薪期 is not all of treatment: after it, care goes on, the assessment should not wait.
    assert "继续享受工伤医疗待遇" in text and "只在停工留薪期内" in text
    assert "及时申请劳动能力鉴定" in text and "鉴定管理办法》第七条" in text
    assert "治疗期间是停工留薪期" not in text


def test_assess_treated_beyond_paid_leave_is_told_to_apply_now(flow):
    reply, session = walk(flow, "assess", "yes", "treating", "over", "not_applied", "济宁")
    text = plain(reply.text)
    assert session is None and reply.outcome.stop is None and reply.document
    assert "停工留薪期满了，应当及时申请劳动能力鉴定" in text
    assert "即使还在治疗" in text and "第七条" in text and "继续享受工伤医疗待遇" in text
    assert "《劳动能力鉴定申请表》" in text


def test_assess_treated_beyond_paid_leave_and_already_applied_is_not_told_to_apply(flow):
    reply, _ = walk(flow, "assess", "yes", "treating", "over", "applied", "2026-10-01", "全国")
    text = plain(reply.text)
    assert "继续享受工伤医疗待遇" in text and "应当及时申请" not in text


def test_assess_not_applied_lists_materials_and_60_30_days(flow):
    reply, _ = walk(flow, "assess", "yes", "yes", "not_applied", "济宁")
    text = plain(reply.text)
    assert "《劳动能力鉴定申请表》" in text and "《工伤认定决定书》" in text
    # 办法第八条 as amended in 2018: the ID original, no copies; the decision is 条例第二十三条.
    assert "（《工伤保险条例》第二十三条；《劳动能力鉴定管理办法》第九条）" in text
    assert "有效身份证明原件" in text and "复印件" not in text
    assert "60日内" in text and "延长30日" in text and "15日内" in text
    assert reply.document


def test_assess_applied_computes_conclusion_dates(flow):
    reply, _ = walk(flow, "assess", "yes", "yes", "applied", "2026-10-01", "全国")
    assert "2026年11月30日" in reply.text and "2026年12月30日" in reply.text


@pytest.mark.parametrize(
    "grade, months, article",
    [
        ("1", 27, "三十五"),
        ("4", 21, "三十五"),
        ("5", 18, "三十六"),
        ("6", 16, "三十六"),
        ("7", 13, "三十七"),
        ("10", 7, "三十七"),
    ],
)
def test_assess_concluded_grade_and_reassessment_window(flow, grade, months, article):
    reply, _ = walk(flow, "assess", "yes", "yes", "concluded", "2026-11-20", grade, "吉林")
    assert f"{months}个月的本人工资（第{article}条）" in reply.text
    assert "2026年12月5日" in reply.text  # 15 days after receipt
    assert "2027年11月20日以后" in reply.text  # review after a year
    assert [d.key for d in reply.outcome.upcoming] == ["reassess"]


def test_broken_guide_file_is_named(tmp_path):
    (tmp_path / "guides").mkdir()
    (tmp_path / "guides" / "g.toml").write_text(
        'id = "g"\ntitle = "t"\nintro = "i"\nstart = "a"\n[[step]]\nid = "a"\nkind = "date"\n'
        'prompt = "p"\nnext = "missing"\n',
        encoding="utf-8",
    )
    with pytest.raises(FaqError, match="g.toml: step 'missing'"):
        load_guides(tmp_path)


# --- audit 2026-11: rules the results must keep --------------------------------------------------

# Every stop of the injury guide after which one may still apply, with its inputs. A new stop in
# faq/guides/injury.toml must be added here (test_every_injury_stop_is_covered).
STOPS = {
    "excluded": ("at_work", ACCIDENT, "yes"),
    "commute_major_fault": ("commute", ACCIDENT, "major"),
    "commute_alone": ("commute", ACCIDENT, "alone"),
    "unclear": ("other",),
}


def test_every_injury_stop_and_date_step_is_covered():
    steps = load_guides()["injury"].steps.values()
    assert {c.stop for s in steps for c in s.choices if c.stop} == set(STOPS)
    assert {s.id for s in steps if s.kind == "date"} == set(DATE_STEPS)  # outcomes reads these


@pytest.mark.parametrize("stop", STOPS)
def test_every_can_still_apply_stop_gives_the_article_17_limits(flow, stop):
    reply, _ = walk(flow, "injury", *STOPS[stop])
    text = plain(reply.text)
    assert reply.outcome.stop == stop
    assert "第十七条" in text and "30日内" in text and "1年内" in text
    if stop != "unclear":  # the date was asked before the stop
        assert "最晚 2026年10月31日（已经过了23天）" in text
        assert "最晚 2027年10月1日（还剩312天，当天在人社局下班前办也来得及）" in text
    assert not reply.outcome.upcoming  # a stop offers no reminders


def test_last_days_say_the_day_itself_still_counts(flow):
    reply, _ = walk(flow, "injury", "at_work", "2026-11-20", "no", "no", "yes", "licensed", "全国")
    text = plain(reply.text)
    assert "最晚 2026年12月20日（还剩27天，当天在人社局下班前办也来得及）" in text
    assert "最晚 2027年11月20日（还剩362天，当天在人社局下班前办也来得及）" in text
    assert "日前" not in text
    reply, _ = walk(flow, "assess", "yes", "yes", "concluded", "2026-11-20", "7", "吉林")
    assert "最晚 2026年12月5日（还剩12天，当天在鉴定委员会下班前办也来得及）" in plain(reply.text)


@pytest.mark.parametrize(
    "inputs",
    [
        ("sudden_death", ACCIDENT, "no", *AFTER_EXCLUSION),
        ("sudden_death", ACCIDENT, "no", "no", "no", "filed", "全国"),
        ("sudden_death", ACCIDENT, "yes"),
    ],
)
def test_death_results_speak_to_the_next_of_kin(flow, inputs):
    reply, _ = walk(flow, "injury", *inputs)
    texts = [plain(reply.text)] + ([reply.document[1].decode("utf-8")] if reply.document else [])
    for text in texts:
        assert "你本人" not in text and "替你" not in text
        assert "近亲属或工会" in text
    if reply.document:
        assert (
            "近亲属" in texts[0]
            and "初次诊断" in texts[0]
            and "劳社部函〔2004〕256号 三" in texts[0]
        )
        assert [d.key for d in reply.outcome.deadlines][-1] == "kin_apply"
        moment = datetime.combine(TODAY, time(12), CHINA)
        offer = reminders.text("reminders_offer", o=reminders.offer(reply.outcome.upcoming, moment))
        assert "近亲属或工会" in offer and "你本人" not in offer


def test_uninsured_death_result_says_deemed_injury(flow):
    reply, _ = walk(flow, "injury", "sudden_death", ACCIDENT, "no", "no", "no", "filed", "全国")
    assert "照样可以认定（视同）工伤" in plain(reply.text)
    reply, _ = walk(flow, "injury", "at_work", ACCIDENT, "no", "no", "no", "filed", "全国")
    assert "照样可以认定工伤" in plain(reply.text)


def test_death_date_prompt_says_which_day_to_enter(flow):
    reply, session = walk(flow, "injury", "sudden_death")
    assert session["step"] == "onset_date"
    assert "初次诊断" in reply.text and "劳社部函〔2004〕256号 三" in reply.text


def test_commute_choice_and_prompt_cover_the_whole_of_article_14_6(flow):
    commute = next(c for c in load_guides()["injury"].steps["what"].choices if c.value == "commute")
    assert "火车" in commute.label and "轮渡" in commute.label
    reply, _ = walk(flow, "injury", "commute", ACCIDENT)
    assert (
        "城市轨道交通、客运轮渡、火车事故" in reply.text and "法释〔2014〕9号 第六条" in reply.text
    )
    assert "配偶、父母、子女居住地" in reply.text


def test_commute_rail_ferry_train_accident_has_its_own_choice(flow):
    """第十四条（六） names rail, ferry and train accidents after the same "非本人主要责任的"
    as road accidents: the choice goes on to the filing steps and quotes the item as written."""
    fault = load_guides()["injury"].steps["fault"]
    rail = next(c for c in fault.choices if c.value == "rail")
    assert "轨道交通" in rail.label and "轮渡" in rail.label and "火车" in rail.label
    assert rail.next == "exclusion" and not rail.stop
    reply, session = walk(flow, "injury", "commute", ACCIDENT, "rail", "no", *AFTER_EXCLUSION)
    text = plain(reply.text)
    assert session is None and reply.outcome.stop is None and reply.document
    assert "第十四条第（六）项" in text
    assert (
        "受到非本人主要责任的交通事故或者城市轨道交通、客运轮渡、火车事故伤害的，应当认定为工伤"
        in text
    )
    assert "条例没有对它们另作规定" in text
    assert "交通事故认定书" not in text and "客运轮渡或火车事故的证明" in text
    assert "最晚 2027年10月1日" in text


@pytest.mark.parametrize(
    "region, shown, hidden",
    [
        ("济宁", ["济宁方案 三（三）", "济宁方案 三（四）"], ["吉人社联"]),
        ("吉林", ["吉人社联〔2022〕17号 二"], ["济宁方案"]),
        ("江苏", ["吉人社联〔2022〕17号 二", "济宁方案 三（三）", "以当地人社局答复为准"], []),
    ],
)
def test_filed_outlet_rules_are_stated_per_region(flow, region, shown, hidden):
    reply, _ = walk(flow, "injury", "errand", ACCIDENT, "no", "no", "yes", "filed", region)
    text = plain(reply.text)
    assert all(s in text for s in shown) and not any(h in text for h in hidden)
    assert (
        "只备案的末端网点是它所属的快递企业" not in text
    )  # only 吉林 says who bears the liability
    assert "用人单位所在地的人社局" in text and "先问清由哪家快递企业代为参保" in text
    assert ("吉林规定由所属企业法人承担用人单位责任" in text) == (region == "吉林")
    if region != "吉林":  # Jining's 三（三） is about registering only; liability is in 三（四）
        assert "在快递业务经营许可地代为参保（济宁方案 三（三））" in text


def test_injury_materials_label_the_evidence_tips_as_advice(flow):
    reply, _ = walk(flow, "injury", *("at_work", *INJURY_TAIL))
    text = plain(reply.text)
    assert "建议（条例只写“劳动关系证明材料”）" in text and "派件App" in text
    assert "网上领取" not in text


@pytest.mark.parametrize(
    "grade, bands, absent",
    [
        ("2", ["一至四级", "伤残津贴", "第三十五条"], ["五、六级", "七至十级"]),
        (
            "6",
            ["五、六级", "伤残津贴", "一次性工伤医疗补助金", "由省、自治区、直辖市人民政府规定"],
            ["一至四级", "七至十级"],
        ),
        (
            "9",
            ["七至十级", "一次性伤残就业补助金", "由省、自治区、直辖市人民政府规定"],
            ["一至四级", "五、六级"],
        ),
        ("none", ["一至四级", "五、六级", "七至十级"], []),
    ],
)
def test_assess_result_names_the_grade_bands_other_benefits(flow, grade, bands, absent):
    reply, _ = walk(flow, "assess", "yes", "yes", "concluded", "2026-11-20", grade, "全国")
    text = plain(reply.text)
    assert all(b in text for b in bands) and not any(a in text for a in absent)


# --- walkthrough 2026-11: M11, M13, L2, L10 ----------------------------------------------------


def test_overdue_assessment_says_what_to_do_and_that_the_region_has_no_document(flow):
    """M11: applied 2026-08-01, so 60 and 60+30 days have both passed (条例第二十五条)."""
    reply, _ = walk(flow, "assess", "yes", "yes", "applied", "2026-08-01", "江苏")
    text = plain(reply.text)
    assert "已经超过法定期限还没结论：可以向受理申请的劳动能力鉴定委员会询问" in text
    assert "5个工作日内一次性告知" in text and "视为放弃这次申请" in text
    assert "《劳动能力鉴定管理办法》第十条" in text and "拨打12333问" in text
    assert "江苏省：我们还没有当地文件，这里按全国规定回答" in text


def test_assessment_past_60_days_only_explains_the_30_day_extension(flow):
    reply, _ = walk(flow, "assess", "yes", "yes", "applied", "2026-09-01", "吉林")
    text = plain(reply.text)
    assert "60日已经过了" in text and "可以延长30日（《劳动能力鉴定管理办法》第十条）" in text
    assert "已经超过法定期限" not in text
    assert "还没有当地文件" not in text  # 吉林 has its own document


def test_assessment_within_60_days_gives_no_overdue_advice(flow):
    reply, _ = walk(flow, "assess", "yes", "yes", "applied", "2026-11-01", "全国")
    text = plain(reply.text)
    assert "已经过了：" not in text and "已经超过法定期限" not in text
    assert "还没有当地文件" not in text  # 全国 is not a region without documents


@pytest.mark.parametrize("region, noted", [("广东", True), ("广西", False), ("长治", False)])
def test_injury_result_says_when_the_region_has_no_document(flow, region, noted):
    reply, _ = walk(flow, "injury", "at_work", ACCIDENT, "no", "no", "yes", "licensed", region)
    assert ("我们还没有当地文件" in plain(reply.text)) == noted


def test_death_checklist_lists_only_what_the_sources_require(flow):
    """M13: 条例第十八条 and 《工伤认定办法》第六条 list the same papers for a death; no source
    names a death certificate or resuscitation record, so the checklist must not ask for them."""
    reply, _ = walk(flow, "injury", "sudden_death", ACCIDENT, "no", *AFTER_EXCLUSION)
    text, html = plain(reply.text), reply.document[1].decode("utf-8")
    for page in (text, html):
        assert "死亡证明" not in page and "抢救记录" not in page
        assert "《工伤认定申请表》" in page and "医疗诊断证明" in page
    assert "建议（条例没有为死亡情形另列材料）" in text and "劳社部函〔2004〕256号 三" in text
    assert "网点不申请的，近亲属或工会" in text


@pytest.mark.parametrize("what", ["at_work", "sudden_death", "disease"])
def test_every_material_is_article_18_or_labelled_advice(flow, what):
    reply, _ = walk(flow, "injury", what, *INJURY_TAIL)
    listed = macro_lines("_claims", "injury_materials", reply.outcome.answers)
    article_18 = ("《工伤认定申请表》", "与用人单位", "医疗诊断证明")
    assert all(line.startswith(article_18 + ("建议",)) for line in listed), listed


ASSESS_STOPS = {
    "needs_decision": ("no",),
    "still_treating": ("yes", "treating", "running"),
}


@pytest.mark.parametrize(
    "guide, inputs",
    [("injury", i) for i in STOPS.values()] + [("assess", i) for i in ASSESS_STOPS.values()],
)
def test_a_stop_offers_the_guide_again_for_a_mis_tap(flow, guide, inputs):
    """L2: the session is gone after a stop (answer() returns None), so no "上一步": the guide's
    own menu button restarts it, and the text says what the button is for."""
    reply, session = walk(flow, guide, *inputs)
    assert session is None and reply.outcome.stop
    restart = next(data for data, g in MENU_GUIDES.items() if g == guide)
    assert (label(f"menu_{guide}_guide"), restart) in reply.buttons
    assert f"点错了选项？点下面的“{label(f'menu_{guide}_guide')}”从头再选一遍" in plain(reply.text)
    assert label("guide_back") not in [b for b, _ in reply.buttons]  # it could not work here


def test_a_finished_guide_has_no_restart_button(flow):
    reply, _ = walk(flow, "injury", "at_work", *INJURY_TAIL)
    assert not reply.buttons and "点错了选项" not in reply.text


LAST_DAY_WALKS = [
    ("injury", ("at_work", "2026-11-20", "no", "no", "yes", "licensed", "全国")),
    ("injury", ("sudden_death", ACCIDENT, "no", "no", "no", "filed", "广东")),
    ("assess", ("yes", "yes", "applied", "2026-11-01", "全国")),
    ("assess", ("yes", "yes", "concluded", "2026-11-20", "7", "吉林")),
] + [("injury", i) for i in STOPS.values()]


@pytest.mark.parametrize("guide, inputs", LAST_DAY_WALKS)
def test_no_result_says_date_qian_for_a_last_day(flow, guide, inputs):
    """L10: "12月20日前" reads as excluding the 20th; results say "最晚 12月20日"."""
    reply, _ = walk(flow, guide, *inputs)
    pages = [plain(reply.text)] + ([reply.document[1].decode("utf-8")] if reply.document else [])
    for page in pages:
        assert not re.search(r"\d+日\s*前", page), page
    assert bool(reply.outcome.deadlines) == ("最晚" in pages[0])  # "other" stops before the date
