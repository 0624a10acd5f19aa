"""Work-injury benefits by disability grade, computed from 《工伤保险条例》 第三十三–三十九条、第六十四条.

The rules are data (faq/benefits.toml): every number there sits in a verbatim quote of its article,
and load() refuses the file otherwise. No money figure is shipped: the courier's wage, the local
average wage and the national income figure are typed by the courier, and the two lump sums paid on
ending the job are set by each province, so they never get a number.

    rules = load()
    request = parse("七级伤残 月工资6000")          # Request(kind="grade", grade=7, wage=6000.0)
    benefit = compute(request, rules)              # benefit.lump_sum == 78000.0
    html = reply("七级伤残 月工资6000", rules)      # the rendered message
"""
from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from bot.faq import sources
from bot.render import render
from bot.text import simplified

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "faq" / "benefits.toml"
STATUTE = "tiaoli"   # the registry key of 《工伤保险条例》, the only text the amounts come from
NUMERALS = "一二三四五六七八九十"                 # grade n is NUMERALS[n - 1] + "级"


class BenefitsError(ValueError):
    """A broken faq/benefits.toml; the message names the table."""


# ---------------------------------------------------------------------------- the rules (data)

@dataclass(frozen=True)
class Grade:
    grade: int
    lump_sum_months: int                  # 一次性伤残补助金, months of 本人工资
    lump_sum_payer: str
    source: str
    quote: str
    allowance_percent: int | None = None  # 伤残津贴 per month, % of 本人工资 (grades 1–6)
    allowance_payer: str | None = None    # 工伤保险基金 (1–4) or 用人单位 (5–6)
    allowance_when: str | None = None
    allowance_topup: str | None = None
    allowance_insurance: str | None = None
    retirement: str | None = None
    leaving: str | None = None            # key of Rules.leaving (grades 5–10)

    @property
    def name(self) -> str:
        return f"{NUMERALS[self.grade - 1]}级"


@dataclass(frozen=True)
class Leaving:                            # ending the job: grades 5–6 (第三十六条), 7–10 (第三十七条)
    when: str
    medical_payer: str
    employment_payer: str
    standard: str                         # set by the province: never a number
    source: str
    quote: str


@dataclass(frozen=True)
class CareLevel:
    name: str
    percent: int


@dataclass(frozen=True)
class Care:                               # 生活护理费, 第三十四条
    when: str
    payer: str
    base: str
    levels: tuple[CareLevel, ...]
    source: str
    quote: str


@dataclass(frozen=True)
class Leave:                              # 停工留薪期, 第三十三条
    pay: str
    months: int
    extension_months: int
    extension_when: str
    after_grading: str
    care: str
    source: str
    quote: str


@dataclass(frozen=True)
class WageRule:                           # 本人工资, 第六十四条
    definition: str
    months: int
    floor_percent: int
    cap_percent: int
    average: str
    source: str
    quote: str


@dataclass(frozen=True)
class Funeral:
    months: int
    base: str
    source: str
    quote: str


@dataclass(frozen=True)
class Pension:
    who: str
    spouse_percent: int
    other_percent: int
    extra_percent: int
    extra_for: str
    cap: str
    source: str
    quote: str


@dataclass(frozen=True)
class DeathLumpSum:
    times: int
    base: str
    source: str
    quote: str


@dataclass(frozen=True)
class Death:                              # 第三十九条
    payer: str
    in_leave: str
    after_leave: str
    source: str
    quote: str
    funeral: Funeral
    pension: Pension
    lump_sum: DeathLumpSum


@dataclass(frozen=True)
class Rules:
    grades: dict[int, Grade]
    leaving: dict[str, Leaving]
    care: Care
    leave: Leave
    wage: WageRule
    death: Death
    articles: dict[str, str]              # "第三十五条" -> the article's text, from faq/sources.toml


_SOURCE = re.compile(r"《工伤保险条例》(第[一二三四五六七八九十百]+条)")
_NOT_QUOTED = {"source", "quote", "leaving", "levels", "grade"}   # references, lists, the grade


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def number_text(value: int | float) -> str:
    """How a number of the data is written in the articles: 27, 90, 300."""
    return f"{value:g}"


