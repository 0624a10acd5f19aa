"""Premium estimate for outlet managers: headcount × yearly base wage × rate.

Only rates and bases that a source gives (or an operator configures) are used; the one rate the
seed documents state is Jining's 0.4% (济宁方案 三（二）). No wage figure is shipped: the base must
be configured under [premium.REGION] or typed by the manager.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field

from bot import regions

JINING_SOURCE = "《济宁市推进基层快递网点优先参加工伤保险工作方案》三（二）"  # data: a citation


@dataclass(frozen=True)
class PremiumRule:
    region: str
    rate: float | None = None  # share of the base, e.g. 0.004 for 0.4%
    base: float | None = None  # yearly base wage per insured person, yuan
    source: str = ""  # where the rate (and base) come from


DEFAULT_RULES: tuple[PremiumRule, ...] = (PremiumRule("济宁", rate=0.004, source=JINING_SOURCE),)

MAX_HEADCOUNT = 100_000
MAX_RATE = 0.1


class PremiumConfigError(ValueError):
    """A bad [premium] table; the message names the key."""


def parse_rules(table: dict) -> tuple[PremiumRule, ...]:
    """[premium.REGION] tables from the config, on top of the shipped rules (a configured key
    replaces the shipped one; the others are kept)."""
    rules = {r.region: r for r in DEFAULT_RULES}
    for name, value in table.items():
        region = regions.canonical(name)
        if region is None:
            raise PremiumConfigError(f"premium.{name} is not a known region")
        if not isinstance(value, dict):
            raise PremiumConfigError(f"premium.{name} must be a table with rate, base, source")
        for key, item in value.items():
            if key not in ("rate", "base", "source"):
                raise PremiumConfigError(f"unknown key premium.{name}.{key}")
            if key == "source" and not isinstance(item, str):
                raise PremiumConfigError(f"premium.{name}.source must be a string")
            if key != "source" and (isinstance(item, bool) or not isinstance(item, (int, float))):
                raise PremiumConfigError(f"premium.{name}.{key} must be a number")
        rate, base = value.get("rate"), value.get("base")
        if rate is not None and not 0 < rate <= MAX_RATE:
            raise PremiumConfigError(
                f"premium.{name}.rate must be a share above 0 and at most {MAX_RATE} (0.004 = 0.4%)"
            )
        if base is not None and base <= 0:
            raise PremiumConfigError(f"premium.{name}.base must be a positive yearly wage in yuan")
        old = rules.get(region, PremiumRule(region))
        rules[region] = PremiumRule(
            region,
            rate=float(rate) if rate is not None else old.rate,
            base=float(base) if base is not None else old.base,
            source=value.get("source", old.source if rate is None else ""),
        )
    return tuple(rules.values())


def rule_for(rules: tuple[PremiumRule, ...], region: str | None) -> PremiumRule | None:
    """The rule for `region`, else its parent province's (济宁 -> 山东), else None."""
    by_region = {r.region: r for r in rules}
    for r in regions.fallback_chain(region):
        if r in by_region:
            return by_region[r]
    return None


@dataclass
class Request:
    headcount: int | None = None
    base: float | None = None
    rate: float | None = None
    region: str | None = None
    problems: list[str] = field(default_factory=list)  # codes, rendered by the template


_NUMBER = re.compile(r"(-?\d+(?:\.\d+)?)\s*(%|％|万)?")  # the sign is kept: -3 people is no count


def parse_request(text: str) -> Request:
    """'12 98000 0.4% 济宁' -> headcount, yearly base, rate and region, in any order: the first
    whole number is the headcount, a number with % the rate, another number the base
    (万 = ×10 000), a region name the region."""
    req = Request()
    text = unicodedata.normalize("NFKC", text)
    for word in re.split(r"[\s,，、]+", text):
        region = regions.canonical(re.sub(r"[\d.%万元人/年]+", "", word))
        if region:
            req.region = region
    for match in _NUMBER.finditer(text.replace(",", "")):
        value, unit = float(match.group(1)), match.group(2)
        if unit == "%":
            req.rate = value / 100
        elif unit == "万":
            req.base = value * 10_000
        elif req.headcount is None and value.is_integer():  # not int(value): may be inf
            req.headcount = int(value)
        else:
            req.base = value
    if req.headcount is not None and not 1 <= req.headcount <= MAX_HEADCOUNT:
        req.problems.append("headcount")
    if req.rate is not None and not 0 < req.rate <= MAX_RATE:
        req.problems.append("rate")
    if req.base is not None and not 0 < req.base < math.inf:  # 400 digits parse as inf
        req.problems.append("base")
    return req


@dataclass
class Estimate:
    headcount: int
    base: float
    rate: float
    region: str | None
    base_typed: bool
    rate_typed: bool
    rule: PremiumRule | None

    @property
    def yearly(self) -> float:
        return self.headcount * self.base * self.rate

    @property
    def monthly(self) -> float:
        return self.yearly / 12

    @property
    def per_person(self) -> float:
        return self.base * self.rate


def estimate(req: Request, rule: PremiumRule | None) -> Estimate | None:
    """The estimate, or None while the headcount, base or rate is still unknown."""
    base = req.base if req.base is not None else (rule.base if rule else None)
    rate = req.rate if req.rate is not None else (rule.rate if rule else None)
    if req.problems or req.headcount is None or base is None or rate is None:
        return None
    return Estimate(
        req.headcount,
        base,
        rate,
        req.region or (rule.region if rule else None),
        base_typed=req.base is not None,
        rate_typed=req.rate is not None,
        rule=rule,
    )
