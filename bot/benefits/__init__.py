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

from bot.benefits.amounts import Benefit, WageBase, compute, personal_wage, reply, wage_bounds
from bot.benefits.request import MAX_MONEY, MIN_MONEY, Request, cn_number, parse
from bot.benefits.rules import (
    DEFAULT_PATH,
    NUMERALS,
    STATUTE,
    BenefitsError,
    Care,
    CareLevel,
    Death,
    DeathLumpSum,
    Funeral,
    Grade,
    Leave,
    Leaving,
    Pension,
    Rules,
    WageRule,
    load,
    number_text,
    statute_articles,
)

__all__ = [
    "DEFAULT_PATH",
    "MAX_MONEY",
    "MIN_MONEY",
    "NUMERALS",
    "STATUTE",
    "Benefit",
    "BenefitsError",
    "Care",
    "CareLevel",
    "Death",
    "DeathLumpSum",
    "Funeral",
    "Grade",
    "Leave",
    "Leaving",
    "Pension",
    "Request",
    "Rules",
    "WageBase",
    "WageRule",
    "cn_number",
    "compute",
    "load",
    "number_text",
    "parse",
    "personal_wage",
    "reply",
    "statute_articles",
    "wage_bounds",
]
