"""Dates couriers type, and the deadlines computed from them (in China's time zone)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

CHINA = ZoneInfo("Asia/Shanghai")
# Days before today; negative ones are ahead, so they are refused as "future", not "format".
_RELATIVE = {
    **dict.fromkeys(("今天", "今日", "今早", "今晨", "今晚"), 0),
    **dict.fromkeys(("昨天", "昨日", "昨晚", "昨夜"), 1),
    "前天": 2,
    "大前天": 3,
    **dict.fromkeys(("明天", "明日", "明早", "明晚"), -1),
    "后天": -2,
    "大后天": -3,
}
_YEARS_BACK = {"今年": 0, "去年": 1, "前年": 2}
_MONTHS_BACK = {"本月": 0, "这个月": 0, "这月": 0, "上月": 1, "上个月": 1}
_WEEKDAYS = {str(n): n - 1 for n in range(1, 8)} | {"日": 6, "天": 6}

_LONGEST = 40  # 二〇二六年十一月二十日下午三点四十五分左右 is 22: anything longer is no date
_CN_DIGITS = str.maketrans("〇零一二两三四五六七八九", "001223456789")
_CN_NUMBER = re.compile(r"[〇零一二两三四五六七八九十廿卅]+")
_CN_TENS = re.compile(r"^([一二两三四五六七八九]?十|廿|卅)([一二三四五六七八九]?)$")
_WIDE = str.maketrans("０１２３４５６７８９－／．：　", "0123456789-/.: ")

# What a courier adds after the date: a time of day and/or a clock time (下午, 晚上10点左右, 15:30).
# Each optional part starts with its own \s*, so no run of spaces can be split in many ways.
_TIME = re.compile(
    r"(?:\s*(?:早上|早晨|清早|清晨|上午|中午|下午|傍晚|晚上|夜里|夜间|半夜|深夜|凌晨|白天))?"
    r"(?:\s*(?<!\d)(?:\d{1,2}[点时](?:\d{1,2}分?|半|\d刻)?|\d{1,2}:\d{2}))?(?:左右|多钟?)?$"
)
_FULL = re.compile(r"^(\d{4}|\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH_DAY = re.compile(r"^(今年|去年|前年)?(\d{1,2})\s*(?:[月/.-]\s*|\s)(\d{1,2})\s*[日号]?$")
_DAY = re.compile(r"^(本月|这个?月|上个?月)?(\d{1,2})\s*[日号]$")
_DAYS_AGO = re.compile(r"^(\d{1,3})\s*[天日]\s*(以?前|之前|以?后|之后)$")
_WEEKDAY = re.compile(r"^(上+|下|这|本)?个?(?:周|星期|礼拜)([1-7日天])$")


class DateError(ValueError):
    """Why a typed date was not accepted; `reason` is a key the templates explain."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "format" | "impossible" | "future" | "too_old"


def china_month(at: datetime | None = None) -> str:
    """The month in China (YYYY-MM) of `at`, else this month: lookups and votes count in it."""
    return (at or datetime.now(CHINA)).astimezone(CHINA).strftime("%Y-%m")


def today() -> date:
    return datetime.now(CHINA).date()


def parse(text: str, now: date | None = None, oldest_years: int = 30) -> date:
    """A past or present date as couriers type it: 2026-03-05, 26年3月5日, 二〇二六年三月五日,
    3月5日 / 3.5 / 3/5 (the last such day), 5号 (this month, or last month's if still ahead),
    今天, 昨天下午, 大前天, 3天前, 上周五. A time of day after the date is ignored."""
    now = now or today()
    text = _normalise(text)
    if len(text) > _LONGEST:
        raise DateError("format")
    found = _relative(text, now) or _calendar(text, now)
    if found is None:
        raise DateError("format")
    if found > now:
        raise DateError("future")
    if found.year < now.year - oldest_years:
        raise DateError("too_old")
    return found


def _normalise(text: str) -> str:
    """ASCII digits and separators, Chinese numerals as digits, the time of day dropped."""
    text = (text or "").strip().translate(_WIDE)
    if len(text) > _LONGEST:
        return text
    text = _CN_NUMBER.sub(lambda m: _cn_number(m.group()), text)
    return _TIME.sub("", text).strip()


def _cn_number(run: str) -> str:
    """十一 → 11, 廿三 → 23, 二〇二六 → 2026 (digit by digit). Anything else is left alone, and
    fails to parse as a date."""
    if m := _CN_TENS.match(run):
        tens = {"廿": 2, "卅": 3}.get(m[1]) or int(m[1][:-1].translate(_CN_DIGITS) or 1)
        return str(tens * 10 + int(m[2].translate(_CN_DIGITS) or 0))
    return run if re.search("[十廿卅]", run) else run.translate(_CN_DIGITS)


