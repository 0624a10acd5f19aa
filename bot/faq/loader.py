"""Loading and validating the FAQ knowledge base kept as TOML data under faq/."""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.faq import sources
from bot.regions import DOC_REGIONS

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "faq"
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_FIELDS = {"id", "topic", "region", "title", "questions", "answer", "short", "cites", "related"}
TITLE_MAX = 16
SHORT_MAX = 45


class FaqError(ValueError):
    """A broken FAQ file or entry; the message names the file and the entry id. `problems` has
    one line per broken entry when several are reported at once (a reload shows the first few)."""

    def __init__(self, message: str, problems: tuple[str, ...] = ()):
        super().__init__(message)
        self.problems = problems


@dataclass(frozen=True)
class Entry:
    id: str
    topic: str
    region: str
    title: str
    questions: tuple[str, ...]
    answer: str
    cites: tuple[str, ...]  # "document:passage" keys of faq/sources.toml
    related: tuple[str, ...] = ()
    file: str = ""
    short: str = ""
    source: str = ""  # the 依据 line, made from the cites on load
    short_source: str = ""  # the 依据 of `short` as a 「接下来」 line (no hotline it does not name)


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
    alternatives: list[frozenset[str]] = field(
        default_factory=list
    )  # topics that exclude each other
    registry: sources.Registry = field(default_factory=lambda: sources.Registry({}))

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
    for key in ("topic", "region", "title", "answer", "short"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise FaqError(f"{where}: '{key}' must be a non-empty string")
    if raw["region"] not in DOC_REGIONS:
        raise FaqError(f"{where}: region {raw['region']!r} is not one of {list(DOC_REGIONS)}")
    if len(raw["title"]) > TITLE_MAX:
        raise FaqError(f"{where}: title longer than {TITLE_MAX} characters")
    short = raw["short"].strip()
    if len(short) > SHORT_MAX:
        raise FaqError(f"{where}: short longer than {SHORT_MAX} characters")
    stray = sorted(sources.numbers_in(short) - sources.numbers_in(raw["answer"]))
    if stray:
        raise FaqError(f"{where}: short has number(s) {stray} that are not in the answer")
    questions = raw.get("questions")
    if not isinstance(questions, list) or len(questions) < 3:
        raise FaqError(f"{where}: 'questions' needs at least 3 phrasings")
    if not all(isinstance(q, str) and q.strip() for q in questions):
        raise FaqError(f"{where}: every question must be a non-empty string")
    if len(set(questions)) != len(questions):
        raise FaqError(f"{where}: duplicate questions")
    cites = raw.get("cites")
    if not isinstance(cites, list) or not cites or not all(isinstance(c, str) for c in cites):
        raise FaqError(f"{where}: 'cites' must be a non-empty list of \"document:passage\" keys")
    related = raw.get("related", [])
    if not isinstance(related, list) or not all(isinstance(r, str) for r in related):
        raise FaqError(f"{where}: 'related' must be a list of ids")
    return Entry(
        id=eid,
        topic=raw["topic"].strip(),
        region=raw["region"],
        title=raw["title"].strip(),
        questions=tuple(q.strip() for q in questions),
        answer=raw["answer"].strip(),
        cites=tuple(cites),
        related=tuple(related),
        file=file,
        short=short,
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
    registry = _registry(directory)
    entries: list[Entry] = []
    problems: list[str] = []
    for path in files:
        rows = _read(path).get("entry", [])
        if not isinstance(rows, list):
            raise FaqError(f"{path.name}: 'entry' must be an array of tables ([[entry]])")
        for row in rows:
            try:
                entries.append(_cited(_entry(row, path.name), registry))
            except FaqError as exc:  # collected: a curator fixes them all in one pass
                problems.append(str(exc))
    if problems:
        raise FaqError(f"{len(problems)} problem(s):\n" + "\n".join(problems), tuple(problems))
    _check_ids(entries)
    return Knowledge(entries=entries, registry=registry, **_extras(directory))


def _registry(directory: Path) -> sources.Registry:
    try:
        return sources.load(directory / "sources.toml", directory / "texts")
    except sources.SourceError as exc:
        raise FaqError(str(exc)) from exc


def _cited(entry: Entry, registry: sources.Registry) -> Entry:
    """The entry with its 依据 line, once every cite resolves and every number in the answer
    occurs in a cited passage: an answer may not state a number its sources do not contain."""
    where = f"{entry.file}: entry {entry.id!r}"
    try:
        line = registry.cite_line(entry.cites)
        short_line = registry.short_line(entry.cites, entry.short)
        backed = registry.numbers(entry.cites)
    except sources.SourceError as exc:
        raise FaqError(f"{where}: {exc}") from exc
    if not short_line:
        raise FaqError(f"{where}: its short cites nothing but referral documents")
    stray = sorted(sources.numbers_in(entry.answer) - backed, key=lambda n: (len(n), n))
    if stray:
        raise FaqError(
            f"{where}: number(s) {stray} in the answer occur in none of its cited "
            f"passages {list(entry.cites)}"
        )
    return replace(entry, source=line, short_source=short_line)


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
    """How many entries per region, and how many cite each document of the registry."""
    regions: dict[str, int] = {}
    documents = dict.fromkeys(kb.registry.documents, 0)
    for e in kb.entries:
        regions[e.region] = regions.get(e.region, 0) + 1
        for key in dict.fromkeys(c.partition(":")[0] for c in e.cites):
            documents[key] += 1
    return (
        f"{len(kb.entries)} entries OK: "
        + ", ".join(f"{r} {n}" for r, n in regions.items())
        + f"\n{len(documents)} documents cited by: "
        + ", ".join(f"{k} {n}" for k, n in documents.items())
    )


if __name__ == "__main__":  # python -m bot.faq.loader [DIR]: validate and print counts
    try:
        print(summary(load(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_DIR)))
    except FaqError as exc:
        sys.exit(f"FAQ error: {exc}")
