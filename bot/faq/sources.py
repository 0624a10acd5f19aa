"""The source registry (faq/sources.toml): every document an answer may rest on, listed once, with
the verbatim passages entries cite as "key:ref".

A document whose full text is stored under faq/texts/ is checked on load: each passage must occur
in that text word for word (whitespace aside), so a quotation cannot drift from its source.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from bot.regions import DOC_REGIONS

_KEY = re.compile(r"^[a-z0-9_]+$")
_NUMBER = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")
_MARKUP = re.compile(r"<[^>]+>")  # a web page's <font> tags are not part of the quoted text
_DOC_FIELDS = ("key", "cite_as", "title", "issuer", "number", "date", "region", "url", "origin")
_REQUIRED = ("key", "cite_as", "title", "issuer", "region", "origin")


class SourceError(ValueError):
    """A broken registry, or an entry citing what the registry does not hold."""


@dataclass(frozen=True)
class Passage:
    ref: str
    label: str
    text: str


@dataclass(frozen=True)
class Document:
    key: str
    cite_as: str
    title: str
    issuer: str
    number: str
    date: str
    region: str
    url: str
    origin: str
    passages: dict[str, Passage]
    # Cited only for where to ask (the 12333 hotline): a 「接下来」 line names it only when the
    # line states one of its numbers.
    referral: bool = False


@dataclass(frozen=True)
class Cited:
    document: Document
    passage: Passage


class Registry:
    def __init__(self, documents: dict[str, Document]):
        self.documents = documents

    def resolve(self, cite: str) -> Cited:
        key, _, ref = cite.partition(":")
        doc = self.documents.get(key)
        if doc is None:
            raise SourceError(f"unknown document {key!r} in cite {cite!r}")
        if ref not in doc.passages:
            raise SourceError(f"{cite!r}: document {key!r} has no passage {ref!r}")
        return Cited(doc, doc.passages[ref])

    def articles(self, key: str) -> dict[str, str]:
        """A document's passages by label: "第三十五条" -> text."""
        return {p.label: p.text for p in self.documents[key].passages.values()}

    def cite_line(self, cites: tuple[str, ...]) -> str:
        """《工伤保险条例》第十七条、第十八条；吉人社联〔2022〕17号…四 — documents in cite order."""
        labels: dict[str, list[str]] = {}
        for cite in cites:
            c = self.resolve(cite)
            labels.setdefault(c.document.key, []).append(c.passage.label)
        return "；".join(self.documents[k].cite_as + "、".join(v) for k, v in labels.items())

    def short_line(self, cites: tuple[str, ...], short: str) -> str:
        """The 依据 of an entry's one-line `short`: its cites, less the referral documents
        whose numbers the line does not state."""
        stated = numbers_in(short)
        return self.cite_line(
            tuple(
                c
                for c in cites
                if not (doc := self.resolve(c).document).referral
                or any(stated & numbers_in(p.text) for p in doc.passages.values())
            )
        )

    def numbers(self, cites: tuple[str, ...]) -> set[str]:
        """Every number the cited passages (and their documents' number and date) contain."""
        found: set[str] = set()
        for cite in cites:
            c = self.resolve(cite)
            for text in (c.passage.text, c.document.number, c.document.date, c.document.title):
                found |= numbers_in(text)
        return found


def numbers_in(text: str) -> set[str]:
    """Runs of digits, full-width ones folded, leading zeros dropped (2022-02-16 has 2 and 16)."""
    return {run.lstrip("0") or "0" for run in _NUMBER.findall(unicodedata.normalize("NFKC", text))}


def occurs_in(part: str, whole: str) -> bool:
    """Whether `part` is a verbatim piece of `whole`, whitespace, width and markup aside."""
    return _squeeze(part) in _squeeze(whole)


def _squeeze(text: str) -> str:
    return _SPACE.sub("", _MARKUP.sub("", unicodedata.normalize("NFKC", text)))


def load(path: Path, texts: Path) -> Registry:
    """Read and validate the registry; full texts named by `text` are read from `texts`."""
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SourceError(f"{path.name}: {exc}") from exc
    documents: dict[str, Document] = {}
    for row in raw.get("document", []):
        doc = _document(row, texts)
        if doc.key in documents:
            raise SourceError(f"{path.name}: document {doc.key!r} listed twice")
        documents[doc.key] = doc
    return Registry(documents)


def _document(row: dict, texts: Path) -> Document:
    where = f"sources.toml: document {row.get('key')!r}"
    for name in _REQUIRED:
        if not isinstance(row.get(name), str) or not row[name].strip():
            raise SourceError(f"{where}: '{name}' must be a non-empty string")
    unknown = set(row) - set(_DOC_FIELDS) - {"text", "passage", "referral"}
    if unknown:
        raise SourceError(f"{where}: unknown field(s) {sorted(unknown)}")
    if not isinstance(row.get("referral", False), bool):
        raise SourceError(f"{where}: 'referral' must be true or false")
    if not _KEY.match(row["key"]):
        raise SourceError(f"{where}: key must be lowercase letters, digits or '_'")
    if row["region"] not in DOC_REGIONS:
        raise SourceError(f"{where}: region {row['region']!r} is not one of {list(DOC_REGIONS)}")
    full = _full_text(row, texts, where)
    passages: dict[str, Passage] = {}
    for p in row.get("passage", []):
        passage = _passage(p, where)
        if passage.ref in passages:
            raise SourceError(f"{where}: passage {passage.ref!r} listed twice")
        if full is not None and _squeeze(passage.text) not in full:  # full is squeezed once
            raise SourceError(f"{where}: passage {passage.ref!r} is not verbatim in {row['text']}")
        passages[passage.ref] = passage
    if not passages:
        raise SourceError(f"{where}: no passages")
    fields = {name: str(row.get(name, "")).strip() for name in _DOC_FIELDS}
    return Document(**fields, passages=passages, referral=row.get("referral", False))


def _full_text(row: dict, texts: Path, where: str) -> str | None:
    if "text" not in row:
        return None
    try:
        return _squeeze((texts / row["text"]).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourceError(f"{where}: cannot read text file: {exc}") from exc


def _passage(p: dict, where: str) -> Passage:
    for name in ("ref", "label", "text"):
        if not isinstance(p.get(name), str) or not p[name].strip():
            raise SourceError(f"{where}: every passage needs a non-empty '{name}'")
    return Passage(p["ref"].strip(), p["label"].strip(), p["text"].strip())
