"""Dates couriers type, and the deadlines computed from them (in China's time zone)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")
_RELATIVE = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}
_FULL = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*[日号]?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


class DateError(ValueError):
    """Why a typed date was not accepted; `reason` is a key the templates explain."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "format" | "impossible" | "future" | "too_old"


def today() -> date:
    return datetime.now(CHINA).date()


def parse(text: str, now: date | None = None, oldest_years: int = 30) -> date:
    """A past or present date from 2026-03-05, 2026/3/5, 2026年3月5日, 3月5日 (the last such day),
    今天, 昨天, 前天."""
    now = now or today()
    text = (text or "").strip().replace("　", " ")
    text = text.translate(str.maketrans("０１２３４５６７８９－／．", "0123456789-/."))
    if text in _RELATIVE:
        return now - timedelta(days=_RELATIVE[text])
    if m := _FULL.match(text) or _COMPACT.match(text):
        (y, mo, d), year_given = (int(g) for g in m.groups()), True
    elif m := _MONTH_DAY.match(text):
        (mo, d), y, year_given = (int(g) for g in m.groups()), now.year, False
    else:
        raise DateError("format")
    try:
        found = date(y, mo, d)
        if found > now and not year_given:
            found = date(y - 1, mo, d)  # "12月28日" typed in January means last December
    except ValueError:
        raise DateError("impossible") from None
    if found > now:
        raise DateError("future")
    if found.year < now.year - oldest_years:
        raise DateError("too_old")
    return found


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

    @property
    def days_left(self) -> int:
        return (self.last_day - self.today).days

    @property
    def passed(self) -> bool:
        return self.days_left < 0
