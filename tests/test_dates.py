"""Typed dates and the deadlines computed from them."""

from datetime import date

import pytest

from bot.dates import DateError, Deadline, add_days, add_years, deadline, parse
from bot.guides.engine import Engine, load_guides
from bot.guides.flow import GuideFlow
from bot.render import plain

TODAY = date(2026, 11, 23)  # a Monday; never the clock


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-03-05", date(2026, 3, 5)),
        ("2026/3/5", date(2026, 3, 5)),
        ("2026年3月5日", date(2026, 3, 5)),
        ("2026年3月5号", date(2026, 3, 5)),
        ("2026.03.05", date(2026, 3, 5)),
        ("20260305", date(2026, 3, 5)),
        ("３月５日", date(2026, 3, 5)),
        ("3月5日", date(2026, 3, 5)),
        ("11/23", date(2026, 11, 23)),
        (" 今天 ", TODAY),
        ("昨天", date(2026, 11, 22)),
        ("前天", date(2026, 11, 21)),
        ("2024-02-29", date(2024, 2, 29)),
        ("12月1日", date(2025, 12, 1)),  # no year and not yet this year: last year's
        # the walkthrough's M4 rejects, as couriers type them
        ("昨天下午", date(2026, 11, 22)),
        ("昨天下午3点多", date(2026, 11, 22)),
        ("昨晚", date(2026, 11, 22)),
        ("今天早上", TODAY),
        ("大前天", date(2026, 11, 20)),
        ("上周五", date(2026, 11, 20)),
        ("上星期五", date(2026, 11, 20)),
        ("上礼拜五", date(2026, 11, 20)),
        ("上个礼拜五", date(2026, 11, 20)),
        ("上周日", date(2026, 11, 22)),  # weeks run Monday to Sunday
        ("上星期天", date(2026, 11, 22)),
        ("上周一", date(2026, 11, 16)),
        ("上上周五", date(2026, 11, 13)),
        ("周五", date(2026, 11, 20)),  # a bare weekday: the latest one
        ("星期一", TODAY),
        ("三天前", date(2026, 11, 20)),
        ("3天前", date(2026, 11, 20)),
        ("两天以前", date(2026, 11, 21)),
        ("十天前", date(2026, 11, 13)),
        ("20号", date(2026, 11, 20)),  # this month
        ("20日", date(2026, 11, 20)),
        ("23号", TODAY),
        ("25号", date(2026, 10, 25)),  # still ahead this month: last month's
        ("31号", date(2026, 10, 31)),
        ("上个月20号", date(2026, 10, 20)),
        ("26年11月20日", date(2026, 11, 20)),  # 2-digit years
        ("26.11.20", date(2026, 11, 20)),
        ("98年3月5日", date(1998, 3, 5)),  # 2098 is ahead: the last century's
        ("二〇二六年十一月二十日", date(2026, 11, 20)),
        ("二零二六年十一月二十日", date(2026, 11, 20)),
        ("十一月二十日", date(2026, 11, 20)),
        ("十一月廿日", date(2026, 11, 20)),
        ("十月卅一日", date(2026, 10, 31)),
        ("三月五号", date(2026, 3, 5)),
        ("十号", date(2026, 11, 10)),
        ("2026年十一月20日", date(2026, 11, 20)),
        ("去年十二月一日", date(2025, 12, 1)),
        ("11.20", date(2026, 11, 20)),
        ("11/20", date(2026, 11, 20)),
        ("11 20", date(2026, 11, 20)),
        ("2026.11.20", date(2026, 11, 20)),
        ("2026年11月20日下午3点", date(2026, 11, 20)),
        ("2026-11-20 15:30", date(2026, 11, 20)),
        ("11月20日晚上十点左右", date(2026, 11, 20)),
        ("１１月２０日　下午", date(2026, 11, 20)),
    ],
)
def test_accepted_dates(text, expected):
    assert parse(text, TODAY) == expected


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", "format"),
        ("上周", "format"),
        ("2026-13-01", "impossible"),
        ("2026年2月30日", "impossible"),
        ("2025-02-29", "impossible"),
        ("2026-11-24", "future"),
        ("2026年12月1日", "future"),
        ("1890-01-01", "too_old"),
        ("😀", "format"),
        ("9" * 400, "format"),
        ("2026-3-5-7", "format"),
        # a date still ahead is "还没到", never "没看懂"
        ("明天", "future"),
        ("后天", "future"),
        ("3天后", "future"),
        ("这周五", "future"),
        ("下周一", "future"),
        ("今年12月1日", "future"),  # the year is given: not moved to last year
        ("本月25号", "future"),
        ("2026-12-25", "future"),
        ("0号", "impossible"),
        ("二十二十日", "format"),  # not a number we read
        ("3点", "format"),  # a time with no day
        ("下午", "format"),
        ("网点不给报工伤咋办", "format"),
        ("昨天送件被车撞了", "format"),  # a story, not a date: the guide asks again
        ("1" + " " * 3000 + "1", "format"),  # long input stays cheap
    ],
)
def test_rejected_dates(text, reason):
    with pytest.raises(DateError) as err:
        parse(text, TODAY)
    assert err.value.reason == reason


