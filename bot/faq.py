"""Loading and validating the FAQ knowledge base kept as TOML data under faq/."""
from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from bot.regions import DOC_REGIONS

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "faq"
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_FIELDS = {"id", "topic", "region", "title", "questions", "answer", "short", "source", "related"}
TITLE_MAX = 16
SHORT_MAX = 45
_DIGITS = re.compile(r"\d+")


class FaqError(ValueError):
    """A broken FAQ file or entry; the message names the file and the entry id."""


@dataclass(frozen=True)
class Entry:
    id: str
    topic: str
    region: str
    title: str
    questions: tuple[str, ...]
    answer: str
    source: str
    related: tuple[str, ...] = ()
    file: str = ""
    short: str = ""


@dataclass(frozen=True)
class OutOfScope:
    name: str
    words: tuple[str, ...]
    where: str


@dataclass
class Knowledge:
    entries: list[Entry]
    synonyms: dict[str, list[str]] = field(default_factory=dict)
    out_of_scope: list[OutOfScope] = field(default_factory=list)
    domain_words: tuple[str, ...] = ()
    alternatives: list[frozenset[str]] = field(default_factory=list)   # topics that exclude each other

    def by_id(self) -> dict[str, Entry]:
        return {e.id: e for e in self.entries}


def _entry(raw: dict, file: str) -> Entry:
    eid = raw.get("id")
    where = f"{file}: entry {eid!r}"
    if not isinstance(eid, str) or not _ID.match(eid):
        raise FaqError(f"{where}: id must be lowercase letters, digits, '.', '_' or '-'")
    unknown = set(raw) - _FIELDS
    if unknown:
        raise FaqError(f"{where}: unknown field(s) {sorted(unknown)}")
    for key in ("topic", "region", "title", "answer", "short", "source"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise FaqError(f"{where}: '{key}' must be a non-empty string")
    if raw["region"] not in DOC_REGIONS:
        raise FaqError(f"{where}: region {raw['region']!r} is not one of {list(DOC_REGIONS)}")
    if len(raw["title"]) > TITLE_MAX:
        raise FaqError(f"{where}: title longer than {TITLE_MAX} characters")
    short = raw["short"].strip()
    if len(short) > SHORT_MAX:
        raise FaqError(f"{where}: short longer than {SHORT_MAX} characters")
    stray = sorted(set(_DIGITS.findall(short)) - set(_DIGITS.findall(raw["answer"])))
    if stray:
        raise FaqError(f"{where}: short has number(s) {stray} that are not in the answer")
    questions = raw.get("questions")
    if not isinstance(questions, list) or len(questions) < 3:
        raise FaqError(f"{where}: 'questions' needs at least 3 phrasings")
    if not all(isinstance(q, str) and q.strip() for q in questions):
        raise FaqError(f"{where}: every question must be a non-empty string")
    if len(set(questions)) != len(questions):
        raise FaqError(f"{where}: duplicate questions")
    related = raw.get("related", [])
    if not isinstance(related, list) or not all(isinstance(r, str) for r in related):
        raise FaqError(f"{where}: 'related' must be a list of ids")
    return Entry(
        id=eid, topic=raw["topic"].strip(), region=raw["region"], title=raw["title"].strip(),
        questions=tuple(q.strip() for q in questions), answer=raw["answer"].strip(),
        source=raw["source"].strip(), related=tuple(related), file=file, short=short,
    )


def _read(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise FaqError(f"{path.name}: not valid TOML: {exc}") from exc


def load(directory: Path | str = DEFAULT_DIR) -> Knowledge:
    """Load and validate every entry file, the synonym table and the out-of-scope list."""
    directory = Path(directory)
    files = sorted((directory / "entries").glob("*.toml"))
    if not files:
        raise FaqError(f"{directory}/entries: no *.toml entry files")
    entries: list[Entry] = []
    for path in files:
        rows = _read(path).get("entry", [])
        if not isinstance(rows, list):
            raise FaqError(f"{path.name}: 'entry' must be an array of tables ([[entry]])")
        entries.extend(_entry(row, path.name) for row in rows)
    _check_ids(entries)
    return Knowledge(entries=entries, **_extras(directory))


def _check_ids(entries: list[Entry]) -> None:
    seen: dict[str, str] = {}
    for e in entries:
        if e.id in seen:
            raise FaqError(f"{e.file}: entry {e.id!r}: id already used in {seen[e.id]}")
        seen[e.id] = e.file
    for e in entries:
        for r in e.related:
            if r not in seen:
                raise FaqError(f"{e.file}: entry {e.id!r}: related id {r!r} does not exist")


def _extras(directory: Path) -> dict:
    extras: dict = {}
    syn = directory / "synonyms.toml"
    if syn.exists():
        extras["synonyms"] = _read(syn).get("synonyms", {})
    oos = directory / "out_of_scope.toml"
    if oos.exists():
        data = _read(oos)
        extras["domain_words"] = tuple(data.get("domain_words", ()))
        extras["alternatives"] = [frozenset(g) for g in data.get("alternatives", [])]
        extras["out_of_scope"] = [
            OutOfScope(s["name"], tuple(s["words"]), s["where"]) for s in data.get("subject", [])
        ]
    return extras


def summary(kb: Knowledge) -> str:
    """One line: how many entries per region."""
    counts: dict[str, int] = {}
    for e in kb.entries:
        counts[e.region] = counts.get(e.region, 0) + 1
    return f"{len(kb.entries)} entries OK: " + ", ".join(f"{r} {n}" for r, n in counts.items())


if __name__ == "__main__":  # python -m bot.faq [DIR]: validate and print counts
    try:
        print(summary(load(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_DIR)))
    except FaqError as exc:
        sys.exit(f"FAQ error: {exc}")
