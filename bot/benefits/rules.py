"""The rules of faq/benefits.toml, checked against 《工伤保险条例》 第三十三–三十九条、第六十四条: every
number there sits in a verbatim quote of its article, and load() refuses the file otherwise (a
BenefitsError names the table). The dataclasses here are what the arithmetic and the templates read.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from bot.faq import sources

DEFAULT_PATH = Path(__file__).resolve().parent.parent.parent / "faq" / "benefits.toml"
STATUTE = "tiaoli"  # the registry key of 《工伤保险条例》, the only text the amounts come from
NUMERALS = "一二三四五六七八九十"  # grade n is NUMERALS[n - 1] + "级"


class BenefitsError(ValueError):
    """A broken faq/benefits.toml; the message names the table."""


@dataclass(frozen=True)
class Grade:
    grade: int
    lump_sum_months: int  # 一次性伤残补助金, months of 本人工资
    lump_sum_payer: str
    source: str
    quote: str
    allowance_percent: int | None = None  # 伤残津贴 per month, % of 本人工资 (grades 1–6)
    allowance_payer: str | None = None  # 工伤保险基金 (1–4) or 用人单位 (5–6)
    allowance_when: str | None = None
    allowance_topup: str | None = None
    allowance_insurance: str | None = None
    retirement: str | None = None
    leaving: str | None = None  # key of Rules.leaving (grades 5–10)

    @property
    def name(self) -> str:
        return f"{NUMERALS[self.grade - 1]}级"


@dataclass(frozen=True)
class Leaving:  # ending the job: grades 5–6 (第三十六条), 7–10 (第三十七条)
    when: str
    medical_payer: str
    employment_payer: str
    standard: str  # set by the province: never a number
    source: str
    quote: str


@dataclass(frozen=True)
class CareLevel:
    name: str
    percent: int


@dataclass(frozen=True)
class Care:  # 生活护理费, 第三十四条
    when: str
    payer: str
    base: str
    levels: tuple[CareLevel, ...]
    source: str
    quote: str


@dataclass(frozen=True)
class Leave:  # 停工留薪期, 第三十三条
    pay: str
    months: int
    extension_months: int
    extension_when: str
    after_grading: str
    care: str
    source: str
    quote: str


@dataclass(frozen=True)
class WageRule:  # 本人工资, 第六十四条
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
class Death:  # 第三十九条
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
    articles: dict[str, str]  # "第三十五条" -> the article's text, from faq/sources.toml


_SOURCE = re.compile(r"《工伤保险条例》(第[一二三四五六七八九十百]+条)")
_NOT_QUOTED = {"source", "quote", "leaving", "levels", "grade"}  # references, lists, the grade


def number_text(value: int | float) -> str:
    """How a number of the data is written in the articles: 27, 90, 300."""
    return f"{value:g}"


def _check_rule(table: dict, where: str, articles: dict[str, str]) -> None:
    """source names an article we hold, quote is a verbatim passage of it, and every number and
    text of the table (and of its inline lists) is in the quote."""
    match = _SOURCE.fullmatch(str(table.get("source", "")))
    if not match or match.group(1) not in articles:
        raise BenefitsError(
            f"{where}: source must be 《工伤保险条例》第X条 for an article in "
            f"faq/sources.toml, not {table.get('source')!r}"
        )
    quote = table.get("quote")
    if not isinstance(quote, str) or not quote.strip():
        raise BenefitsError(f"{where}: quote is missing")
    if not sources.occurs_in(quote, articles[match.group(1)]):
        raise BenefitsError(f"{where}: quote is not a verbatim passage of {match.group(0)}")
    items = [(where, table)] + [
        (f"{where}.levels[{i}]", item) for i, item in enumerate(table.get("levels", []))
    ]
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
        raise BenefitsError(
            f"{where}: the quote does not say {name}为{g.lump_sum_months}个月的本人工资"
        )
    allowance = (g.allowance_percent, g.allowance_payer, g.allowance_when)
    if any(v is not None for v in allowance) and None in allowance:
        raise BenefitsError(
            f"{where}: allowance_percent, allowance_payer and allowance_when go together"
        )
    if (
        g.allowance_percent is not None
        and f"{name}为本人工资的{g.allowance_percent}%" not in g.quote
    ):
        raise BenefitsError(
            f"{where}: the quote does not say {name}为本人工资的{g.allowance_percent}%"
        )
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
        death = _build(
            Death,
            d,
            "death",
            funeral=_build(Funeral, d["funeral"], "death.funeral"),
            pension=_build(Pension, d["pension"], "death.pension"),
            lump_sum=_build(DeathLumpSum, d["lump_sum"], "death.lump_sum"),
        )
        care = _build(
            Care,
            data["care"],
            "care",
            levels=tuple(_build(CareLevel, lv, "care.levels") for lv in data["care"]["levels"]),
        )
        return Rules(
            grades,
            leaving,
            care,
            _build(Leave, data["leave"], "leave"),
            _build(WageRule, data["wage"], "wage"),
            death,
            articles,
        )
    except KeyError as exc:
        raise BenefitsError(f"{path}: missing {exc.args[0]}") from None
