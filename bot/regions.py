"""Regions the bot knows: the ones our source documents come from, and every other province;
and how a courier's typed place (济宁, 广东深圳, 廣東, 延边州) becomes one of them."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from bot.text import clean

NATIONAL = "全国"

# Regions that have a local document in faq/ (keys of entry `region`), plus their parent province.
DOC_REGIONS = {
    "全国": None,
    "广西": None,
    "吉林": None,
    "长治": "山西",
    "济宁": "山东",
    "上海": None,
}

# Display names used in answers ("适用地区").
FULL_NAMES = {
    "全国": "全国",
    "广西": "广西壮族自治区",
    "吉林": "吉林省",
    "长治": "山西省长治市",
    "济宁": "山东省济宁市",
    "上海": "上海市",
    "山西": "山西省",
    "山东": "山东省",
}

# Mainland provinces: 《工伤保险条例》 does not apply in Hong Kong, Macao or Taiwan.
PROVINCES = [
    "北京",
    "天津",
    "河北",
    "山西",
    "内蒙古",
    "辽宁",
    "吉林",
    "黑龙江",
    "上海",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "广西",
    "海南",
    "重庆",
    "四川",
    "贵州",
    "云南",
    "西藏",
    "陕西",
    "甘肃",
    "青海",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
    "台湾",
]

# Alias -> canonical region. Longer aliases are tried first when scanning a message.
ALIASES: dict[str, str] = {p: p for p in PROVINCES}
ALIASES.update(
    {
        "全国": "全国",
        "国家": "全国",
        "广西壮族自治区": "广西",
        "广西省": "广西",
        "吉林省": "吉林",
        "山西省": "山西",
        "山东省": "山东",
        "上海市": "上海",
        "长治": "长治",
        "长治市": "长治",
        "济宁": "济宁",
        "济宁市": "济宁",
        "内蒙古自治区": "内蒙古",
        "宁夏回族自治区": "宁夏",
        "新疆维吾尔自治区": "新疆",
        "西藏自治区": "西藏",
    }
)
for _p in PROVINCES:
    ALIASES.setdefault(_p + "省", _p)
    ALIASES.setdefault(_p + "市", _p)

_SCAN_ORDER = sorted(ALIASES, key=len, reverse=True)


def find_in_text(text: str) -> tuple[str | None, str]:
    """The most specific region named in `text` (a city over its province), and the text without
    any region names."""
    found: list[str] = []
    for alias in _SCAN_ORDER:
        if alias in text:
            found.append(ALIASES[alias])
            text = text.replace(alias, " ")
    cities = [r for r in found if DOC_REGIONS.get(r)]
    named = cities or found
    return (named[0] if named else None), text


def fallback_chain(region: str | None) -> list[str]:
    """Regions whose documents apply to someone in `region`, most specific first."""
    chain = []
    if region and region != NATIONAL:
        chain.append(region)
        parent = DOC_REGIONS.get(region)
        if parent:
            chain.append(parent)
    chain.append(NATIONAL)
    return chain


def full_name(region: str) -> str:
    return FULL_NAMES.get(region, region)


# --- places a courier types ---------------------------------------------------------------------
CITIES_FILE = Path(__file__).resolve().parent / "data" / "cities.toml"

# Labels that ask "which province?" rather than name one (labels.j2 region_other is the first).
ASK_WORDS = {"其他省份", "其它省份", "其他省", "其他", "其它"}

# 延边朝鲜族自治州 -> 延边, 伊犁哈萨克自治州 -> 伊犁: people drop the nationalities.
_NATIONALITIES = re.compile(
    r"(?:(?:朝鲜|土家|苗|藏|羌|彝|布依|侗|哈尼|壮|傣|白|景颇|傈僳|回|蒙古)族|蒙古|哈萨克|柯尔克孜)+"
    r"(?=自治州$)"
)
_SUFFIX = re.compile(r"(?:市|地区|盟|自治州)$")
# What may follow a city and still name a place in it (深圳市南山区, 济宁任城区): not 南京路, and
# not a bare 区 (朝阳区 is in 北京, not in 朝阳市).
_PLACE_TAIL = re.compile(r".+(?:区|县|市|旗|镇|乡|街道)")


@dataclass(frozen=True)
class Place:
    """A prefecture-level city (or a county-level city a province runs directly)."""

    name: str  # official name: 深圳市
    province: str  # canonical province: 广东
    region: str  # canonical region: its own document region (济宁) or its province


@dataclass(frozen=True)
class Lookup:
    """What a typed place means: one region, or a question back to the courier."""

    region: str | None = None
    place: Place | None = None  # the city that named the region, if one did
    ask: bool = False  # "其他省份": ask which province or city
    choices: tuple[str, ...] = ()  # texts to type, when the name fits several places


def short_name(official: str) -> str:
    """深圳市 -> 深圳, 大兴安岭地区 -> 大兴安岭, 延边朝鲜族自治州 -> 延边."""
    return _SUFFIX.sub("", _NATIONALITIES.sub("", official))


def short_names(official: str) -> set[str]:
    """The ways people write a city: 深圳市/深圳, 大兴安岭地区/大兴安岭, 延边朝鲜族自治州/延边/延边州."""
    short = short_name(official)
    names = {official, short, short + "州" if official.endswith("自治州") else short}
    return {clean(n) for n in names if len(n) >= 2}


def load_places(table: dict) -> dict[str, tuple[Place, ...]]:
    """Every name of every city in `table` (cities.toml) -> the places it may mean."""
    places: dict[str, tuple[Place, ...]] = {}
    for section in table.values():
        for province_name, cities in section.items():
            province = ALIASES[province_name]
            for official in cities:
                short = short_name(official)
                own = short if DOC_REGIONS.get(short) == province else province
                place = Place(official, province, own)
                for name in short_names(official):
                    places[name] = (*places.get(name, ()), place)
    return places


def _official_provinces(table: dict) -> dict[str, str]:
    """广东 -> 广东省, 广西 -> 广西壮族自治区: the names answers show."""
    return {ALIASES[name]: name for name in table["prefecture"]}


with CITIES_FILE.open("rb") as _fh:
    CITY_TABLE = tomllib.load(_fh)
PLACES = load_places(CITY_TABLE)
FULL_NAMES = {**_official_provinces(CITY_TABLE), **FULL_NAMES}
_PROVINCE_ALIASES = {a: p for a, p in ALIASES.items() if p in PROVINCES}
# 北京, 上海, 天津, 重庆 have districts, no cities: 北京朝阳 is 朝阳区, not 辽宁朝阳市.
_MUNICIPALITIES = {ALIASES[name] for name, cities in CITY_TABLE["prefecture"].items() if not cities}


def _prefix(text: str, names: dict) -> tuple[str, str]:
    """The longest key of `names` that `text` starts with (or ""), and the rest of `text`."""
    for end in range(len(text), 1, -1):
        if text[:end] in names:
            return text[:end], text[end:]
    return "", text


def resolve(name: str | None, places: dict[str, tuple[Place, ...]] = PLACES) -> Lookup:
    """What a courier's typed place means. Whole names first (山东, 济宁, 全国), then
    [province][city][district] (山东济宁, 广东省深圳市南山区, 深圳). Never guesses between two
    places: a city in two provinces, or a city that is not in the province typed, asks."""
    text = clean(name or "")
    if text in ASK_WORDS:
        return Lookup(ask=True)
    if text in ALIASES:
        return Lookup(ALIASES[text])
    # Read with and without a province in front: 海南州 is a city of 青海, not 海南 + 州.
    readings = [_read(*_prefix(text, _PROVINCE_ALIASES), places), _read("", text, places)]
    return next((r for r in readings if r.place or r.choices), readings[0])


def _read(prov_name: str, rest: str, places: dict[str, tuple[Place, ...]]) -> Lookup:
    """[city][district] in `rest`, in the province `prov_name` (if any) the courier typed first."""
    province = _PROVINCE_ALIASES.get(prov_name)
    if province in _MUNICIPALITIES:
        return Lookup(province)
    city_name, tail = _prefix(rest, places)
    if tail and not _PLACE_TAIL.fullmatch(tail):
        return Lookup()  # 南京路, 广东话: more than a place
    found = places.get(city_name, ())
    fits = [p for p in found if p.province == province] if province else found
    if len(fits) == 1:
        return Lookup(fits[0].region, fits[0])
    if found:  # a city in two provinces, or one outside the province typed (山东深圳)
        return Lookup(choices=_choices(province, found))
    return Lookup(province)


def _choices(province: str | None, found: tuple[Place, ...]) -> tuple[str, ...]:
    """What to type to pick each reading of an unclear name: 山东 / 广东深圳."""
    typed = [province] if province and all(p.province != province for p in found) else []
    return tuple(typed + [p.province + short_name(p.name) for p in found])


def canonical(name: str | None) -> str | None:
    """The canonical region for a user-typed name (a province, document city, city or label), or
    None if unknown or unclear."""
    return resolve(name).region
