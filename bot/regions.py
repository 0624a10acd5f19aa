"""Regions the bot knows: the ones our source documents come from, and every other province."""

from __future__ import annotations

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
_PROVINCES = [
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
ALIASES: dict[str, str] = {p: p for p in _PROVINCES}
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
for _p in _PROVINCES:
    ALIASES.setdefault(_p + "省", _p)
    ALIASES.setdefault(_p + "市", _p)

_SCAN_ORDER = sorted(ALIASES, key=len, reverse=True)


def canonical(name: str | None) -> str | None:
    """The canonical region for a user-typed name, or None if unknown."""
    if not name:
        return None
    return ALIASES.get(name.strip())


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