def _check_rule(table: dict, where: str, articles: dict[str, str]) -> None:
    """source names an article we hold, quote is a verbatim passage of it, and every number and
    text of the table (and of its inline lists) is in the quote."""
    match = _SOURCE.fullmatch(str(table.get("source", "")))
    if not match or match.group(1) not in articles:
        raise BenefitsError(f"{where}: source must be 《工伤保险条例》第X条 for an article in "
                            f"faq/sources.toml, not {table.get('source')!r}")
    quote = table.get("quote")
    if not isinstance(quote, str) or not quote.strip():
        raise BenefitsError(f"{where}: quote is missing")
    if _squash(quote) not in _squash(articles[match.group(1)]):
        raise BenefitsError(f"{where}: quote is not a verbatim passage of {match.group(0)}")
    items = [(where, table)] + [(f"{where}.levels[{i}]", item)
                                for i, item in enumerate(table.get("levels", []))]
    for place, item in items:
        for key, value in item.items():
            if key in _NOT_QUOTED or isinstance(value, dict):
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise BenefitsError(f"{place}.{key}: must be a number or a text")
            text = value if isinstance(value, str) else number_text(value)
            if text not in quote:
                raise BenefitsError(f"{place}.{key} = {value!r} is not in its quote")


def _build(cls, table: dict, where: str, **parts):
    """cls from a table: every key must be a field; nested tables come in `parts`."""
    fields = {f.name for f in dataclasses.fields(cls)}
    data = {k: v for k, v in table.items() if k not in parts}
    unknown = set(data) - fields
    if unknown:
        raise BenefitsError(f"{where}: unknown key {sorted(unknown)[0]}")
    try:
        return cls(**data, **parts)
    except TypeError as exc:
        raise BenefitsError(f"{where}: {exc}") from None


def _check_grade(g: Grade, leaving: dict[str, Leaving]) -> None:
    where, name = f"grade {g.grade}", f"{NUMERALS[g.grade - 1]}级伤残"
    if f"{name}为{g.lump_sum_months}个月的本人工资" not in g.quote:
        raise BenefitsError(f"{where}: the quote does not say {name}为{g.lump_sum_months}个月的本人工资")
    allowance = (g.allowance_percent, g.allowance_payer, g.allowance_when)
    if any(v is not None for v in allowance) and None in allowance:
        raise BenefitsError(f"{where}: allowance_percent, allowance_payer and allowance_when "
                            "go together")
    if g.allowance_percent is not None and f"{name}为本人工资的{g.allowance_percent}%" not in g.quote:
        raise BenefitsError(f"{where}: the quote does not say {name}为本人工资的{g.allowance_percent}%")
    if g.leaving is not None and g.leaving not in leaving:
        raise BenefitsError(f"{where}: leaving = {g.leaving!r} is not a [leaving.*] table")


def statute_articles(faq_dir: Path = DEFAULT_PATH.parent) -> dict[str, str]:
    """《工伤保险条例》 as the source registry holds it: "第三十五条" -> the article's text."""
    try:
        registry = sources.load(faq_dir / "sources.toml", faq_dir / "texts")
    except sources.SourceError as exc:
        raise BenefitsError(str(exc)) from None
    return registry.articles(STATUTE)


