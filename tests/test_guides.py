"""Every branch of both guides, through the engine, the outcomes and the real templates."""
from datetime import date

import pytest

from bot.faq import FaqError
from bot.guide_flow import GuideFlow
from bot.guides import Engine, load_guides
from bot.render import plain

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


INJURY_TAIL = ("no", "2026-10-01", "no", "yes", "licensed", "济宁")


@pytest.mark.parametrize("what, article", [
    ("at_work", "第十四条第（一）项"), ("prep", "第十四条第（二）项"), ("violence", "第十四条第（三）项"),
    ("disease", "第十四条第（四）项"), ("errand", "第十四条第（一）项、第（五）项"),
    ("sudden_death", "第十五条第（一）项"),
])
def test_each_injury_kind_cites_its_article(flow, what, article):
    reply, session = walk(flow, "injury", what, *INJURY_TAIL)
    assert session is None and reply.document
    assert article in reply.text


def test_done_when_commute_example(flow):
    """Commuting accident, not my fault, 2026-10-01, outlet has not applied."""
    reply, _ = walk(flow, "injury", "commute", "minor", *INJURY_TAIL)
    text = plain(reply.text)
    assert "第十四条第（六）项" in text
    assert "2026年10月31日前" in text and "已经过了23天" in text
    assert "2027年10月1日前" in text and "还剩312天" in text
    assert "《工伤认定申请表》" in text and "事实劳动关系" in text and "交通事故认定书" in text
    assert "第五十五条" in text and "《工伤认定办法》第八条" in text
    name, content = reply.document
    assert name.endswith(".html") and "2027年10月1日" in content.decode("utf-8")
    assert {d.key for d in reply.outcome.upcoming} == {"self_apply"}


def test_commute_pending_police_finding_still_files_in_time(flow):
    reply, _ = walk(flow, "injury", "commute", "pending", *INJURY_TAIL)
    assert "交警认定还没出也别干等" in reply.text and "还没出的，出了以后补交" in reply.text


@pytest.mark.parametrize("inputs, phrase", [
    (("commute", "major"), "本人负主要或全部责任"),
    (("commute", "alone"), "要看交警怎么认定责任"),
    (("at_work", "yes"), "第十六条"),
    (("other",), "判断不了"),
])
def test_early_stops_explain_kindly(flow, inputs, phrase):
    reply, session = walk(flow, "injury", *inputs)
    assert session is None and phrase in reply.text
    assert reply.document is None and not reply.outcome.upcoming


def test_employer_already_applied_has_no_employer_deadline(flow):
    reply, _ = walk(flow, "injury", "at_work", "no", "昨天", "yes", "yes", "licensed", "全国")
    assert "网点说已经替你申请了" in reply.text
    assert [d.key for d in reply.outcome.upcoming] == ["self_apply"]


def test_uninsured_and_filed_only_outlet(flow):
    reply, _ = walk(flow, "injury", "errand", "no", "2026-11-20", "no", "no", "filed", "吉林")
    assert "第六十二条" in reply.text
    assert "代为参保" in reply.text and "吉人社联〔2022〕17号" in reply.text
    assert "属地人力资源和社会保障局" in reply.text
    assert {d.key for d in reply.outcome.upcoming} == {"employer_apply", "self_apply"}


def test_one_year_passed_says_what_is_still_possible(flow):
    reply, _ = walk(flow, "injury", "at_work", "no", "2025-10-01", "no", "yes", "licensed", "全国")
    assert "1年的期限已经过了" in reply.text and "12333" in reply.text
    assert not reply.outcome.upcoming


def test_back_undoes_the_last_answer(flow):
    reply, session = walk(flow, "injury", "commute", "minor")
    reply = flow.back(session)
    assert session["step"] == "fault" and "fault" not in session["answers"]
    assert "交警的事故认定书" in reply.text


@pytest.mark.parametrize("text, hint", [
    ("明天", "没看懂这个日期"), ("2026-02-30", "这个日期不存在"), ("2027-01-01", "这个日期还没到"),
])
def test_bad_date_is_asked_again(flow, text, hint):
    reply, session = walk(flow, "injury", "at_work", "no", text)
    assert session["step"] == "date" and hint in reply.text


def test_old_button_and_unknown_choice(flow):
    _, session = walk(flow, "injury", "at_work")
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


def test_assess_still_treating_explains_paid_leave(flow):
    reply, _ = walk(flow, "assess", "yes", "treating")
    assert "第三十三条" in reply.text and "12个月" in reply.text


def test_assess_not_applied_lists_materials_and_60_30_days(flow):
    reply, _ = walk(flow, "assess", "yes", "yes", "not_applied", "济宁")
    text = plain(reply.text)
    assert "《劳动能力鉴定申请表》" in text and "《工伤认定决定书》" in text
    assert "60日内" in text and "延长30日" in text and "15日内" in text
    assert reply.document


def test_assess_applied_computes_conclusion_dates(flow):
    reply, _ = walk(flow, "assess", "yes", "yes", "applied", "2026-10-01", "全国")
    assert "2026年11月30日" in reply.text and "2026年12月30日" in reply.text


@pytest.mark.parametrize("grade, months, article", [
    ("1", 27, "三十五"), ("4", 21, "三十五"), ("5", 18, "三十六"), ("6", 16, "三十六"),
    ("7", 13, "三十七"), ("10", 7, "三十七"),
])
def test_assess_concluded_grade_and_reassessment_window(flow, grade, months, article):
    reply, _ = walk(flow, "assess", "yes", "yes", "concluded", "2026-11-20", grade, "吉林")
    assert f"{months}个月的本人工资（第{article}条）" in reply.text
    assert "2026年12月5日" in reply.text          # 15 days after receipt
    assert "2027年11月20日以后" in reply.text      # review after a year
    assert [d.key for d in reply.outcome.upcoming] == ["reassess"]


def test_broken_guide_file_is_named(tmp_path):
    (tmp_path / "guides").mkdir()
    (tmp_path / "guides" / "g.toml").write_text(
        'id = "g"\ntitle = "t"\nintro = "i"\nstart = "a"\n[[step]]\nid = "a"\nkind = "date"\n'
        'prompt = "p"\nnext = "missing"\n', encoding="utf-8")
    with pytest.raises(FaqError, match="g.toml: step 'missing'"):
        load_guides(tmp_path)
