"""Typed dates and the deadlines computed from them."""

from datetime import date

import pytest

from bot.dates import DateError, Deadline, add_days, add_years, parse

TODAY = date(2026, 11, 23)


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
        ("明天", "format"),
        ("2026-11-24", "future"),
        ("2026年12月1日", "future"),
        ("1890-01-01", "too_old"),
        ("😀", "format"),
        ("9" * 400, "format"),
        ("2026-3-5-7", "format"),
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
