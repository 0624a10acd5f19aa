"""Outlet names and numbers as they are compared: normalisation (NFKC, lower case, simplified
script, no punctuation), the brand words couriers type and where they occur in a name (by
characters or by sound), a name's core without generic words, the pinyin terms the search index
holds, and the comparable forms of licence/filing numbers and cities.
"""

from __future__ import annotations

import functools
import re
import unicodedata

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
# Words that say "an outlet" without saying which (data); removed before comparing names.
GENERIC_WORDS = [
    "有限责任公司",
    "股份有限公司",
    "有限公司",
    "分公司",
    "公司",
    "快递",
    "速递",
    "快运",
    "速运",
    "物流",
    "网点",
    "营业部",
    "营业点",
    "营业厅",
    "服务部",
    "服务点",
    "服务站",
    "分部",
    "站点",
    "门店",
    "代办点",
    "代理点",
    "揽投部",
    "揽投站",
    "经营部",
    "末端",
    "驿站",
]
GENERIC_ENDINGS = "店点部站"  # only as the last character: 东部新城 keeps its 部
# What couriers add around an outlet's name in a query (data); removed before searching.
QUERY_FILLERS = [
    "有没有交",
    "有没有买",
    "有没有",
    "交没交",
    "买没买",
    "给没给",
    "是否",
    "工伤保险",
    "社保",
    "保险",
    "参保",
    "请问",
    "帮我查",
    "帮我",
    "帮忙",
    "查一下",
    "查查",
    "查询",
    "一下",
    "看看",
    "我们",
    "我的",
    "我在",
    "那个",
    "这个",
    "的",
]
QUERY_FILLER_ENDINGS = "了吗呢啊呀"


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
    return "".join(" " + t for t in (_region_term("p", province), _region_term("c", city)) if t)


@functools.lru_cache(maxsize=65536)
def _region_term(kind: str, name: str | None) -> str | None:
    return ("zz" + kind + "".join(syllables(norm(name)))) if name else None


_BRAND_ALIASES = sorted(
    ((norm(a), b) for b, aliases in BRANDS.items() for a in aliases),
    key=lambda p: len(p[0]),
    reverse=True,
)
_PLACE_NEXT = set("路街道巷村镇里桥")  # a brand word followed by these is part of a place name
_FILLERS = re.compile(
    "|".join(re.escape(w) for w in sorted(QUERY_FILLERS, key=len, reverse=True))
    + f"|[{QUERY_FILLER_ENDINGS}]+$"
)
_GENERIC = re.compile(
    "|".join(re.escape(w) for w in sorted(GENERIC_WORDS, key=len, reverse=True))
    + f"|[{GENERIC_ENDINGS}]$"
)


@functools.lru_cache(maxsize=1)
def _brand_sounds() -> dict[str, str]:
    return {"".join(syllables(b)): b for b in BRANDS}


def _brand_hits(text: str) -> list[tuple[int, int, str]]:
    """(start, end, brand) of each brand word in normalised text, by characters or by sound
    (钟通 for 中通); not where it is part of a place name (北京东路, 顺风街)."""
    hits = []
    for alias, brand in _BRAND_ALIASES:
        start = text.find(alias)
        while start >= 0:
            end = start + len(alias)
            if text[end : end + 1] not in _PLACE_NEXT:
                hits.append((start, end, brand))
            start = text.find(alias, end)
    sounds = char_sounds(text)
    for i in range(len(text) - 1):
        heard = _brand_sounds().get(sounds[i] + sounds[i + 1])
        if heard and text[i + 2 : i + 3] not in _PLACE_NEXT:
            hits.append((i, i + 2, heard))
    return hits


def brands_in(text: str) -> set[str]:
    """Canonical brands named in normalised text."""
    return {brand for _, _, brand in _brand_hits(text)}


def brand_in_name(name_norm: str) -> str | None:
    """The brand of an outlet whose list gives none: the first brand word in its name."""
    hits = _brand_hits(name_norm)
    return min(hits)[2] if hits else None


def core(text: str, brands: set[str] | None = None) -> str:
    """A normalised name without generic words (快递, 网点, 营业部 …) and without the words of
    `brands` (all brands if None), homophone spellings included."""
    keep = [True] * len(text)
    for start, end, brand in _brand_hits(text):
        if brands is None or brand in brands:
            keep[start:end] = [False] * (end - start)
    if not all(keep):
        text = "".join(ch for ch, k in zip(text, keep, strict=False) if k)
    return _GENERIC.sub("", text)


_NUMBER_NOISE = re.compile(r"[\s\-_－—/]+")


def number_key(text: str) -> str:
    """A licence/filing number as compared: NFKC, upper case, no spaces or dashes."""
    return _NUMBER_NOISE.sub("", unicodedata.normalize("NFKC", text)).upper()


def _digits(key: str) -> str | None:
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


def month_of(value: str) -> str:
    return value[:7]