def _relative(text: str, now: date) -> date | None:
    """今天, 大前天, 3天前, 上周五 (the Friday of last Monday-to-Sunday week), 周五 (the latest)."""
    if text in _RELATIVE:
        return now - timedelta(days=_RELATIVE[text])
    if m := _DAYS_AGO.match(text):
        days = int(m[1])
        return now - timedelta(days=days if "前" in m[2] else -days)
    if m := _WEEKDAY.match(text):
        weekday = _WEEKDAYS[m[2]]
        if m[1] is None:  # a bare 周五 is the latest Friday, today included
            return now - timedelta(days=(now.weekday() - weekday) % 7)
        weeks = -1 if m[1] == "下" else m[1].count("上")
        return now - timedelta(days=now.weekday() - weekday + 7 * weeks)
    return None


def _calendar(text: str, now: date) -> date | None:
    """A date written with numbers: full, compact, month and day, or day of the month."""
    if m := _FULL.match(text) or _COMPACT.match(text):
        return _make(_full_year(int(m[1]), now), int(m[2]), int(m[3]))
    if m := _MONTH_DAY.match(text):
        month, day = int(m[2]), int(m[3])
        if m[1]:
            return _make(now.year - _YEARS_BACK[m[1]], month, day)
        found = _make(now.year, month, day, or_none=True)
        # "12月28日" typed in January means last December
        return found if found and found <= now else _make(now.year - 1, month, day)
    if m := _DAY.match(text):
        day = int(m[2])
        # a bare "20号" still ahead this month means last month's
        back = _MONTHS_BACK[m[1]] if m[1] else int(day > now.day)
        year, month = divmod(now.year * 12 + now.month - 1 - back, 12)
        return _make(year, month + 1, day)
    return None


def _full_year(year: int, now: date) -> int:
    """26 → 2026; a 2-digit year that would be ahead is the last century's (98 → 1998)."""
    if year >= 100:
        return year
    return 2000 + year if 2000 + year <= now.year else 1900 + year


def _make(year: int, month: int, day: int, or_none: bool = False) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        if or_none:
            return None
        raise DateError("impossible") from None


def add_days(start: date, days: int) -> date:
    """The last day of a period of `days` days counted from the day after `start`."""
    return start + timedelta(days=days)


def add_years(start: date, years: int) -> date:
    """Same month and day `years` later; with no such day (29 Feb), the month's last day."""
    year = start.year + years
    day = min(start.day, calendar.monthrange(year, start.month)[1])
    return date(year, start.month, day)


@dataclass(frozen=True)
class Deadline:
    key: str  # e.g. "employer_apply"; templates give it words
    last_day: date
    today: date
    moved_from: date | None = None  # the last day before a statutory holiday moved it
    holidays_unknown: int | None = None  # a year whose holidays chinese-calendar does not know yet

    @property
    def days_left(self) -> int:
        return (self.last_day - self.today).days

    @property
    def passed(self) -> bool:
        return self.days_left < 0


def deadline(key: str, last_day: date, today: date) -> Deadline:
    """A Deadline whose last day is moved past a statutory holiday. 《民法典》第二百零三条:
    "期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日。"
    chinese-calendar knows holidays only up to the year its release was made for and raises for
    the others: such a last day stays as computed, marked so the result can say so."""
    day = last_day
    try:
        while _statutory_holiday(day):
            day += timedelta(days=1)
    except NotImplementedError:
        return Deadline(key, day, today, _moved(last_day, day), holidays_unknown=day.year)
    return Deadline(key, day, today, _moved(last_day, day))


def _moved(before: date, after: date) -> date | None:
    return before if after != before else None


def _statutory_holiday(day: date) -> bool:
    """A day of a holiday the State Council announces (国庆节, 春节 …), weekends inside it included.
    An ordinary Saturday or Sunday does not count: 第二百零三条 names 法定休假日, not every rest
    day. Some courts do extend a period that ends on a weekend, but a last day shown a weekend too
    early costs a courier nothing, one shown too late can cost the claim."""
    on_holiday, name = chinese_calendar.get_holiday_detail(day)
    return bool(on_holiday and name)


def working_day_after(start: date, days: int) -> date:
    """The `days`-th working day after `start`: weekends and statutory holidays skipped, the
    weekend days worked in their place (调休) counted. In a year chinese-calendar does not know
    yet, Monday to Friday count."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        days -= _working(day)
    return day


def _working(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5
