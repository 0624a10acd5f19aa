"""What a courier typed: parse() finds a disability grade or a death, and the monthly wage, the
local average wage and the national income figure when given, in the ways people write them
(七级伤残 月工资6000, 评了7级工资六千五, 工亡 社平工资7000). No money figure is shipped: these
typed figures are the only ones the amounts are computed from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.benefits.rules import NUMERALS
from bot.text import simplified


@dataclass(frozen=True)
class Request:
    kind: str = "grade"  # "grade" | "death"
    grade: int | None = None
    wage: float | None = None  # monthly wage, yuan
    average: float | None = None  # local (统筹地区) average monthly wage, yuan
    income: float | None = None  # death: 上一年度全国城镇居民人均可支配收入, yuan


_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN = "零〇一二两三四五六七八九十百千万"


def cn_number(text: str) -> int | None:
    """A Chinese numeral as people write money: 八千 8000, 八千五 8500, 一万二 12000, 十五 15."""
    total = section = 0
    digit, unit = None, 1
    for ch in text:
        if ch in _CN_DIGITS:
            if digit is not None:
                return None  # 八五: not how anyone writes a number
            digit = _CN_DIGITS[ch]
            if digit == 0:  # 八千零五: what follows is ones
                digit, unit = None, 10
        elif ch == "万":
            total, section, digit, unit = (total + section + (digit or 0)) * 10_000, 0, None, 10_000
        elif ch in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit, unit = None, _CN_UNITS[ch]
        else:
            return None
    if digit is not None:  # 八千五: a last digit counts in the next unit down
        section += digit * max(unit // 10, 1)
    return total + section


_MULTIPLIER = {"千": 1000, "k": 1000, "K": 1000, "万": 10_000, "w": 10_000, "W": 10_000}
_MONEY = (
    rf"(?P<num>\d+(?:\.\d+)?|[{_CN}]+)(?:(?P<unit>[千万kKwW])(?P<tail>\d(?!\d))?)?"
    r"(?![\d.])(?!\s*(?:级|个|号|日|天|年|岁|%|％))\s*(?:块钱|块|元)?"
)
_FILL = r"[\s:：是为有约大概差不多在就才只算拿到手]*"
_INCOME = re.compile(r"(?:城镇居民)?(?:人均)?可支配收入" + _FILL + _MONEY)
_AVERAGE = re.compile(
    r"(?:社平(?:工资)?|(?:当地|本地|统筹地区|社会|全市|全省|市里|省里|我们那|我们这)"
    r"(?:的)?(?:上年度|去年)?(?:职工)?(?:月)?平均(?:月)?工资|职工(?:月)?平均工资)" + _FILL + _MONEY
)
_WAGE = re.compile(
    r"(?<!年)(?:月工资|月薪|月收入|月入|工资|薪水|一个月|每个月|每月)" + _FILL + _MONEY
)
_WAGE_AFTER = re.compile(_MONEY + r"\s*(?:一个月|每个月|每月|/月)")

_G = r"(10|[1-9]|[一二三四五六七八九十])"
_GRADE = re.compile(rf"(?<![\d.{_CN}上下]){_G}\s*级(?!别)")
_GRADE_NAMED = re.compile(
    rf"(?:伤残等级|残疾等级|伤残)\s*[是为：:]?\s*{_G}(?![\d{_CN}级个次号月日天年])"
)
_GRADE_BEFORE = re.compile(
    r"(?:评|定|鉴定|伤残|残疾|残|等级)\s*(?:了|为|成|是|：|:)?\s*(?:个)?\s*$"
)
_GRADE_AFTER = re.compile(r"\s*(?:伤残|残|工伤)")
_GRADE_CONTEXT = re.compile(r"伤残|残疾|评残|工伤|鉴定|补助金|津贴|赔")
_GRADE_ALONE = re.compile(r"[\s,，.。!！?？~～吗呢啊呀吧的了我是能拿赔给多少钱怎么算有几个月]*")
_DIED = re.compile(r"死亡|去世|过世|身亡")  # a death stated; 工亡 may name only the benefits
_DEATH = re.compile(r"工亡|" + _DIED.pattern)
_DEATH_MONEY = re.compile(
    r"赔|补助|补偿|抚恤|丧葬|待遇|多少钱|能拿|能领|拿多少|领多少|给多少|怎么算"
)
# A worker missing is not (yet) dead: 下落不明 has its own rule (an advance, then 工亡 after a
# court ruling), which the FAQ answers; the death benefits would take the death for granted.
# Only where no death is stated: 丈夫身亡，老板失联了 still asks for the death benefits.
_MISSING = re.compile(r"失联|失踪|下落不明")
MIN_MONEY, MAX_MONEY = 100, 100_000_000  # below 100 yuan it is not a wage someone typed


def _money(m: re.Match) -> float | None:
    num, unit, tail = m.group("num", "unit", "tail")
    value = float(num) if num[0].isdigit() else cn_number(num)
    if value is None:
        return None
    multiplier = _MULTIPLIER.get(unit or "", 1)
    value = value * multiplier + (int(tail) * multiplier / 10 if tail else 0)
    return value if MIN_MONEY <= value <= MAX_MONEY else None


def _take(pattern: re.Pattern, text: str) -> tuple[float | None, str]:
    """The first amount `pattern` finds, and the text with that mention blanked out."""
    for m in pattern.finditer(text):
        value = _money(m)
        if value is not None:
            return value, text[: m.start()] + " " * (m.end() - m.start()) + text[m.end() :]
    return None, text


def _grade_value(token: str) -> int:
    return int(token) if token.isdigit() else NUMERALS.index(token) + 1


def _find_grade(text: str, command: bool) -> int | None:
    """The one grade the text names; None when it names none, or several (一级重还是十级重,
    十级能升九级吗: about the grades themselves, not the amounts for one of them)."""
    named = _GRADE_NAMED.findall(text)
    if len({_grade_value(g) for g in _GRADE.findall(text) + named}) > 1 and not command:
        return None
    if named:
        return _grade_value(named[0])
    for m in _GRADE.finditer(text):
        rest = text[: m.start()] + text[m.end() :]
        if (
            command
            or _GRADE_BEFORE.search(text[: m.start()])
            or _GRADE_AFTER.match(text, m.end())
            or _GRADE_CONTEXT.search(text)
            or _GRADE_ALONE.fullmatch(rest)
        ):
            return _grade_value(m.group(1))
    return None


def parse(text: str, *, command: bool = False) -> Request | None:
    """A grade (七级伤残, 评了7级, 伤残等级是八级) with an optional monthly wage (月工资6000,
    工资6千, 一个月5000块, 月薪八千), local average wage (当地平均工资7000, 社平工资) and, for a
    death (工亡, 去世, 死亡), the national income figure; None when it names neither a grade nor a
    death benefit. command=True is for /benefit's arguments: a death word alone is enough, and bare
    numbers count in order: grade, wage, average (/benefit 7 6000 7000)."""
    text = re.sub(r"(?<=\d)[,，](?=\d{3})", "", simplified(text or ""))
    income, text = _take(_INCOME, text)
    average, text = _take(_AVERAGE, text)
    wage, text = _take(_WAGE, text)
    if wage is None:
        wage, text = _take(_WAGE_AFTER, text)
    missing = _MISSING.search(text) and not _DIED.search(text) and not command
    if (
        _DEATH.search(text)
        and not missing
        and (command or _DEATH_MONEY.search(text) or income or average)
    ):
        return Request("death", wage=wage, average=average, income=income)
    grade = _find_grade(text, command)
    if command:
        for token in re.split(r"[\s,，、/;；]+", text):
            if not token:
                continue
            if grade is None and re.fullmatch(r"10|[1-9]|[一二三四五六七八九十]", token):
                grade = _grade_value(token)
                continue
            m = re.fullmatch(_MONEY, token)
            value = _money(m) if m else None
            if value is not None and wage is None:
                wage = value
            elif value is not None and average is None:
                average = value
    if grade is None:
        return None
    return Request("grade", grade=grade, wage=wage, average=average)
