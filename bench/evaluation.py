"""Scoring understanding on labelled sets: paraphrases, real questions (dev / test), off-topic
messages and small talk. Every message goes through the whole core (Assistant.understand), so a
real question counts as right only when the reply's text — answer and 「接下来」 lines — holds
every key fact its label names."""

from __future__ import annotations

import statistics
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from bot.render import plain
from bot.text import clean

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
DEFAULT_CASES = DATA / "paraphrases.toml"
ANSWERS = {"benefit"}  # replies that state facts without an FAQ entry
# The topics whose facts the calculator's reply states (bot/templates/benefit*.j2): for grade n,
# the subsidy, leaving the job (the provinces set those sums), the wage base, nursing and the pay
# before grading; for a death, the three death benefits.
CALCULATED = {
    "benefit.disability_subsidy",
    "benefit.leave_job",
    "benefit.lump_sums_by_province",
    "benefit.wage_base",
    "benefit.nursing",
    "benefit.stop_work_pay",
    "benefit.death",
}


@dataclass
class Outcome:
    q: str
    answered: bool
    right: bool
    top3: bool
    ms: float
    got: str = ""  # entry id or intent the reply gave
    needs_followups: bool = False


@dataclass
class Report:
    name: str
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, keep) -> int:
        return sum(1 for o in self.outcomes if keep(o))

    def row(self) -> dict:
        n = len(self.outcomes)
        ms = sorted(o.ms for o in self.outcomes) or [0.0]
        return {
            "set": self.name,
            "n": n,
            "right": self.count(lambda o: o.right),
            "wrong": self.count(lambda o: o.answered and not o.right),
            "declined": self.count(lambda o: not o.answered),
            "top3": self.count(lambda o: o.top3),
            "p50_ms": round(statistics.median(ms), 2),
            "p99_ms": round(ms[min(len(ms) - 1, int(len(ms) * 0.99))], 2),
            "via_followups": self.count(lambda o: o.right and o.needs_followups),
        }

    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.right]


def load(path: Path | str, key: str = "q") -> list[dict]:
    with open(path, "rb") as fh:
        return tomllib.load(fh).get(key, [])


def load_cases(path: Path | str = DEFAULT_CASES) -> list[dict]:
    return load(path, "case")


def has_facts(text: str, facts: list[str]) -> bool:
    """Every fact (alternatives split by |) is in the text, spaces and punctuation aside."""
    text = clean(text)
    return all(any(clean(alt) in text for alt in fact.split("|")) for fact in facts)


# One message of each kind of reply: the first reply of a kind compiles its templates, a one-off
# at start that no courier waits for. Not from any set, so no set's own text is cached.
WARM_UP = (
    "哈喽哈喽",
    "七级伤残能拿多少钱呀",
    "工亡了 丧葬费咋算",
    "快递员摔伤了要怎么报工伤",
    "明天会下雨吗",
    "？？",
)


def warm_up(assistant) -> None:
    for text in WARM_UP:
        assistant.understand(text, None)


def _run(assistant, text: str, region: str | None):
    start = time.perf_counter()
    reply = assistant.understand(text, region)
    return reply, (time.perf_counter() - start) * 1000


def _entry(reply):
    return reply.match.entry if reply.match else None


def _answered(reply) -> bool:
    """An FAQ entry answered, or a computed benefit (ANSWERS)."""
    return _entry(reply) is not None or reply.intent in ANSWERS


def _outcome(
    q: str, reply, ms: float, right: bool, top3: bool, needs_followups: bool = False
) -> Outcome:
    entry = _entry(reply)
    got = entry.id if entry else (reply.intent or "")
    return Outcome(q, _answered(reply), right, top3, ms, got, needs_followups)


def paraphrases(assistant, cases: list[dict], name: str = "paraphrases") -> Report:
    """Short phrasings labelled with a topic ("" = must decline) and maybe a region."""
    report = Report(name)
    for case in cases:
        reply, ms = _run(assistant, case["q"], case.get("region"))
        m, entry = reply.match, _entry(reply)
        want, region = case["topic"], case.get("expect_region")
        if want:
            right = bool(entry) and entry.topic == want and region in (None, m.region)
            right = right or (reply.intent in ANSWERS and want in CALCULATED)
            top3 = right or (bool(m) and want in [e.topic for e, _ in m.ranked[:3]])
        else:  # must decline: right when nothing was answered
            right = top3 = not _answered(reply)
        report.outcomes.append(_outcome(case["q"], reply, ms, right, top3))
    return report


def real(assistant, items: list[dict], name: str) -> Report:
    """Real questions labelled with the entries that answer them and the key facts."""
    report = Report(name)
    for item in items:
        reply, ms = _run(assistant, item["text"], item.get("region"))
        m, entry = reply.match, _entry(reply)
        right = _answered(reply) and has_facts(plain(reply.text), item["facts"])
        wanted = {e.topic for e in map(assistant.matcher.entry, item["ids"]) if e}  # any region
        ranked = {e.topic for e, _ in (m.ranked[:3] if m else [])}
        top3 = bool(wanted & ranked) or (entry is not None and entry.topic in wanted)
        alone = bool(entry) and has_facts(entry.title + entry.answer, item["facts"])
        needs_followups = right and bool(entry) and not alone
        report.outcomes.append(
            _outcome(item["text"], reply, ms, right, top3 or right, needs_followups)
        )
    return report


def declines(assistant, items: list[dict], name: str) -> Report:
    """Messages the bot must not answer from the FAQ (off-topic, chatter)."""
    report = Report(name)
    for item in items:
        reply, ms = _run(assistant, item["text"], None)
        declined = not _answered(reply)
        report.outcomes.append(_outcome(item["text"], reply, ms, declined, declined))
    return report


def smalltalk(assistant, items: list[dict], name: str = "smalltalk") -> Report:
    report = Report(name)
    for item in items:
        reply, ms = _run(assistant, item["text"], None)
        ok = reply.intent == item["intent"]
        report.outcomes.append(Outcome(item["text"], ok, ok, ok, ms, reply.intent or ""))
    return report


def all_sets(assistant, data: Path = DATA) -> list[Report]:
    """Every labelled set in tests/data that exists: the `courier-bot faq eval` table."""
    warm_up(assistant)
    reports = [paraphrases(assistant, load_cases(data / "paraphrases.toml"))]
    real_file = data / "real_questions.toml"
    if real_file.exists():
        items = load(real_file)
        for split in ("dev", "test"):
            reports.append(
                real(assistant, [i for i in items if i["split"] == split], f"real {split}")
            )
    if (data / "off_topic.toml").exists():
        items = load(data / "off_topic.toml")
        for split in ("dev", "test"):
            reports.append(
                declines(assistant, [i for i in items if i["split"] == split], f"off-topic {split}")
            )
    if (data / "smalltalk.toml").exists():
        reports.append(smalltalk(assistant, load(data / "smalltalk.toml")))
    return reports


def table(reports: list[Report]) -> str:
    """A Markdown table, as the README shows it."""
    head = "| set | n | answered right | answered wrong | declined | right in top 3 | p50 ms | p99 ms |"
    lines = [head, "|" + "---|" * 8]
    for r in reports:
        row = r.row()
        n = max(row["n"], 1)

        def pct(k: str, row: dict = row, n: int = n) -> str:
            return f"{row[k]} ({row[k] / n:.0%})"

        lines.append(
            f"| {row['set']} | {row['n']} | {pct('right')} | {pct('wrong')} | "
            f"{pct('declined')} | {pct('top3')} | {row['p50_ms']} | {row['p99_ms']} |"
        )
    return "\n".join(lines)
