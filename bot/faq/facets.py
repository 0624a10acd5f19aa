"""Facets of a courier's situation (no contract, not insured, a death…) found in a message.

The words are data (faq/facets.toml). A facet present adds its follow-up entries to the answer's
「接下来」 block and its guide as a button: a real question is a situation plus "what now", and the
facts it needs are often in two or three entries.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.text import clean, pinyin

GUIDES = {"injury", "assess", "outlet"}
SOUND_MIN = 3  # shorter words match by characters only: two syllables alone collide too often


@dataclass(frozen=True)
class Facet:
    name: str
    words: tuple[str, ...]
    followups: tuple[str, ...]
    guide: str | None


class FacetError(ValueError):
    """A broken faq/facets.toml; the message names the facet."""


def load(path: Path, known_ids: set[str]) -> tuple[list[Facet], dict[str, str]]:
    """The facets, and topic prefix -> guide ("injury", "assess" or "outlet")."""
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    guides = {
        prefix: guide
        for guide, prefixes in sorted(data.get("guides", {}).items())
        for prefix in prefixes
    }
    if set(guides.values()) - GUIDES:
        raise FacetError(f"facets.toml: [guides] keys must be among {sorted(GUIDES)}")
    facets = []
    rows = data.get("facet", [])
    for row in rows:
        name = row.get("name", "?")
        missing = [i for i in row.get("followups", []) if i not in known_ids]
        if missing:
            raise FacetError(f"facets.toml: facet {name!r}: unknown follow-up id(s) {missing}")
        if row.get("guide") not in (None, "injury", "assess"):
            raise FacetError(f"facets.toml: facet {name!r}: guide must be injury or assess")
        words = tuple(dict.fromkeys(clean(w) for w in row.get("words", []) if clean(w)))
        if not words:
            raise FacetError(f"facets.toml: facet {name!r}: no words")
        facets.append(Facet(name, words, tuple(row.get("followups", [])), row.get("guide")))
    return facets, guides


NOTHING = r"(?!)"  # matches nowhere: a facet with no word long enough to match by sound


def _any_of(words: Sequence[str]) -> re.Pattern[str]:
    """A pattern matching any of `words` as plain text."""
    return re.compile("|".join(map(re.escape, words)) if words else NOTHING)


class FacetFinder:
    def __init__(self, facets: list[Facet], guides: dict[str, str]):
        self.facets = facets
        self._guides = sorted(guides.items(), key=lambda p: -len(p[0]))  # longest prefix first
        # One alternation per facet: the regex engine scans a message once per facet, in C,
        # instead of a Python loop over every word (on every message the bot answers).
        self._words = [_any_of(f.words) for f in facets]
        self._sounds = [
            _any_of([f" {pinyin(w)} " for w in f.words if len(w) >= SOUND_MIN]) for f in facets
        ]

    def find(self, message: str) -> list[Facet]:
        """The facets `message` carries, in the data's order."""
        text = clean(message)
        sound = f" {pinyin(text)} "
        return [
            f
            for f, words, sounds in zip(self.facets, self._words, self._sounds, strict=True)
            if words.search(text) or sounds.search(sound)
        ]

    def guide(self, facets: Sequence[Facet], topic: str | None) -> str | None:
        """The guide an answer leads to: the first facet's that names one, else the topic's."""
        for f in facets:
            if f.guide:
                return f.guide
        if topic:
            for prefix, guide in self._guides:
                if topic.startswith(prefix):
                    return guide
        return None
