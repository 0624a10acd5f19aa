"""Matching a courier's message to an FAQ topic with rapidfuzz, then picking the region's variant."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from bot import regions
from bot.faq import Entry, Knowledge, OutOfScope
from bot.text import Synonyms, clean, pinyin

THRESHOLD = 62.0       # below this best score the bot says it does not know (tuned on tests/data)
MIN_CHARS = 2          # fewer meaningful characters than this cannot be a question
SUGGESTIONS = 3


@dataclass
class Match:
    """What the core knows about one message; rendering turns it into words."""
    entry: Entry | None = None
    score: float = 0.0
    region: str | None = None            # region the answer applies to
    asked_region: str | None = None      # region named in the message, if any
    user_region: str | None = None       # region the courier set
    fallback: bool = False               # courier's region has a topic variant elsewhere, not here
    other_region: bool = False           # only another region's rule exists for this topic
    suggestions: list[Entry] = field(default_factory=list)
    out_of_scope: OutOfScope | None = None
    too_short: bool = False

    @property
    def answered(self) -> bool:
        return self.entry is not None


class Matcher:
    def __init__(self, kb: Knowledge, threshold: float = THRESHOLD):
        self.kb = kb
        self.threshold = threshold
        self.synonyms = Synonyms(kb.synonyms)
        self._ids = kb.by_id()
        self._by_topic: dict[str, list[Entry]] = defaultdict(list)
        self._owner: list[Entry] = []        # choice index -> entry
        choices = []
        for entry in kb.entries:
            self._by_topic[entry.topic].append(entry)
            for q in entry.questions:
                choices.append(self.normalise(q)[1])
                self._owner.append(entry)
        self._chars = choices
        self._pinyin = [pinyin(c) for c in choices]
        self._oos = [(s, [self.synonyms.apply(clean(w)) for w in s.words]) for s in kb.out_of_scope]
        self._domain = [self.synonyms.apply(clean(w)) for w in kb.domain_words]

    def normalise(self, text: str) -> tuple[str | None, str]:
        """(region named in the text, text cleaned with synonyms applied and region names removed)."""
        region, rest = regions.find_in_text(clean(text))
        return region, clean(self.synonyms.apply(clean(rest)))

    def scores(self, text: str) -> list[tuple[Entry, float]]:
        """Every entry with its best score over its questions, best first."""
        best: dict[str, tuple[Entry, float]] = {}
        py = pinyin(text)
        chars = process.extract(text, self._chars, scorer=fuzz.WRatio, limit=None)
        sounds = dict(
            (i, s) for _, s, i in process.extract(py, self._pinyin, scorer=fuzz.ratio, limit=None)
        )
        for _, char_score, i in chars:
            score = max(char_score, sounds.get(i, 0.0) * 0.95)
            entry = self._owner[i]
            if entry.id not in best or best[entry.id][1] < score:
                best[entry.id] = (entry, score)
        return sorted(best.values(), key=lambda p: p[1], reverse=True)

    def match(self, message: str, user_region: str | None = None) -> Match:
        asked, text = self.normalise(message)
        result = Match(asked_region=asked, user_region=user_region)
        if len(text) < MIN_CHARS:
            result.too_short = True
            return result
        result.out_of_scope = self._out_of_scope(text)
        ranked = self.scores(text)
        top_topics = _distinct_topics(ranked)
        if result.out_of_scope or not ranked or ranked[0][1] < self.threshold:
            result.suggestions = [e for e, _ in top_topics[:SUGGESTIONS]] if not result.out_of_scope else []
            result.score = ranked[0][1] if ranked else 0.0
            return result
        best, score = ranked[0]
        result.score = score
        self.pick_variant(result, best, asked or user_region)
        result.suggestions = [e for e, _ in top_topics[1:SUGGESTIONS + 1]]
        return result

    def _out_of_scope(self, text: str) -> OutOfScope | None:
        if any(w in text for w in self._domain):
            return None
        for subject, words in self._oos:
            if any(w in text for w in words):
                return subject
        return None

    def pick_variant(self, result: Match, best: Entry, region: str | None) -> None:
        """Fill in the variant of `best`'s topic that applies to `region`."""
        variants = {e.region: e for e in self._by_topic[best.topic]}
        for r in regions.fallback_chain(region):
            if r in variants:
                result.entry = variants[r]
                result.region = r
                result.fallback = (
                    r == regions.NATIONAL and region not in (None, regions.NATIONAL)
                    and len(variants) > 1
                )
                return
        # No variant for this courier's region or the nation: show the best-scoring other region's.
        result.entry = best
        result.region = best.region
        result.other_region = True

    def entry(self, entry_id: str) -> Entry | None:
        return self._ids.get(entry_id)


def _distinct_topics(ranked: list[tuple[Entry, float]]) -> list[tuple[Entry, float]]:
    seen, out = set(), []
    for entry, score in ranked:
        if entry.topic not in seen:
            seen.add(entry.topic)
            out.append((entry, score))
    return out
