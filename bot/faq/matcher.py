"""Matching a courier's message to an FAQ topic, deciding whether to answer, and picking the
region's variant.

The decision comes in layers, each calibrated on the `dev` split of tests/data/real_questions.toml
and on tests/data/paraphrases.toml (never on the `test` split):
1. nothing to read (no Chinese words) -> ask for a question;
2. a subject the bot must not answer (out_of_scope.toml) -> decline with where to ask;
3. a long message that says nothing about injury, insurance or outlets -> decline;
4. BM25F rank (bot/faq/ranking.py); a confident, clear winner is answered, a close call is offered
   as "你是不是想问" buttons, anything weaker is declined.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from bot import regions
from bot.faq.loader import Entry, Knowledge, OutOfScope
from bot.faq.ranking import BM25F
from bot.text import Synonyms, clean, pairs, strip_noise, syllables

THRESHOLD = 65.0  # confidence (0-100) needed to answer; config [faq] threshold
CONFIRM = 30.0  # from here up to the threshold: "你是不是想问" with the top topics
MARGIN = 0.25  # the winner must lead the runner-up topic by this share of its raw score
SCALE = 12.0  # BM25F score at which confidence reaches 63 (1 - 1/e)
LONG = 30  # characters from which a message must show it is about our domain
SHORT = 12  # messages up to this long are also compared by sound (pinyin typos)
SOUND_DISCOUNT = 0.9  # a match by sound only is a little less sure than by characters
MIN_CHARS = 2  # fewer meaningful characters than this cannot be a question
SUGGESTIONS = 3
FIELDS = {"questions": 1.0, "answer": 0.25}  # the answer's words count, the questions' more
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Where one question ends and the next may begin ("算工伤吗？能赔多少").
_CLAUSE = re.compile(r"[?？。!！;；\n]+|还有|另外|顺便问|再问")
CLAUSE_MIN = 4  # characters a clause needs to be asked on its own


def sound_pairs(text: str) -> list[str]:
    return pairs(syllables(text), sep=" ")


@dataclass
class Match:
    """What the core knows about one message; rendering turns it into words."""

    entry: Entry | None = None
    score: float = 0.0  # confidence 0-100 of the best topic
    region: str | None = None  # region the answer applies to
    asked_region: str | None = None  # region named in the message, if any
    user_region: str | None = None  # region the courier set
    fallback: bool = False  # courier's region has a topic variant elsewhere, not here
    other_region: bool = False  # only another region's rule exists for this topic
    suggestions: list[Entry] = field(default_factory=list)
    ranked: list[tuple[Entry, float]] = field(default_factory=list)  # best entry per topic
    confirm: bool = False  # a close call: ask "你是不是想问" with the suggestions
    second: Entry | None = None  # a second question in the same message, offered as a button
    out_of_scope: OutOfScope | None = None
    too_short: bool = False  # nothing to answer: no Chinese words at all

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
        chars, sounds = [], []
        self._exact: dict[str, int] = {}  # a message typed exactly as an entry's question
        for n, entry in enumerate(kb.entries):
            self._by_topic[entry.topic].append(entry)
            questions = [self.normalise(q)[1] for q in (entry.title, *entry.questions)]
            for q in questions:
                self._exact.setdefault(q, n)
            answer = self.normalise(entry.answer)[1]
            chars.append(
                {"questions": [t for q in questions for t in pairs(q)], "answer": pairs(answer)}
            )
            sounds.append(
                {
                    "questions": [t for q in questions for t in sound_pairs(q)],
                    "answer": sound_pairs(answer),
                }
            )
        self._chars = BM25F(chars, FIELDS)
        self._sounds = BM25F(sounds, FIELDS)
        self._oos = [(s, [self.synonyms.apply(clean(w)) for w in s.words]) for s in kb.out_of_scope]
        self._domain = [self.synonyms.apply(clean(w)) for w in kb.domain_words]

    def normalise(self, text: str) -> tuple[str | None, str]:
        """(region named in the text, text cleaned with synonyms applied and region names removed)."""
        region, rest = regions.find_in_text(clean(text))
        return region, strip_noise(self.synonyms.apply(rest))

    def rank(self, text: str) -> list[tuple[Entry, float]]:
        """The best entry of each topic with its raw BM25F score, best first; ties by id so
        the order never depends on anything but the data."""
        raw = self._chars.scores(pairs(text))
        if text in self._exact:  # word for word one of an entry's questions: that entry
            n = self._exact[text]
            raw[n] = max(raw.values()) * (1 + 2 * MARGIN) + SCALE
        if len(text) <= SHORT:  # homophone typos (公伤, 钟通) share sounds, not characters
            for i, s in self._sounds.scores(sound_pairs(text)).items():
                raw[i] = max(raw.get(i, 0.0), SOUND_DISCOUNT * s)
        best: dict[str, tuple[Entry, float]] = {}
        for i, s in raw.items():
            entry = self.kb.entries[i]
            if entry.topic not in best or s > best[entry.topic][1]:
                best[entry.topic] = (entry, s)
        return sorted(best.values(), key=lambda p: (-p[1], p[0].id))

    def match(
        self, message: str, user_region: str | None = None, shown: frozenset[str] = frozenset()
    ) -> Match:
        """`shown`: entry ids the reply will show under the answer anyway (the situation's
        follow-ups): a close runner-up among them is not a reason to hold back."""
        asked, text = self.normalise(message)
        result = Match(asked_region=asked, user_region=user_region)
        if len(text) < MIN_CHARS or not _CJK.search(text):
            result.too_short = True  # noise, digits or Latin only: ask for a question in words
            return result
        result.out_of_scope = self._out_of_scope(text)
        if result.out_of_scope:
            return result
        if len(text) >= LONG and not self.in_domain(text):
            return result  # a long story about something else entirely
        ranked = self.rank(text)
        result.ranked = [(e, confidence(s)) for e, s in ranked[: SUGGESTIONS + 1]]
        if not ranked:
            return result
        best, raw = ranked[0]
        score = result.score = confidence(raw)
        # A runner-up shown anyway is no rival, unless the two exclude each other
        # (injury.commute vs injury.errand: one rule applies, not both).
        covered = {self._ids[i].topic for i in shown | set(best.related) if i in self._ids}
        rivals = [
            s
            for e, s in ranked[1:]
            if e.topic not in covered or self._exclusive(best.topic, e.topic)
        ]
        runner_up = rivals[0] if rivals else 0.0
        # The lead is measured on raw BM25F scores: confidence flattens out near 100.
        clear = raw - runner_up >= MARGIN * raw
        if score >= self.threshold and clear:
            self.pick_variant(result, best, asked or user_region)
            result.suggestions = [e for e, _ in ranked[1 : SUGGESTIONS + 1]]
            result.second = self._second_ask(message, best.topic)
        elif score >= CONFIRM and self.in_domain(text):  # buttons about 工伤 for weather: noise
            result.confirm = True
            result.suggestions = [e for e, _ in ranked[:SUGGESTIONS]]
        return result

    def _second_ask(self, message: str, answered: str) -> Entry | None:
        """The topic of a later clause, when it asks something else with confidence."""
        clauses = [self.normalise(c)[1] for c in _CLAUSE.split(message)]
        clauses = [c for c in clauses if len(c) >= CLAUSE_MIN]
        for clause in clauses[1:]:
            ranked = self.rank(clause)
            if (
                ranked
                and ranked[0][0].topic != answered
                and confidence(ranked[0][1]) >= self.threshold
            ):
                return ranked[0][0]
        return None

    def _exclusive(self, a: str, b: str) -> bool:
        return any(a in group and b in group for group in self.kb.alternatives)

    def in_domain(self, text: str) -> bool:
        return any(w in text for w in self._domain)

    def _out_of_scope(self, text: str) -> OutOfScope | None:
        if self.in_domain(text):
            return None
        for subject, words in self._oos:
            if any(w in text for w in words):
                return subject
        return None

    def variant(self, entry: Entry, region: str | None) -> Entry | None:
        """The variant of `entry`'s topic that applies in `region` (its own, its province's or
        the national rule), or None when only other regions have one."""
        variants = {e.region: e for e in self._by_topic[entry.topic]}
        return next((variants[r] for r in regions.fallback_chain(region) if r in variants), None)

    def pick_variant(self, result: Match, best: Entry, region: str | None) -> None:
        """Fill in the variant of `best`'s topic that applies to `region`."""
        chosen = self.variant(best, region)
        if chosen is None:
            # No variant for this region or the nation: show the best-scoring other region's.
            result.entry, result.region, result.other_region = best, best.region, True
            return
        result.entry, result.region = chosen, chosen.region
        result.fallback = (
            chosen.region == regions.NATIONAL
            and region not in (None, regions.NATIONAL)
            and len({e.region for e in self._by_topic[best.topic]}) > 1
        )

    def entry(self, entry_id: str) -> Entry | None:
        return self._ids.get(entry_id)


def confidence(score: float) -> float:
    """A BM25F score mapped onto 0-100 (monotonic), so thresholds read like percentages."""
    return 100.0 * (1.0 - math.exp(-score / SCALE))
