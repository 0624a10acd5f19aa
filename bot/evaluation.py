"""Scoring the matcher on a labelled question set (tests/data/paraphrases.toml by default)."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from bot.matcher import Matcher

DEFAULT_CASES = Path(__file__).resolve().parent.parent / "tests" / "data" / "paraphrases.toml"


@dataclass
class Outcome:
    q: str
    expected: str            # topic, or "" for "must refuse"
    got: str                 # topic answered, or "" when refused
    region: str | None
    expect_region: str | None
    got_region: str | None
    score: float

    @property
    def ok(self) -> bool:
        region_ok = self.expect_region is None or self.expect_region == self.got_region
        return self.expected == self.got and region_ok


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def share(self, keep) -> tuple[int, int]:
        rows = [o for o in self.outcomes if keep(o)]
        return sum(o.ok for o in rows), len(rows)

    def summary(self) -> str:
        ok, n = self.share(lambda o: True)
        ans_ok, ans_n = self.share(lambda o: o.expected)
        ref_ok, ref_n = self.share(lambda o: not o.expected)
        return (f"accuracy {ok}/{n} = {ok / max(n, 1):.1%}; in scope {ans_ok}/{ans_n}; "
                f"refusals {ref_ok}/{ref_n}")

    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]


def load_cases(path: Path | str = DEFAULT_CASES) -> list[dict]:
    with open(path, "rb") as fh:
        return tomllib.load(fh)["case"]


def evaluate(matcher: Matcher, cases: list[dict]) -> Report:
    report = Report()
    for case in cases:
        m = matcher.match(case["q"], case.get("region"))
        report.outcomes.append(Outcome(
            q=case["q"], expected=case["topic"], got=m.entry.topic if m.entry else "",
            region=case.get("region"), expect_region=case.get("expect_region"),
            got_region=m.region, score=m.score,
        ))
    return report