def load(path: Path | str = DEFAULT_PATH, articles: dict[str, str] | None = None) -> Rules:
    """The rules in faq/benefits.toml, checked against the articles (by default the registry's
    《工伤保险条例》); BenefitsError names what is wrong."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise BenefitsError(f"{path}: {exc}") from None
    articles = statute_articles() if articles is None else articles
    try:
        tables = [(f"grade {t.get('grade')}", t) for t in data["grade"]]
        tables += [(f"leaving.{k}", t) for k, t in data["leaving"].items()]
        tables += [(k, data[k]) for k in ("care", "leave", "wage", "death")]
        tables += [(f"death.{k}", data["death"][k]) for k in ("funeral", "pension", "lump_sum")]
        for where, table in tables:
            _check_rule(table, where, articles)
        leaving = {k: _build(Leaving, t, f"leaving.{k}") for k, t in data["leaving"].items()}
        grades = {}
        for table in data["grade"]:
            g = _build(Grade, table, f"grade {table.get('grade')}")
            if not isinstance(g.grade, int) or not 1 <= g.grade <= 10 or g.grade in grades:
                raise BenefitsError(f"grade {g.grade}: grades are 1 to 10, each once")
            _check_grade(g, leaving)
            grades[g.grade] = g
        if sorted(grades) != list(range(1, 11)):
            raise BenefitsError("grade: every grade from 1 to 10 needs a table")
        d = data["death"]
        death = _build(Death, d, "death",
                       funeral=_build(Funeral, d["funeral"], "death.funeral"),
                       pension=_build(Pension, d["pension"], "death.pension"),
                       lump_sum=_build(DeathLumpSum, d["lump_sum"], "death.lump_sum"))
        care = _build(Care, data["care"], "care",
                      levels=tuple(_build(CareLevel, lv, "care.levels")
                                   for lv in data["care"]["levels"]))
        return Rules(grades, leaving, care, _build(Leave, data["leave"], "leave"),
                     _build(WageRule, data["wage"], "wage"), death, articles)
    except KeyError as exc:
        raise BenefitsError(f"{path}: missing {exc.args[0]}") from None


# ------------------------------------------------------------------------- what the courier typed

@dataclass(frozen=True)
class Request:
    kind: str = "grade"               # "grade" | "death"
    grade: int | None = None
    wage: float | None = None         # monthly wage, yuan
    average: float | None = None      # local (统筹地区) average monthly wage, yuan
    income: float | None = None       # death: 上一年度全国城镇居民人均可支配收入, yuan


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN = "零〇一二两三四五六七八九十百千万"


def cn_number(text: str) -> int | None:
    """A Chinese numeral as people write money: 八千 8000, 八千五 8500, 一万二 12000, 十五 15."""
    total = section = 0
    digit, unit = None, 1
    for ch in text:
        if ch in _CN_DIGITS:
            if digit is not None:
                return None                       # 八五: not how anyone writes a number
            digit = _CN_DIGITS[ch]
            if digit == 0:                        # 八千零五: what follows is ones
                digit, unit = None, 10
        elif ch == "万":
            total, section, digit, unit = (total + section + (digit or 0)) * 10_000, 0, None, 10_000
        elif ch in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit, unit = None, _CN_UNITS[ch]
        else:
            return None
    if digit is not None:                         # 八千五: a last digit counts in the next unit down
        section += digit * max(unit // 10, 1)
    return total + section


_MULTIPLIER = {"千": 1000, "k": 1000, "K": 1000, "万": 10_000, "w": 10_000, "W": 10_000}
_MONEY = (rf"(?P<num>\d+(?:\.\d+)?|[{_CN}]+)(?:(?P<unit>[千万kKwW])(?P<tail>\d(?!\d))?)?"
          r"(?![\d.])(?!\s*(?:级|个|号|日|天|年|岁|%|％))\s*(?:块钱|块|元)?")
_FILL = r"[\s:：是为有约大概差不多在就才只算拿到手]*"
_INCOME = re.compile(r"(?:城镇居民)?(?:人均)?可支配收入" + _FILL + _MONEY)
_AVERAGE = re.compile(r"(?:社平(?:工资)?|(?:当地|本地|统筹地区|社会|全市|全省|市里|省里|我们那|我们这)"
                      r"(?:的)?(?:上年度|去年)?(?:职工)?(?:月)?平均(?:月)?工资|职工(?:月)?平均工资)"
                      + _FILL + _MONEY)
_WAGE = re.compile(r"(?<!年)(?:月工资|月薪|月收入|月入|工资|薪水|一个月|每个月|每月)" + _FILL + _MONEY)
_WAGE_AFTER = re.compile(_MONEY + r"\s*(?:一个月|每个月|每月|/月)")

_G = r"(10|[1-9]|[一二三四五六七八九十])"
_GRADE = re.compile(rf"(?<![\d.{_CN}上下]){_G}\s*级(?!别)")
_GRADE_NAMED = re.compile(rf"(?:伤残等级|残疾等级|伤残)\s*[是为：:]?\s*{_G}(?![\d{_CN}级个次号月日天年])")
_GRADE_BEFORE = re.compile(r"(?:评|定|鉴定|伤残|残疾|残|等级)\s*(?:了|为|成|是|：|:)?\s*(?:个)?\s*$")
_GRADE_AFTER = re.compile(r"\s*(?:伤残|残|工伤)")
_GRADE_CONTEXT = re.compile(r"伤残|残疾|评残|工伤|鉴定|补助金|津贴|赔")
_GRADE_ALONE = re.compile(r"[\s,，.。!！?？~～吗呢啊呀吧的了我是能拿赔给多少钱怎么算有几个月]*")
_DEATH = re.compile(r"工亡|死亡|去世|过世|身亡")
_DEATH_MONEY = re.compile(r"赔|补助|补偿|抚恤|丧葬|待遇|多少钱|能拿|能领|拿多少|领多少|给多少|怎么算")
MIN_MONEY, MAX_MONEY = 100, 100_000_000   # below 100 yuan it is not a wage someone typed


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
            return value, text[:m.start()] + " " * (m.end() - m.start()) + text[m.end():]
    return None, text


def _grade_value(token: str) -> int:
    return int(token) if token.isdigit() else NUMERALS.index(token) + 1


def _find_grade(text: str, command: bool) -> int | None:
    m = _GRADE_NAMED.search(text)
    if m:
        return _grade_value(m.group(1))
    for m in _GRADE.finditer(text):
        rest = text[:m.start()] + text[m.end():]
        if (command or _GRADE_BEFORE.search(text[:m.start()]) or _GRADE_AFTER.match(text, m.end())
                or _GRADE_CONTEXT.search(text) or _GRADE_ALONE.fullmatch(rest)):
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
    if _DEATH.search(text) and (command or _DEATH_MONEY.search(text) or income or average):
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


# ---------------------------------------------------------------------------- the arithmetic

@dataclass(frozen=True)
class WageBase:
    """本人工资 (第六十四条): the wage typed, and the one used after the floor and cap."""
    typed: float
    used: float
    average: float | None = None
    adjusted: str | None = None       # "floor" | "cap" | None


@dataclass(frozen=True)
class Benefit:
    request: Request
    rules: Rules
    grade: Grade | None = None                  # None for a death
    leaving: Leaving | None = None              # grades 5–10
    wage: WageBase | None = None                # when a wage was typed
    bounds: tuple[float, float] | None = None   # 本人工资 floor and cap, when the average is known
    lump_sum: float | None = None               # 一次性伤残补助金, yuan
    allowance: float | None = None              # 伤残津贴 per month, yuan (grades 1–6)
    care: tuple[float, ...] | None = None       # 生活护理费 per month for each care level
    funeral: float | None = None                # death: 丧葬补助金
    pension: tuple[float, float, float] | None = None  # death, per month: spouse, other, extra
    death_lump_sum: float | None = None         # death: 一次性工亡补助金

    @property
    def kind(self) -> str:
        return self.request.kind


def _yuan(value: float) -> float:
    return round(value, 2)


def wage_bounds(average: float, rule: WageRule) -> tuple[float, float]:
    """The floor and cap of 本人工资 for a local average wage (第六十四条)."""
    return _yuan(average * rule.floor_percent / 100), _yuan(average * rule.cap_percent / 100)


def personal_wage(wage: float, average: float | None, rule: WageRule) -> WageBase:
    """本人工资: below floor_percent of the average counts as that, above cap_percent as that."""
    if average is None:
        return WageBase(wage, wage)
    floor, cap = wage_bounds(average, rule)
    if wage < floor:
        return WageBase(wage, floor, average, "floor")
    if wage > cap:
        return WageBase(wage, cap, average, "cap")
    return WageBase(wage, wage, average)


def compute(request: Request, rules: Rules) -> Benefit:
    """The benefit for `request`: months and percentages always, yuan where figures are given."""
    wage = personal_wage(request.wage, request.average, rules.wage) if request.wage else None
    avg = request.average
    bounds = None if avg is None else wage_bounds(avg, rules.wage)
    if request.kind == "death":
        p, d = rules.death.pension, rules.death
        return Benefit(
            request, rules, wage=wage, bounds=bounds,
            funeral=None if avg is None else _yuan(avg * d.funeral.months),
            pension=None if wage is None else tuple(_yuan(wage.used * pct / 100) for pct in (
                p.spouse_percent, p.other_percent, p.extra_percent)),
            death_lump_sum=(None if request.income is None
                            else _yuan(request.income * d.lump_sum.times)))
    if request.grade not in rules.grades:
        raise ValueError(f"no rules for grade {request.grade!r}")
    g = rules.grades[request.grade]
    return Benefit(
        request, rules, grade=g, leaving=rules.leaving.get(g.leaving) if g.leaving else None,
        wage=wage, bounds=bounds,
        lump_sum=None if wage is None else _yuan(wage.used * g.lump_sum_months),
        allowance=(None if wage is None or g.allowance_percent is None
                   else _yuan(wage.used * g.allowance_percent / 100)),
        care=None if avg is None else tuple(_yuan(avg * lv.percent / 100)
                                            for lv in rules.care.levels))


def reply(text: str, rules: Rules, *, command: bool = False) -> str | None:
    """Telegram HTML for `text`: the benefit; for /benefit (command=True) with no or bad arguments
    the usage; None for a chat message that names no grade or death benefit."""
    request = parse(text, command=command)
    if request is None:
        if not command:
            return None
        return render("benefit_usage", asked=bool(text.strip()), text=text.strip())
    benefit = compute(request, rules)
    return render("benefit_death" if benefit.kind == "death" else "benefit", b=benefit)
