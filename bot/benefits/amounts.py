"""The arithmetic and the reply: compute() turns a Request and the Rules into a Benefit (months and
percentages always, yuan where the courier gave the figures, with 本人工资 held between the floor and
cap of 第六十四条), and reply() renders it through the benefit templates. The two lump sums paid on
ending the job are set by each province, so they never get a number.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.benefits.request import Request, parse
from bot.benefits.rules import Grade, Leaving, Rules, WageRule
from bot.render import render


@dataclass(frozen=True)
class WageBase:
    """本人工资 (第六十四条): the wage typed, and the one used after the floor and cap."""

    typed: float
    used: float
    average: float | None = None
    adjusted: str | None = None  # "floor" | "cap" | None


@dataclass(frozen=True)
class Benefit:
    request: Request
    rules: Rules
    grade: Grade | None = None  # None for a death
    leaving: Leaving | None = None  # grades 5–10
    wage: WageBase | None = None  # when a wage was typed
    bounds: tuple[float, float] | None = None  # 本人工资 floor and cap, when the average is known
    lump_sum: float | None = None  # 一次性伤残补助金, yuan
    allowance: float | None = None  # 伤残津贴 per month, yuan (grades 1–6)
    care: tuple[float, ...] | None = None  # 生活护理费 per month for each care level
    funeral: float | None = None  # death: 丧葬补助金
    pension: tuple[float, float, float] | None = None  # death, per month: spouse, other, extra
    death_lump_sum: float | None = None  # death: 一次性工亡补助金

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
            request,
            rules,
            wage=wage,
            bounds=bounds,
            funeral=None if avg is None else _yuan(avg * d.funeral.months),
            pension=None
            if wage is None
            else (
                _yuan(wage.used * p.spouse_percent / 100),
                _yuan(wage.used * p.other_percent / 100),
                _yuan(wage.used * p.extra_percent / 100),
            ),
            death_lump_sum=(
                None if request.income is None else _yuan(request.income * d.lump_sum.times)
            ),
        )
    if request.grade not in rules.grades:
        raise ValueError(f"no rules for grade {request.grade!r}")
    g = rules.grades[request.grade]
    return Benefit(
        request,
        rules,
        grade=g,
        leaving=rules.leaving.get(g.leaving) if g.leaving else None,
        wage=wage,
        bounds=bounds,
        lump_sum=None if wage is None else _yuan(wage.used * g.lump_sum_months),
        allowance=(
            None
            if wage is None or g.allowance_percent is None
            else _yuan(wage.used * g.allowance_percent / 100)
        ),
        care=None
        if avg is None
        else tuple(_yuan(avg * lv.percent / 100) for lv in rules.care.levels),
    )


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
