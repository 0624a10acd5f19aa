"""Outlet names and numbers as they are compared: normalisation (NFKC, lower case, simplified
script, no punctuation), the brand words couriers type and where they occur in a name (by
characters or by sound), a name's core without generic words, the pinyin terms the search index
holds, and the comparable forms of licence/filing numbers and cities.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from bot import regions
from bot.text import char_sounds, norm, pairs, syllables

# Brand names couriers type (data). Aliases are matched on normalised text; the canonical name
# is also matched by pinyin, so a homophone typo (运达 for 韵达) still counts.
BRANDS: dict[str, tuple[str, ...]] = {
    "中通": ("中通", "zto"),
    "圆通": ("圆通", "yto"),
    "韵达": ("韵达", "yunda"),
    "顺丰": ("顺丰", "sf"),
    "京东": ("京东", "jd"),
    "极兔": ("极兔", "jt", "jnt"),
    "申通": ("申通", "sto"),
    "邮政": ("邮政", "中国邮政", "ems", "邮局"),
    "百世": ("百世",),
    "德邦": ("德邦",),
    "丰网": ("丰网",),
    "天天": ("天天快递",),
    "宅急送": ("宅急送",),
    "优速": ("优速",),
    "跨越": ("跨越速运",),
    "安能": ("安能",),
    "菜鸟": ("菜鸟",),
}
# Words that tell two outlets of one brand and place apart (data); 一部/二部 … are read apart.
# Not 网点 or 站点: couriers call any outlet that, so those words pick none.
KIND_WORDS = [
    "营业部",
    "营业点",
    "营业厅",
    "服务部",
    "服务点",
    "服务站",
    "分部",
    "分公司",
    "门店",
    "代办点",
    "代理点",
    "揽投部",
    "揽投站",
    "经营部",
    "驿站",
]
# Words that say "an outlet" without saying which (data); removed before comparing names.
GENERIC_WORDS = [
    "有限责任公司",
    "股份有限公司",
    "有限公司",
    "公司",
    "快递",
    "速递",
    "快运",
    "速运",
    "物流",
    "网点",
    "站点",
    "末端",
    *KIND_WORDS,
]
GENERIC_ENDINGS = "店点部站"  # only as the last character: 东部新城 keeps its 部
# What couriers add around an outlet's name in a query (data); removed before searching, and
# before a question about an outlet ("…交没交工伤保险") is looked up and logged. Words that may
# also be part of a name (快递员之家驿站) are in NAME_EDGE_FILLERS instead.
QUERY_FILLERS = [
    "有没有交",
    "有没有买",
    "有没有",
    "有没",
    "交没交",
    "买没买",
    "上没上",
    "给没给",
    "了没有",
    "了没",
    "缴纳",
    "是否",
    "工伤保险",
    "工伤险",
    "社保",
    "保险",
    "参保",
    "请问",
    "帮我查",
    "帮我",
    "帮忙",
    "怎么查",
    "查一下",
    "查查",
    "查询",
    "一下",
    "看看",
    "我们",
    "咱们",
    "我的",
    "我在",
    "那个",
    "这个",
    "的小哥",
    "的",
]
# Words couriers add around a name that an outlet's name may hold too (韵达快递员之家驿站,
# 中通没有烦恼驿站): removed only at the query's start, where nothing but question words
# (QUERY_FILLERS, 交了吗, 公司 …) follows them, or right before the insurance word or 吗;
# never inside a name.
NAME_EDGE_FILLERS = ["快递员", "我是", "给我", "参加了", "参加", "没有", "上了", "交了", "买了"]
# Who a courier says should pay, after the name (中通快递员公司给我上保险了吗): part of the question.
QUERY_PAYERS = ["公司", "单位", "老板", "站长"]
# One character that pays (交 …) only before the insurance word, so 立交 keeps its 交.
QUERY_VERBS = "交缴买上给"
QUERY_FILLER_ENDINGS = "了没吗呢啊呀么嘛"  # only at the end: 交了吗, 上了没
# Words that say a text is about an outlet (data): what couriers call one, and the kind words.
OUTLET_WORDS = ["网点", "站点", "揽投", "分拨", *KIND_WORDS]


# === normalisation ==============================================================================
def terms(text: str) -> list[str]:
    """Index terms of a normalised name: adjacent syllable pairs (a lone syllable is itself).
    A pair that occurs twice stays twice: FTS does not mind, and this is the import's hot path."""
    return pairs(syllables(text))


def doc_terms(name_norm: str, province: str, city: str | None) -> tuple[list[str], str]:
    """(name terms, the FTS document: name terms plus the outlet's province and city terms)."""
    name_terms = terms(name_norm)
    return name_terms, " ".join(name_terms) + _region_suffix(province, city)


@functools.lru_cache(maxsize=65536)
def _region_suffix(province: str, city: str | None) -> str:
    return "".join(" " + t for t in (region_term("p", province), region_term("c", city)) if t)


