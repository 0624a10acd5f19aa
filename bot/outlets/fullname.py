"""An outlet's name typed in full inside a query: the forms of a query that may be a full name
(as typed, and without a place typed before or after it: 济宁中通快递城西网点, …营业部（铁西区）,
… 吉林四平), and whether what was typed around a name is only that outlet's own place. A name
with another outlet's place around it is not typed in full: 济宁 in front of 南宁's 中通快递城西网点
asks about an outlet the list does not hold, and the search offers, never decides.
"""

from __future__ import annotations

import functools
import re

from bot import regions
from bot.outlets.names import GENERIC_ENDINGS, GENERIC_PATTERN, city_key, county_key
from bot.text import norm

PLACE_MAX = 12  # characters of a place typed around a name (广西壮族自治区柳州市 is 10)
# A place as typed: a region or city the bot knows (吉林, 四平 …), or any name ending like one.
_SUFFIXES = ("自治区", "自治州", "自治县", "地区", "省", "市", "州", "盟", "区", "县", "旗")
_KNOWN = sorted({*regions.ALIASES, *regions.PLACES}, key=len, reverse=True)
_PLACES = re.compile(
    "(?:"
    + "|".join(re.escape(n) for n in _KNOWN)
    + "|[\u4e00-\u9fff]{1,6}?(?:"
    + "|".join(_SUFFIXES)
    + "))+"
)
# Where an outlet's name may end, so a place after it can be cut off: a generic word or ending.
_NAME_END = re.compile(f"(?:{GENERIC_PATTERN}|[{GENERIC_ENDINGS}司])$")


def forms(text: str) -> list[str]:
    """The forms of a normalised query (without the words around a name) an outlet's full name
    is looked up by: the query, and the query without a place before or after it. Only a
    guess at where a place is; framed() checks it is the outlet's own."""
    size = len(text)
    heads = [0] + [i for i in range(2, min(size - 1, PLACE_MAX + 1)) if _PLACES.fullmatch(text[:i])]
    tails = [size] + [
        i
        for i in range(max(2, size - PLACE_MAX), size - 1)
        if _NAME_END.search(text[:i]) and _PLACES.fullmatch(text[i:])
    ]
    return sorted({text[h:t] for h in heads for t in tails if t - h >= 2})


def framed(text: str, outlet: dict) -> bool:
    """Whether `text` is the outlet's full name with nothing around it but its own place: its
    province, city or county, with or without 省/市/区/县 (济宁 for 济宁市, 吉林四平)."""
    name = norm(outlet["name"])
    start = text.find(name)
    if start < 0:
        return False
    own = _own_places(outlet["province"], outlet["city"], outlet["county"])
    return all(_only(part, own) for part in (text[:start], text[start + len(name) :]))


def _only(text: str, places: tuple[str, ...]) -> bool:
    """Whether `text` is made of `places` only (longest first; nothing is nothing)."""
    while text:
        found = next((p for p in places if text.startswith(p)), None)
        if found is None:
            return False
        text = text[len(found) :]
    return True


@functools.lru_cache(maxsize=4096)
def _own_places(province: str | None, city: str | None, county: str | None) -> tuple[str, ...]:
    """The ways a courier writes an outlet's province, city and county, longest first."""
    names: set[str] = set()
    if province:
        names |= {province, province + "省", norm(regions.full_name(province))}
    if city:
        names |= {norm(city), city_key(city) or ""} | regions.short_names(norm(city))
    if county:
        names |= {norm(county), county_key(county)}
    return tuple(sorted((n for n in names if n), key=lambda n: (-len(n), n)))
