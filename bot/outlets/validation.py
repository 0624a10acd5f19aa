"""Validating an outlet list's rows: each CSV row becomes the outlet's fields (canonical
province, brand, yes/no, licensed/filed, dates, headcount, number keys) or a list of problems,
and `outlet_key` says which rows are the same outlet.
"""

from __future__ import annotations

import functools
import unicodedata

from bot import regions
from bot.outlets.names import brand_in_name, brands_in, city_key, number_digits, number_key
from bot.outlets.reading import COLUMNS, read_date
from bot.text import norm

LICENSED, FILED = "licensed", "filed"
_YES = {"是", "已参保", "参保", "已", "有", "y", "yes", "true", "1", "√", "✓"}
_NO = {"否", "未参保", "未", "无", "没有", "n", "no", "false", "0", "×", "✗"}
_KINDS = {
    LICENSED: {
        "licensed",
        "licence",
        "license",
        "许可",
        "已许可",
        "经营许可",
        "取得许可",
        "分支机构",
        "许可网点",
        "具备用人单位主体资格",
    },
    FILED: {
        "filed",
        "filing",
        "备案",
        "末端备案",
        "末端网点",
        "末端",
        "备案网点",
        "仅备案",
        "不具备用人单位主体资格",
    },
}
_INSURED = {**{w: True for w in _YES}, **{w: False for w in _NO}}
_KIND_OF = {w: k for k, words in _KINDS.items() for w in words}


@functools.lru_cache(maxsize=4096)
def _province(raw: str) -> str | None:
    """A canonical province name, or None (a city such as 济宁 or 全国 is not a province)."""
    p = regions.canonical(unicodedata.normalize("NFKC", raw).strip()) if raw else None
    return None if p is None or p == regions.NATIONAL or regions.DOC_REGIONS.get(p) else p


@functools.lru_cache(maxsize=1024)
def _brand(text: str) -> str:
    """The canonical brand for a brand cell (中通快递 -> 中通); unknown brands stay as written."""
    found = brands_in(norm(text))
    return min(found) if len(found) == 1 else text


class Validator:
    """Checks the rows of one file; column positions are resolved once (this is the hot path of
    a 500 000-row import)."""

    def __init__(self, columns: dict[str, int], as_of: str):
        self.width = max(columns.values()) + 1
        # absent: the "" cell check() appends, the last one even when ignored columns follow
        at = {c: columns.get(c, -1) for c in COLUMNS}
        (
            self.i_name,
            self.i_brand,
            self.i_parent,
            self.i_number,
            self.i_kind,
            self.i_province,
            self.i_city,
            self.i_county,
            self.i_address,
            self.i_insured,
            self.i_since,
            self.i_headcount,
        ) = (at[c] for c in COLUMNS)
        self.as_of = as_of
        self.month = as_of[:7]

    def check(self, cells: list[str]) -> tuple[dict | None, list[str]]:
        """One CSV row -> (outlet fields, []) or (None, [problems]). Cells are kept as written
        (stripped): names and addresses are shown as the list spells them."""
        if len(cells) < self.width:
            return None, [f"{len(cells)} fields, the header has {self.width}"]
        cells.append("")
        problems = []
        name = cells[self.i_name].strip()
        if not name:
            problems.append("name (网点名称) is empty")
        elif len(name) > 100:
            problems.append(f"name (网点名称) is {len(name)} characters long (at most 100)")
        province = _province(cells[self.i_province])
        if province is None:
            problems.append(f"province (省份) {cells[self.i_province].strip()!r} is not a province")
        insured = _INSURED.get(_word(cells[self.i_insured]))
        if insured is None:
            problems.append(
                f"insured (是否参保) {cells[self.i_insured].strip()!r} is not 是/否 (yes/no)"
            )
        kind = _optional(
            cells[self.i_kind],
            lambda raw: _KIND_OF.get(_word(raw)),
            problems,
            "kind (类型) {raw!r} is not 许可 (licensed) or 备案 (filed)",
        )
        since = _optional(
            cells[self.i_since],
            read_date,
            problems,
            "insured_since (参保时间) {raw!r} is not a date like 2022-05",
        )
        if since and since[:7] > self.month:
            problems.append(
                f"insured_since (参保时间) {since} is after the list's date {self.as_of}"
            )
        headcount = _optional(
            cells[self.i_headcount],
            _count,
            problems,
            "headcount (参保人数) {raw!r} is not a whole number",
        )
        if insured is False and headcount:
            problems.append(f"headcount (参保人数) is {headcount} but insured (是否参保) is no")
        if insured is False and since:
            problems.append("insured_since (参保时间) is given but insured (是否参保) is no")
        number = cells[self.i_number].strip() or None
        key = None
        if number:
            number = unicodedata.normalize("NFKC", number)
            key = number_key(number)
            if not 3 <= len(key) <= 40:
                problems.append(f"number (许可证号或备案号) {number!r} should be 3-40 characters")
        if problems:
            return None, problems
        assert insured is not None  # else a problem above
        name_norm = norm(name)
        brand = cells[self.i_brand].strip()
        city = cells[self.i_city].strip() or None
        return {
            "number": number,
            "number_key": key,
            "number_digits": number_digits(key) if key else None,
            "name": name,
            "norm": name_norm,
            "brand": _brand(brand) if brand else brand_in_name(name_norm),
            "parent_company": cells[self.i_parent].strip() or None,
            "kind": kind,
            "province": province,
            "city": city,
            "city_key": city_key(city),
            "county": cells[self.i_county].strip() or None,
            "address": cells[self.i_address].strip() or None,
            "insured": int(insured),
            "insured_since": since,
            "headcount": headcount,
        }, []


def _optional(cell: str, parse, problems: list[str], message: str):
    """An optional cell: None when empty, else `parse` of it; a problem when that gives None."""
    raw = cell.strip()
    if not raw:
        return None
    value = parse(raw)
    if value is None:
        problems.append(message.format(raw=raw))
    return value


@functools.lru_cache(maxsize=256)
def _word(cell: str) -> str:
    return unicodedata.normalize("NFKC", cell).strip().lower()


@functools.lru_cache(maxsize=1024)
def _count(cell: str) -> int | None:
    text = unicodedata.normalize("NFKC", cell).strip().rstrip("人")
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value >= 0 and value == int(value) else None


def outlet_key(row: dict) -> str:
    if row["number_key"]:
        return "no:" + row["number_key"]
    return "na:" + "|".join((row["province"], row["norm"], norm(row["address"] or "")))
