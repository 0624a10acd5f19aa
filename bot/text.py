"""The one text toolkit for matching Chinese, used by the FAQ and the outlet search alike: width,
punctuation and script folding (phrase by phrase for messages, character by character for
hundreds of thousands of outlet names), synonyms, pinyin syllables, adjacent pairs as terms, and
masking personal numbers before anything is stored."""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import zhconv
import zhconv.zhconv as _zhconv
from pypinyin import Style
from pypinyin.pinyin_dict import pinyin_dict
from pypinyin.style import convert

# Load zhconv's table through a path: its default loader leaves the file open (ResourceWarning).
zhconv.loaddict(str(Path(zhconv.__file__).parent / "zhcdict.json"))

# Everything that is not a letter or digit (CJK counts as letters) is noise for matching.
_NOISE = re.compile(r"[\W_]+", re.UNICODE)


@functools.lru_cache(maxsize=4096)
def simplified(text: str) -> str:
    """NFKC (full width -> half width) and traditional -> simplified; punctuation and space kept.
    Cached: one message passes through it four times (intents, benefits, facets, matcher), and
    zhconv's phrase-by-phrase conversion is the costliest step of normalising."""
    return zhconv.convert(unicodedata.normalize("NFKC", text), "zh-cn")


def clean(text: str) -> str:
    """simplified(), lower case, no punctuation or space."""
    return strip_noise(simplified(text).lower())


# Phone numbers as people type them (13912345678, 139 1234 5678, +86-139-…) and ID-card numbers.
_PHONE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?!\d)")
_ID_CARD = re.compile(r"(?<!\d)(?:\d{17}[\dXx]|\d{15})(?![\dXx])")


def mask_personal(text: str) -> str:
    """`text` as it may be stored: phone and ID-card numbers blanked out, and control and format
    characters (NUL, ESC[31m, right-to-left overrides) dropped, so that printing stored questions
    to a curator's terminal cannot run escape sequences."""
    text = unicodedata.normalize("NFKC", text).strip()
    text = "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) not in _CONTROL)
    return _PHONE.sub("#" * 11, _ID_CARD.sub("#" * 18, text))


_CONTROL = ("Cc", "Cf")


def strip_noise(text: str) -> str:
    return _NOISE.sub("", text)


# clean() converts traditional script phrase by phrase (5-6 µs a name); outlet lists have up to
# hundreds of thousands of names, so norm() does the same per character (str.translate, in C).
_T2S = str.maketrans(
    {k: v for k, v in _zhconv.getdict("zh-cn").items() if len(k) == 1 and len(v) == 1}
)


def norm(text: str) -> str:
    """NFKC, lower case, simplified script per character, no punctuation or spaces: how outlet
    names are compared."""
    return strip_noise(unicodedata.normalize("NFKC", text).lower().translate(_T2S))


def pairs(items: Sequence[str], sep: str = "") -> list[str]:
    """Adjacent pairs of a text's characters (or of a list of syllables), joined by `sep`: the
    terms both searches index, since Chinese has no spaces between words. A single item is its
    own term."""
    return [a + sep + b for a, b in itertools.pairwise(items)] or list(items[:1])


class Synonyms:
    """Colloquial words -> the documents' terms, longest first so 报工伤 wins over 工伤."""

    def __init__(self, mapping: dict[str, list[str]]):
        pairs = [(clean(v), clean(canon)) for canon, variants in mapping.items() for v in variants]
        self._pairs = sorted((p for p in pairs if p[0]), key=lambda p: len(p[0]), reverse=True)
        self._pattern = (
            re.compile("|".join(re.escape(v) for v, _ in self._pairs)) if self._pairs else None
        )
        self._lookup = dict(self._pairs)

    def apply(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: self._lookup[m.group(0)], text)


@functools.lru_cache(maxsize=1)
def _pinyin_table() -> dict[int, str]:
    """Every Chinese character -> " its tone-less pinyin " (its first reading). Built on first use
    (0.4 s); str.translate then converts a whole text in C."""
    return {
        cp: f" {convert(readings.split(',')[0], Style.NORMAL, strict=True)} "
        for cp, readings in pinyin_dict.items()
    }


def syllables(text: str) -> list[str]:
    """Tone-less pinyin, one syllable per Chinese character (so homophone typos compare equal);
    a run of letters or digits stays whole. Per character: phrase-aware readings cost far more
    and matter little for matching."""
    return text.translate(_pinyin_table()).split()


def char_sounds(text: str) -> list[str]:
    """One item per character: its pinyin, or the character itself when it has none."""
    table = _pinyin_table()
    return [table.get(ord(ch), ch).strip() for ch in text]


def pinyin(text: str) -> str:
    return " ".join(syllables(text))


# Words that make a message a question (an outlet's name or a date never holds them).
_QUESTION = re.compile(
    r"[?？吗嘛呢]|怎么|咋|如何|为什么|能不能|可不可以|算不算|是不是|有没有用|多少|哪里|哪儿|谁"
)


def looks_like_question(text: str) -> bool:
    """Whether a text asks something (a question word or mark), rather than naming a thing."""
    return bool(_QUESTION.search(text))