@pytest.mark.parametrize(
    "start, days, last",
    [
        (date(2026, 10, 1), 30, date(2026, 10, 31)),  # the example: employer's 30 days
        (date(2026, 1, 31), 30, date(2026, 3, 2)),
        (date(2024, 2, 1), 30, date(2024, 3, 2)),  # leap February has 29 days
        (date(2026, 12, 20), 15, date(2027, 1, 4)),  # across the year end
    ],
)
def test_add_days(start, days, last):
    assert add_days(start, days) == last


@pytest.mark.parametrize(
    "start, last",
    [
        (date(2026, 10, 1), date(2027, 10, 1)),  # the courier's own 1-year window
        (date(2024, 2, 29), date(2025, 2, 28)),  # no 29 Feb next year: month's last day
        (date(2026, 12, 31), date(2027, 12, 31)),
    ],
)
def test_add_one_year(start, last):
    assert add_years(start, 1) == last


def test_deadline_passed_and_days_left():
    d = Deadline("employer_apply", date(2026, 10, 31), TODAY)
    assert d.passed and d.days_left == -23
    today_is_last = Deadline("self_apply", TODAY, TODAY)
    assert not today_is_last.passed and today_is_last.days_left == 0


@pytest.mark.parametrize(
    "last, moved",
    [
        (date(2026, 10, 1), date(2026, 10, 8)),  # 国庆节 1-7 October 2026
        (date(2026, 10, 4), date(2026, 10, 8)),  # a Sunday inside the holiday counts with it
        (date(2026, 2, 15), date(2026, 2, 24)),  # 春节 15-23 February 2026
        (date(2026, 1, 1), date(2026, 1, 4)),  # 元旦: the 4th is a make-up workday (a Sunday)
    ],
)
def test_last_day_on_a_statutory_holiday_moves_past_it(last, moved):
    d = deadline("self_apply", last, TODAY)
    assert (d.last_day, d.moved_from, d.holidays_unknown) == (moved, last, None)


@pytest.mark.parametrize(
    "last",
    [
        date(2026, 11, 21),  # an ordinary Saturday is no 法定休假日: not moved
        date(2026, 11, 23),  # a workday
        date(2026, 10, 10),  # a Saturday made a workday (调休)
    ],
)
def test_other_last_days_stay(last):
    d = deadline("self_apply", last, TODAY)
    assert (d.last_day, d.moved_from, d.holidays_unknown) == (last, None, None)


def test_a_year_the_calendar_does_not_know_is_not_moved_and_says_so():
    d = deadline("self_apply", date(2099, 10, 1), TODAY)
    assert (d.last_day, d.moved_from, d.holidays_unknown) == (date(2099, 10, 1), None, 2099)


def finish(guide, *inputs):
    flow = GuideFlow(Engine(load_guides()))
    reply, session = flow.start(guide)
    for text in inputs:
        reply, session = flow.answer(session, text, today=TODAY)
    return plain(reply.text)


def test_result_says_why_a_date_moved_and_which_holidays_are_unknown():
    # 2026-09-01 + 30 days = 1 October (国庆节); + 1 year = 2027-09-01, a year not published yet
    text = finish("injury", "at_work", "2026-09-01", "no", "no", "yes", "licensed", "全国")
    assert "最晚 2026年10月8日" in text
    assert "原本是2026年10月1日，遇法定节假日顺延（《民法典》第二百零三条）" in text
    assert "2027年的放假安排还没公布" in text


def test_a_stop_result_carries_the_notes_too():
    text = finish("injury", "at_work", "2026-09-01", "yes")  # excluded: dates inside a sentence
    assert "网点（单位）申请工伤认定的最后一天：原本是2026年10月1日" in text


def test_assessment_deadlines_move_too():
    text = finish("assess", "yes", "yes", "concluded", "2026-09-16", "7", "吉林")
    assert "最晚 2026年10月8日" in text and "原本是2026年10月1日" in text