@functools.lru_cache(maxsize=65536)
def region_term(kind: str, name: str | None) -> str | None:
    """The index term of a province ("p") or city ("c"): every outlet's document holds its own."""
    return ("zz" + kind + "".join(syllables(norm(name)))) if name else None


_BRAND_ALIASES = sorted(
    ((norm(a), b) for b, aliases in BRANDS.items() for a in aliases),
    key=lambda p: len(p[0]),
    reverse=True,
)
_PLACE_NEXT = set("路街道巷村镇里桥")  # a brand word followed by these is part of a place name


def _alternatives(words: list[str]) -> str:
    """The words as one regex alternation, longest first."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


GENERIC_PATTERN = _alternatives(GENERIC_WORDS)
_ANYWHERE = _alternatives(QUERY_FILLERS)
_EDGE = _alternatives(NAME_EDGE_FILLERS)
_INSURANCE = "工伤|社保|保险"
TAIL_WORDS = 16  # question words after a name at most (公司 给我 上 工伤保险 了 吗 is 6)
# What may follow an edge word for it to be outside the name: question words to the end (taken
# possessively: a name's own characters end the run at once, with no backtracking; and at most
# TAIL_WORDS, so a long message is not scanned to its end from every edge word), or at once the
# insurance word or 吗.
_QUESTION_TAIL = (
    f"(?:{_ANYWHERE}|{_EDGE}|{_alternatives(QUERY_PAYERS)}|{_INSURANCE}"
    f"|[{QUERY_VERBS}{QUERY_FILLER_ENDINGS}]){{0,{TAIL_WORDS}}}+$"
)
FILLERS = re.compile(
    f"^(?:{_ANYWHERE}|{_EDGE})++"  # 请问我是 …: everything before the name
    f"|{_ANYWHERE}"
    f"|(?:{_EDGE})(?={_QUESTION_TAIL}|[{QUERY_VERBS}]?了?(?:{_INSURANCE}|吗))"
    f"|[{QUERY_VERBS}]了?(?={_INSURANCE})"
    f"|[{QUERY_VERBS}]?[{QUERY_FILLER_ENDINGS}]+$"
)
_GENERIC = re.compile(f"{GENERIC_PATTERN}|[{GENERIC_ENDINGS}]$")


@functools.lru_cache(maxsize=1)
def _brand_sounds() -> dict[str, str]:
    return {"".join(syllables(b)): b for b in BRANDS}


def _brand_hits(text: str, by_sound: bool = True) -> list[tuple[int, int, str]]:
    """(start, end, brand) of each brand word in normalised text, by characters or, when none
    is written out, by sound (钟通 for 中通; but 祥柏市场圆通 names 圆通, not 百世 by 柏市);
    not where it is part of a place name (北京东路, 顺风街)."""
    hits = []
    for alias, brand in _BRAND_ALIASES:
        start = text.find(alias)
        while start >= 0:
            end = start + len(alias)
            if text[end : end + 1] not in _PLACE_NEXT:
                hits.append((start, end, brand))
            start = text.find(alias, end)
    if hits or not by_sound:
        return hits
    sounds = char_sounds(text)
    for i in range(len(text) - 1):
        heard = _brand_sounds().get(sounds[i] + sounds[i + 1])
        if heard and text[i + 2 : i + 3] not in _PLACE_NEXT:
            hits.append((i, i + 2, heard))
    return hits


def brands_in(text: str, by_sound: bool = True) -> set[str]:
    """Canonical brands named in normalised text."""
    return {brand for _, _, brand in _brand_hits(text, by_sound)}


def brand_words(query: str) -> tuple[set[str], str]:
    """The brands a raw query names in words of their own (韵达 镇北路: 韵达, where 韵达镇北路
    reads as the place 韵达镇), and the rest of the query, normalised."""
    brands: set[str] = set()
    rest = []
    for word in query.split():
        text = norm(word)
        named = brands_in(text)
        if named and not core(text, named):  # 中通, 中通快递, zto
            brands |= named
        else:
            rest.append(text)
    return brands, "".join(rest)


def query_of(question: str) -> str:
    """The outlet part of a question about it, normalised word by word (a brand typed as a word
    of its own stays one): 极兔 城东网点有没有交工伤保险 -> 极兔 城东网点."""
    words = (FILLERS.sub("", norm(word)) for word in question.split())
    return " ".join(word for word in words if word)


def brand_in_name(name_norm: str) -> str | None:
    """The brand of an outlet whose list gives none: the first brand word in its name."""
    hits = _brand_hits(name_norm)
    return min(hits)[2] if hits else None


def core(text: str, brands: set[str] | None = None) -> str:
    """A normalised name without generic words (快递, 网点, 营业部 …) and without the words of
    `brands` (all brands if None), homophone spellings included."""
    return _GENERIC.sub("", _without_brands(text, brands))


def _without_brands(text: str, brands: set[str] | None) -> str:
    keep = [True] * len(text)
    for start, end, brand in _brand_hits(text):
        if brands is None or brand in brands:
            keep[start:end] = [False] * (end - start)
    return "".join(ch for ch, k in zip(text, keep, strict=False) if k) if not all(keep) else text


# === what a query says about which outlet ========================================================
_KIND = re.compile(_alternatives(KIND_WORDS))
_ORDINAL = re.compile(
    r"第?([一二两三四五六七八九十]|\d{1,2})(?:号店|分部|分店|部|店)|第?([一二两三四五六七八九十]|\d)$"
)
_ENDING = re.compile(f"[{GENERIC_ENDINGS}]$")
_NUMERALS = str.maketrans("123456789两", "一二三四五六七八九二")
# Where a query's place breaks: generic words, and a district's 区/县 (a courier may add it, or
# leave it out, where the list's name has none or another word): 铁东区大学城 = 铁东 + 大学城.
_PIECE_BREAK = re.compile(GENERIC_PATTERN + "|(?<![小社])区|县")


def ordinals(name_norm: str) -> frozenset[str]:
    """The sub-outlet numbers in a normalised name: 洸河路二部 -> {二}, 2部 and 第二部 too."""
    return frozenset(
        (m.group(1) or m.group(2)).translate(_NUMERALS) for m in _ORDINAL.finditer(name_norm)
    )


def sounds(text: str) -> str:
    """A text's syllables between spaces, so that `sounds(a) in sounds(b)` says that b holds a
    by sound (homophone typos too) at syllable bounds."""
    return " " + " ".join(syllables(text)) + " "


@dataclass(frozen=True)
class Wording:
    """What a query says about which outlet it means: its brands, the words that tell near-twins
    apart (服务部, 驿站 …; 一部 -> 一), and its place in the pieces typed."""

    brands: frozenset[str]
    kinds: frozenset[str]
    ordinals: frozenset[str]
    pieces: tuple[str, ...]

    @classmethod
    def of(cls, text: str, brands: set[str]) -> Wording:
        """From a normalised query without the words around a name (QUERY_FILLERS)."""
        rest = _without_brands(text, brands)
        place = _ORDINAL.sub("|", rest)
        pieces = (_ENDING.sub("", p) for p in _PIECE_BREAK.sub("|", place).split("|"))
        return cls(
            frozenset(brands),
            frozenset(_KIND.findall(rest)),
            ordinals(rest),
            tuple(p for p in pieces if p),
        )

    def index_terms(self) -> list[str]:
        """Index terms every outlet that fits holds (its pieces' syllable pairs; a piece of one
        character has none)."""
        return list(dict.fromkeys(t for p in self.pieces if len(p) > 1 for t in terms(p)))

    def fits(self, name_norm: str, brand: str | None) -> bool:
        """Whether an outlet (its normalised name and brand) holds all the query's words: the
        brand named, each kind word and number, and each place piece by sound — in the name
        (so the index holds the piece's terms) and outside its brand word (通杰乡 is not in
        中通杰香路)."""
        if self.brands and brand not in self.brands:
            return False
        if not all(k in name_norm for k in self.kinds) or not self.ordinals <= ordinals(name_norm):
            return False
        whole = sounds(name_norm)
        place = sounds(_without_brands(name_norm, {brand} if brand else None))
        return all(sounds(p) in whole and sounds(p) in place for p in self.pieces)


_NUMBER_NOISE = re.compile(r"[\s\-_－—/]+")


def number_key(text: str) -> str:
    """A licence/filing number as compared: NFKC, upper case, no spaces or dashes."""
    return _NUMBER_NOISE.sub("", unicodedata.normalize("NFKC", text)).upper()


def number_digits(key: str) -> str | None:
    """The digits of a number that starts with Chinese characters (鲁邮2022001 -> 2022001), so
    that a courier can type just them; None for other numbers (they can be typed as they are)."""
    if key.isascii():
        return None
    d = re.sub(r"\D", "", key)
    return d if len(d) >= 6 else None


@functools.lru_cache(maxsize=65536)
def city_key(city: str | None) -> str | None:
    if not city:
        return None
    c = norm(city)
    # Only the regions' own names (济宁市 -> 济宁), not canonical(): that maps every city to its
    # province, and an outlet's city must stay its city (深圳, not 广东).
    canon = regions.ALIASES.get(c)
    if canon:
        return canon
    return c[:-1] if len(c) > 2 and c.endswith("市") else c


COUNTY_SUFFIXES = ("自治县", "自治旗", "区", "县", "市", "旗")


def county_key(county: str) -> str:
    """任城区 and 任城 alike: a county without its suffix, except where only one character
    would be left (城区 stays 城区)."""
    c = norm(county)
    for suffix in COUNTY_SUFFIXES:
        if c.endswith(suffix) and len(c) > len(suffix) + 1:
            return c[: -len(suffix)]
    return c


def month_of(value: str) -> str:
    return value[:7]
