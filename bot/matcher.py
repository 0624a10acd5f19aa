"""Matching a courier's message to an FAQ topic with rapidfuzz, then picking the region's variant."""
from __future__ import annotations

import heapq
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from bot import regions
from bot.faq import Entry, Knowledge, OutOfScope
from bot.text import Synonyms, clean, pinyin, strip_noise

THRESHOLD = 50.0       # below this best score the bot says it does not know (tuned on tests/data)
SUGGEST_FLOOR = 35.0   # below this even the "did you mean" buttons would be noise
_CJK = re.compile(r"[\u4e00-\u9fff]")
MIN_CHARS = 2          # fewer meaningful characters than this cannot be a question
SUGGESTIONS = 3
FUZZY_WEIGHT = 0.5     # the rest is the IDF-weighted coverage of the message's bigrams
PINYIN_DISCOUNT = 0.95 # a match by sound only is a little less sure than by characters
SOUND_BELOW = 70.0      # characters covered this well need no comparison by sound
CANDIDATES = 8         # entries (by coverage) that also get the costlier rapidfuzz comparison


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

    def scores(self, grams: set) -> dict[int, float]:
        """Entry index -> coverage 0-100, for the entries sharing at least one bigram."""
        out: dict[int, float] = defaultdict(float)
        total = 0.0
        for g in grams:
            weight = self.idf.get(g, self.unseen)
            total += weight
            for i in self.postings.get(g, ()):
                out[i] += weight
        return {i: 100.0 * v / total for i, v in out.items()}


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
    too_short: bool = False              # nothing to answer: no Chinese words at all

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
        self._questions: list[list[str]] = []   # entry index -> its normalised questions
        char_docs, sound_docs = [], []
        for n, entry in enumerate(kb.entries):
            self._by_topic[entry.topic].append(entry)
            char_docs.append(set())
            sound_docs.append(set())
            self._questions.append([])
            for q in entry.questions + (entry.title,):
                text = self.normalise(q)[1]
                char_docs[-1] |= bigrams(text)
                sound_docs[-1] |= _sounds(text)
                if q != entry.title:
                    self._questions[n].append(text)
        self._by_chars = _Coverage(char_docs)
        self._by_sound = _Coverage(sound_docs)
        self._oos = [(s, [self.synonyms.apply(clean(w)) for w in s.words]) for s in kb.out_of_scope]
        self._domain = [self.synonyms.apply(clean(w)) for w in kb.domain_words]

    def normalise(self, text: str) -> tuple[str | None, str]:
        """(region named in the text, text cleaned with synonyms applied and region names removed)."""
        region, rest = regions.find_in_text(clean(text))
        return region, strip_noise(self.synonyms.apply(rest))

    def scores(self, text: str) -> list[tuple[Entry, float]]:
        """The likeliest entries with their scores, best first: half how much of the message's
        wording an entry's questions cover (by characters or, for homophone typos, by pinyin),
        half rapidfuzz WRatio against its closest question. Only the entries coverage ranks
        highest are compared with WRatio and returned: the rest cannot come out on top."""
        cover = self._by_chars.scores(bigrams(text))
        if max(cover.values(), default=0.0) < SOUND_BELOW:   # homophone typos: compare by sound
            for n, score in self._by_sound.scores(_sounds(text)).items():
                cover[n] = max(cover.get(n, 0.0), PINYIN_DISCOUNT * score)
        candidates = heapq.nlargest(CANDIDATES, cover, key=cover.__getitem__)
        fuzzy = {}
        for n in candidates:
            best = process.extractOne(text, self._questions[n], scorer=fuzz.WRatio)
            fuzzy[n] = best[1] if best else 0.0
        ranked = [(self.kb.entries[n], (1 - FUZZY_WEIGHT) * cover[n] + FUZZY_WEIGHT * fuzzy[n])
                  for n in candidates]
        return sorted(ranked, key=lambda p: p[1], reverse=True)

    def match(self, message: str, user_region: str | None = None) -> Match:
        asked, text = self.normalise(message)
        result = Match(asked_region=asked, user_region=user_region)
        if len(text) < MIN_CHARS or not _CJK.search(text):
            result.too_short = True   # noise, digits or Latin only: ask for a question in words
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
