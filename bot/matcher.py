"""Matching a courier's message to an FAQ topic with rapidfuzz, then picking the region's variant."""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from bot import regions
from bot.faq import Entry, Knowledge, OutOfScope
from bot.text import Synonyms, clean, pinyin

THRESHOLD = 50.0       # below this best score the bot says it does not know (tuned on tests/data)
SUGGEST_FLOOR = 35.0   # below this even the "did you mean" buttons would be noise
MIN_CHARS = 2          # fewer meaningful characters than this cannot be a question
SUGGESTIONS = 3
FUZZY_WEIGHT = 0.5     # the rest is the IDF-weighted coverage of the message's bigrams
PINYIN_DISCOUNT = 0.95 # a match by sound only is a little less sure than by characters


def bigrams(tokens) -> set:
    """Adjacent pairs (Chinese has no spaces: bigrams stand in for words); a lone token is itself."""
    tokens = list(tokens)
    return {a + "|" + b for a, b in zip(tokens, tokens[1:])} or set(tokens)


def _sounds(text: str) -> set:
    """Pinyin syllables and syllable pairs: a homophone typo still shares most of them."""
    syllables = pinyin(text).split()
    return set(syllables) | bigrams(syllables)


class _Coverage:
    """How much of a message's bigrams an entry's questions contain, weighted by rarity (IDF)."""

    def __init__(self, docs: list[set]):
        df: dict[str, int] = defaultdict(int)
        self.postings: dict[str, list[int]] = defaultdict(list)
        for i, doc in enumerate(docs):
            for g in doc:
                df[g] += 1
                self.postings[g].append(i)
        n = len(docs)
        self.idf = {g: math.log((n + 1) / (c + 1)) + 1 for g, c in df.items()}
        self.unseen = math.log(n + 1) + 1   # a word no question uses weighs the most
        self.size = n

    def scores(self, grams: set) -> list[float]:
        total = sum(self.idf.get(g, self.unseen) for g in grams)
        out = [0.0] * self.size
        if not total:
            return out
        for g in grams:
            for i in self.postings.get(g, ()):
                out[i] += self.idf[g]
        return [100.0 * v / total for v in out]


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
        self._owner: list[int] = []          # choice index -> entry index
        self._chars: list[str] = []
        char_docs, sound_docs = [], []
        for n, entry in enumerate(kb.entries):
            self._by_topic[entry.topic].append(entry)
            char_docs.append(set())
            sound_docs.append(set())
            for q in entry.questions + (entry.title,):
                text = self.normalise(q)[1]
                char_docs[-1] |= bigrams(text)
                sound_docs[-1] |= _sounds(text)
                if q != entry.title:
                    self._chars.append(text)
                    self._owner.append(n)
        self._by_chars = _Coverage(char_docs)
        self._by_sound = _Coverage(sound_docs)
        self._oos = [(s, [self.synonyms.apply(clean(w)) for w in s.words]) for s in kb.out_of_scope]
        self._domain = [self.synonyms.apply(clean(w)) for w in kb.domain_words]

    def normalise(self, text: str) -> tuple[str | None, str]:
        """(region named in the text, text cleaned with synonyms applied and region names removed)."""
        region, rest = regions.find_in_text(clean(text))
        return region, clean(self.synonyms.apply(clean(rest)))

    def scores(self, text: str) -> list[tuple[Entry, float]]:
        """Every entry with its score, best first: half rapidfuzz WRatio against its closest
        question, half how much of the message's wording its questions cover (by characters or,
        for homophone typos, by pinyin)."""
        fuzzy = [0.0] * len(self.kb.entries)
        for _, score, i in process.extract(text, self._chars, scorer=fuzz.WRatio, limit=None):
            n = self._owner[i]
            fuzzy[n] = max(fuzzy[n], score)
        chars = self._by_chars.scores(bigrams(text))
        sound = self._by_sound.scores(_sounds(text))
        ranked = [
            (entry, FUZZY_WEIGHT * fuzzy[n]
             + (1 - FUZZY_WEIGHT) * max(chars[n], PINYIN_DISCOUNT * sound[n]))
            for n, entry in enumerate(self.kb.entries)
        ]
        return sorted(ranked, key=lambda p: p[1], reverse=True)

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
            if not result.out_of_scope:
                result.suggestions = [e for e, s in top_topics[:SUGGESTIONS] if s >= SUGGEST_FLOOR]
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
