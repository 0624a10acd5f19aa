"""The outlet registry: official lists of express outlets (网点) and whether they pay work-injury
insurance, imported from CSV, looked up by number or fuzzy name, every lookup logged (hashed user).

Tables (created on first use, in the one SQLite database):
  outlets          one row per outlet, keyed by licence/filing number, else province+name+address
  outlets_fts      FTS5 index over pinyin syllable pairs of the name (homophone typos match)
  outlet_terms     document frequency of each index term (keeps fuzzy queries off common terms)
  outlet_history   every status change (new, insured, uninsured, headcount …) per import batch
  import_batches   one row per imported list: source, as-of date, file hash, counts, coverage
  lookups          every lookup: time, channel, region, query (masked), outlet, score, result,
                   and a salted hash of the user — never a raw id, name or phone number
"""
from __future__ import annotations

import contextlib
import csv
import functools
import gc
import hashlib
import itertools
import json
import logging
import operator
import re
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import zhconv.zhconv as _zhconv
from rapidfuzz import fuzz, process

from bot import regions
from bot.dates import CHINA   # report months are China's months
from bot.storage.database import Storage, now
from bot.text import char_sounds, mask_personal, strip_noise, syllables

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]
SAMPLE_CSV = ROOT / "samples" / "outlets_sample.csv"
SAMPLE_SOURCE = "示例数据（虚构）"     # data: the label every reply shows for the sample list
SAMPLE_AS_OF = "2026-10"
SAMPLE_MARKERS = ("示例", "虚构", "sample", "fictional")

# --- scoring knobs (tuned on tests/test_outlets_lookup.py) ------------------------------------
CONFIDENT = 80.0       # best score at or above this (and clear of the runner-up) is "the" outlet
MARGIN = 5.0           # ... clear = at least this many points above the next different outlet
FLOOR = 60.0           # candidates below this are not shown at all (no guessing)
BRAND_WEIGHT = 0.15    # share of the score that is brand agreement, when the query names a brand
PINYIN_DISCOUNT = 0.95 # a match by sound only is a little less sure than by characters
MAX_CANDIDATES = 5
FTS_LIMIT = 200        # candidates fetched by the index, then reranked with rapidfuzz
COMMON_SHARE = 0.02    # index terms in more than this share of outlets are too common to search by
MAX_TERMS = 8
QUERY_MAX = 100        # characters of a query kept in the lookup log
CHUNK = 5_000          # rows written per statement batch while importing
BULK_CACHE_KB = 64_000   # the import's SQLite page cache (the default 2 MB makes indexes slow)

INSURED, NOT_INSURED, UNKNOWN, AMBIGUOUS = "insured", "not_insured", "unknown", "ambiguous"
LICENSED, FILED = "licensed", "filed"

# Brand names couriers type (data). Aliases are matched on normalised text; the canonical name
# is also matched by pinyin, so a homophone typo (运达 for 韵达) still counts.
BRANDS: dict[str, tuple[str, ...]] = {
    "中通": ("中通", "zto"), "圆通": ("圆通", "yto"), "韵达": ("韵达", "yunda"),
    "顺丰": ("顺丰", "sf"), "京东": ("京东", "jd"), "极兔": ("极兔", "jt", "jnt"),
    "申通": ("申通", "sto"), "邮政": ("邮政", "中国邮政", "ems", "邮局"), "百世": ("百世",),
    "德邦": ("德邦",), "丰网": ("丰网",), "天天": ("天天快递",), "宅急送": ("宅急送",),
    "优速": ("优速",), "跨越": ("跨越速运",), "安能": ("安能",), "菜鸟": ("菜鸟",),
}
# Words that say "an outlet" without saying which (data); removed before comparing names.
GENERIC_WORDS = (
    "有限责任公司 股份有限公司 有限公司 分公司 公司 快递 速递 快运 速运 物流 网点 营业部 营业点 营业厅 "
    "服务部 服务点 服务站 分部 站点 门店 代办点 代理点 揽投部 揽投站 经营部 末端 驿站"
).split()
GENERIC_ENDINGS = "店点部站"   # only as the last character: 东部新城 keeps its 部
# What couriers add around an outlet's name in a query (data); removed before searching.
QUERY_FILLERS = (
    "有没有交 有没有买 有没有 交没交 买没买 给没给 是否 工伤保险 社保 保险 参保 请问 帮我查 帮我 帮忙 "
    "查一下 查查 查询 一下 看看 我们 我的 我在 那个 这个 的"
).split()
QUERY_FILLER_ENDINGS = "了吗呢啊呀"

# --- CSV columns: canonical name -> accepted headers (English and Chinese, data) ---------------
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "网点名称", "网点", "名称", "单位名称", "网点全称"),
    "brand": ("brand", "品牌", "快递品牌"),
    "parent_company": ("parent_company", "parent", "所属企业", "所属公司", "所属快递企业", "上级企业"),
    "number": ("number", "licence_no", "license_no", "filing_no", "许可证号或备案号", "许可证号",
               "备案号", "许可备案号", "经营许可证号", "快递业务经营许可证号", "末端网点备案号", "编号"),
    "kind": ("kind", "类型", "网点类型", "主体类型", "许可或备案"),
    "province": ("province", "省", "省份", "省区", "省区市"),
    "city": ("city", "市", "地市", "城市", "市州"),
    "county": ("county", "县", "区县", "县区", "县市区"),
    "address": ("address", "地址", "详细地址", "经营地址"),
    "insured": ("insured", "是否参保", "参保情况", "参保状态", "已参保"),
    "insured_since": ("insured_since", "参保时间", "参保日期", "参保起始时间", "起始参保时间"),
    "headcount": ("headcount", "参保人数", "人数"),
}
REQUIRED = ("name", "province", "insured")
_YES = {"是", "已参保", "参保", "已", "有", "y", "yes", "true", "1", "√", "✓"}
_NO = {"否", "未参保", "未", "无", "没有", "n", "no", "false", "0", "×", "✗"}
_KINDS = {
    LICENSED: {"licensed", "licence", "license", "许可", "已许可", "经营许可", "取得许可", "分支机构",
               "许可网点", "具备用人单位主体资格"},
    FILED: {"filed", "filing", "备案", "末端备案", "末端网点", "末端", "备案网点", "仅备案",
            "不具备用人单位主体资格"},
}
_INSURED = {**{w: True for w in _YES}, **{w: False for w in _NO}}
_KIND_OF = {w: k for k, words in _KINDS.items() for w in words}


# === normalisation ==============================================================================
# bot.text.clean() converts traditional script phrase by phrase (5-6 µs a name); outlet lists
# have up to hundreds of thousands of names, so this does the same per character (str.translate).
_T2S = str.maketrans({k: v for k, v in _zhconv.getdict("zh-cn").items()
                      if len(k) == 1 and len(v) == 1})


def norm(text: str) -> str:
    """NFKC, lower case, simplified script, no punctuation or spaces: how names are compared."""
    return strip_noise(unicodedata.normalize("NFKC", text).lower().translate(_T2S))


def terms(text: str) -> list[str]:
    """Index terms of a normalised name: adjacent syllable pairs (a lone syllable is itself).
    A pair that occurs twice stays twice: FTS does not mind, and this is the import's hot path."""
    syl = syllables(text)
    return list(map(str.__add__, syl, syl[1:])) if len(syl) > 1 else syl


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


_BRAND_ALIASES = sorted(((norm(a), b) for b, aliases in BRANDS.items() for a in aliases),
                        key=lambda p: len(p[0]), reverse=True)
_PLACE_NEXT = set("路街道巷村镇里桥")    # a brand word followed by these is part of a place name
_FILLERS = re.compile("|".join(re.escape(w) for w in sorted(QUERY_FILLERS, key=len, reverse=True))
                      + f"|[{QUERY_FILLER_ENDINGS}]+$")
_GENERIC = re.compile("|".join(re.escape(w) for w in sorted(GENERIC_WORDS, key=len, reverse=True))
                      + f"|[{GENERIC_ENDINGS}]$")


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
            if text[end:end + 1] not in _PLACE_NEXT:
                hits.append((start, end, brand))
            start = text.find(alias, end)
    sounds = char_sounds(text)
    for i in range(len(text) - 1):
        brand = _brand_sounds().get(sounds[i] + sounds[i + 1])
        if brand and text[i + 2:i + 3] not in _PLACE_NEXT:
            hits.append((i, i + 2, brand))
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
        text = "".join(ch for ch, k in zip(text, keep) if k)
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
    canon = regions.canonical(c)
    if canon:
        return canon
    return c[:-1] if len(c) > 2 and c.endswith("市") else c


def month_of(value: str) -> str:
    return value[:7]


# === privacy ======================================================================================
def mask(query: str) -> str:
    """The query as logged: at most QUERY_MAX characters, phone and ID-card numbers blanked."""
    return mask_personal(query)[:QUERY_MAX]


# === import =======================================================================================
@dataclass
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class OutletImportError(ValueError):
    """A list that cannot be imported; `problems` holds line-numbered reasons."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []


@dataclass
class ImportResult:
    batch_id: int | None
    encoding: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    older: int = 0          # rows skipped because the database already has a newer list's status
    skipped: list[Problem] = field(default_factory=list)
    already: bool = False   # the same file with the same source and date was imported before
    removed_sample: int = 0

    def summary(self) -> str:
        if self.already:
            return (f"Already imported as batch {self.batch_id}: nothing changed "
                    f"({self.rows} rows, {self.encoding}).")
        parts = [f"Imported batch {self.batch_id} ({self.encoding}): {self.rows} rows, "
                 f"{self.inserted} new, {self.updated} updated, {self.unchanged} unchanged"]
        if self.older:
            parts.append(f", {self.older} skipped (a newer list is already loaded)")
        if self.skipped:
            parts.append(f", {len(self.skipped)} bad rows skipped")
        if self.removed_sample:
            parts.append(f"; removed {self.removed_sample} fictional sample outlets")
        return "".join(parts) + "."


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV export and its encoding: UTF-8 (with or without BOM), UTF-16 with BOM
    (Excel's 'Unicode text'), else GB18030 (a superset of GBK, as Chinese Excel exports)."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = [("utf-8-sig", data[3:], "utf-8")]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = [("utf-16", data, "utf-16")]
    else:
        candidates = [("utf-8", data, "utf-8"), ("gb18030", data, "gb18030")]
    for name, raw, codec in candidates:
        try:
            return raw.decode(codec), name
        except UnicodeDecodeError as exc:
            error = exc
    raise OutletImportError(f"not UTF-8, UTF-16 or GBK/GB18030 text ({error.reason} at byte "
                            f"{error.start})")


def _header_key(cell: str) -> str:
    text = unicodedata.normalize("NFKC", cell).strip().lower()
    text = re.sub(r"\(.*?\)|（.*?）|\*", "", text)
    return re.sub(r"\s+", "", text)


_HEADERS = {_header_key(h): canon for canon, names in COLUMNS.items() for h in names}


@functools.lru_cache(maxsize=4096)
def _month(text: str) -> str | None:
    """YYYY-MM or YYYY-MM-DD from the ways spreadsheets write dates, else None."""
    t = unicodedata.normalize("NFKC", text).strip()
    m = (re.fullmatch(r"(\d{4})[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?|月)?", t)
         or re.fullmatch(r"(\d{4})(\d{2})(\d{2})?", t))
    if not m:
        return None
    year, month, day = int(m.group(1)), int(m.group(2)), m.group(3)
    if not (1990 <= year <= 2100 and 1 <= month <= 12):
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        return datetime(year, month, int(day)).strftime("%Y-%m-%d")
    except ValueError:
        return None


def parse_as_of(text: str) -> str:
    value = _month(text)
    if value is None:
        raise OutletImportError(f"--as-of {text!r} is not a date like 2026-10 or 2026-10-31")
    return value


def _lines(text: str) -> Iterator[str]:
    """The lines of `text`, ends kept, without copying it whole (io.StringIO would hold it at
    four bytes a character: 100 MB more for a 500 000-row list)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def read_rows(text: str) -> tuple[dict[str, int], Iterator[tuple[int, list[str]]]]:
    """(column -> index, rows as (line number, cells)): comment lines (#) and blank lines before
    the header are skipped; the delimiter is a comma, or a tab / semicolon if the header uses one."""
    if "\n" not in text:              # old Mac line ends
        text = text.replace("\r", "\n")
    stream = _lines(text)
    skipped = 0
    for header_line in stream:
        if header_line.strip() and not header_line.lstrip().startswith("#"):
            break
        skipped += 1
    else:
        raise OutletImportError("the file has no header row")
    delimiter = max(",\t;", key=header_line.count)
    reader = csv.reader(itertools.chain([header_line], stream), delimiter=delimiter)
    header = next(reader)
    columns: dict[str, int] = {}
    for i, cell in enumerate(header):
        canon = _HEADERS.get(_header_key(cell))
        if canon and canon not in columns:
            columns[canon] = i
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        wanted = "; ".join(f"{c} ({'/'.join(COLUMNS[c][1:3])})" for c in missing)
        raise OutletImportError(f"line {skipped + 1}: missing column(s) {wanted}; "
                                f"header was: {', '.join(h.strip() for h in header)}")

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for cells in reader:
                if any(cells):    # blank lines and rows of empty cells are skipped
                    yield skipped + reader.line_num, cells
        except csv.Error as exc:
            raise OutletImportError(f"line {skipped + reader.line_num}: not CSV ({exc})") from None
    return columns, rows()


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
        at = {c: columns.get(c, self.width) for c in COLUMNS}   # absent: the appended "" cell
        (self.i_name, self.i_brand, self.i_parent, self.i_number, self.i_kind, self.i_province,
         self.i_city, self.i_county, self.i_address, self.i_insured, self.i_since,
         self.i_headcount) = (at[c] for c in COLUMNS)
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
            problems.append(f"insured (是否参保) {cells[self.i_insured].strip()!r} is not 是/否 "
                            "(yes/no)")
        kind = _optional(cells[self.i_kind], lambda raw: _KIND_OF.get(_word(raw)), problems,
                         "kind (类型) {raw!r} is not 许可 (licensed) or 备案 (filed)")
        since = _optional(cells[self.i_since], _month, problems,
                          "insured_since (参保时间) {raw!r} is not a date like 2022-05")
        if since and since[:7] > self.month:
            problems.append(f"insured_since (参保时间) {since} is after the list's date {self.as_of}")
        headcount = _optional(cells[self.i_headcount], _count, problems,
                              "headcount (参保人数) {raw!r} is not a whole number")
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
        name_norm = norm(name)
        brand = cells[self.i_brand].strip()
        city = cells[self.i_city].strip() or None
        return {
            "number": number, "number_key": key, "number_digits": _digits(key) if key else None,
            "name": name, "norm": name_norm,
            "brand": _brand(brand) if brand else brand_in_name(name_norm),
            "parent_company": cells[self.i_parent].strip() or None, "kind": kind,
            "province": province, "city": city, "city_key": city_key(city),
            "county": cells[self.i_county].strip() or None,
            "address": cells[self.i_address].strip() or None,
            "insured": int(insured), "insured_since": since, "headcount": headcount,
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


# Fields whose change is a change of status (kept in outlet_history).
_STATUS = ("insured", "insured_since", "headcount")
_DATA = ("number", "number_digits", "name", "brand", "parent_company", "kind",
         "province", "city", "city_key", "county", "address") + _STATUS
_VALUES = operator.itemgetter(*_DATA)
# An outlet as shown: its row plus the list (batch) it was last seen in.
_SELECT = ("select o.*, b.source, b.as_of, b.sample from outlets o"
           " join import_batches b on b.id = o.batch_id")


class _Import:
    """Writing one list inside the caller's transaction: new outlets are inserted, changed ones
    updated (status changes also go to outlet_history), an upsert keyed by number, else by
    province+name+address. Explicit INSERT/UPDATE through executemany: the statements
    sqlite-utils' upsert_all builds, at twice its speed on 500 000 rows (it checks every value
    for JSON). (Running the SQL in a second thread was tried: the GIL hand-offs made it slower.)"""

    def __init__(self, registry: "Registry", source: str, as_of: str, sample: bool,
                 result: ImportResult):
        self.conn = registry.db.conn
        # Nothing to compare against on a first import (keys are unique within a file).
        self.fresh = not self.conn.execute("select exists (select 1 from outlets)").fetchone()[0]
        self.source, self.as_of, self.sample, self.result = source, as_of, sample, result
        self.gained: Counter = Counter()
        self.lost: Counter = Counter()
        self.covered: Counter = Counter()
        self.written = 0

    def start(self, file_name: str, digest: str) -> None:
        cursor = self.conn.execute(
            "insert into import_batches (source, as_of, file_name, sha256, encoding, sample,"
            " imported_at) values (?, ?, ?, ?, ?, ?, ?)",
            [self.source, self.as_of, file_name, digest, self.result.encoding, int(self.sample),
             now()])
        self.batch = self.result.batch_id = cursor.lastrowid
        if not self.sample:
            self.result.removed_sample = _remove_sample(self.conn)

    def write(self, chunk: list[tuple[str, dict]]) -> None:
        if not chunk:
            return
        self.written += len(chunk)
        result, batch, as_of, source = self.result, self.batch, self.as_of, self.source
        cols = ", ".join(f"o.{c}" for c in _DATA)
        keys = [k for k, _ in chunk]
        existing: dict[str, tuple] = {}
        for i in range(0, 0 if self.fresh else len(keys), 900):
            part = keys[i:i + 900]
            for r in self.conn.execute(
                    f"select o.key, o.id, b.as_of, b.source, {cols} from outlets o"
                    f" join import_batches b on b.id = o.batch_id"
                    f" where o.key in ({', '.join('?' * len(part))})", part):
                existing[r[0]] = r[1:]
        inserts, docs, new_terms, updates, renamed, history = [], [], [], [], [], []
        self.covered.update([(row["province"], row["city_key"] or "") for _, row in chunk])
        for key, row in chunk:
            name_terms, doc = doc_terms(row["norm"], row["province"], row["city_key"])
            old = existing.get(key)
            if old is None:
                inserts.append((key, *_VALUES(row), batch, batch))
                docs.append(doc)
                new_terms.append(name_terms)
                result.inserted += 1
                continue
            old_id, old_as_of, old_source = old[:3]
            old_data = dict(zip(_DATA, old[3:]))
            if month_of(as_of) < month_of(old_as_of):
                result.older += 1
                continue
            if all(old_data[c] == row[c] for c in _DATA) and (old_as_of, old_source) == (as_of, source):
                result.unchanged += 1
                continue
            old_terms, old_doc = doc_terms(norm(old_data["name"]), old_data["province"],
                                           old_data["city_key"])
            if old_doc != doc:   # renamed or moved: re-index
                renamed.append((old_id, old_doc, doc))
                self.lost.update(old_terms)
                self.gained.update(name_terms)
            updates.append((*_VALUES(row), batch, old_id))
            changes = [c for c in _STATUS if old_data[c] != row[c]]
            if changes:
                change = (("insured" if row["insured"] else "uninsured") if "insured" in changes
                          else "+".join(changes))
                history.append((old_id, batch, as_of, change, row["insured"],
                                row["insured_since"], row["headcount"]))
                result.updated += 1
            else:
                result.unchanged += 1
        self.gained.update(itertools.chain.from_iterable(new_terms))
        _write_chunk(self.conn, inserts, docs, updates, renamed, history, batch, as_of)

    def finish(self) -> None:
        delta = Counter(self.gained)
        delta.subtract(self.lost)
        r = self.result
        covered = json.dumps([f"{p}/{c}" if c else p for (p, c), _ in self.covered.most_common()],
                             ensure_ascii=False)

        _count_terms(self.conn, delta)
        self.conn.execute(
            "update import_batches set rows = ?, inserted = ?, updated = ?, unchanged = ?,"
            " older = ?, skipped = ?, regions = ? where id = ?",
            [r.rows, r.inserted, r.updated, r.unchanged, r.older, len(r.skipped), covered,
             self.batch])


def _write_chunk(conn: sqlite3.Connection, inserts: list, docs: list, updates: list,
                 renamed: list, history: list, batch: int, as_of: str) -> None:
    before = conn.execute("select coalesce(max(id), 0) from outlets").fetchone()[0]
    conn.executemany(
        f"insert into outlets (key, {', '.join(_DATA)}, batch_id, first_batch_id)"
        f" values ({', '.join('?' * (len(_DATA) + 3))})", inserts)
    # The new rows got the ids after `before`, in order (INTEGER PRIMARY KEY = max + 1): index
    # them, and start their history in one statement.
    after = conn.execute("select coalesce(max(id), 0) from outlets").fetchone()[0]
    if after - before != len(inserts):
        raise RuntimeError("outlet ids are not consecutive; the FTS index would be wrong")
    conn.executemany("insert into outlets_fts (rowid, terms) values (?, ?)",
                     zip(range(before + 1, after + 1), docs))
    conn.execute("insert into outlet_history (outlet_id, batch_id, as_of, change, insured,"
                 " insured_since, headcount) select id, ?, ?, 'new', insured, insured_since,"
                 " headcount from outlets where id > ?", [batch, as_of, before])
    conn.executemany(
        f"update outlets set {', '.join(c + ' = ?' for c in _DATA)}, batch_id = ? where id = ?",
        updates)
    conn.executemany("insert into outlets_fts (outlets_fts, rowid, terms) values ('delete', ?, ?)",
                     [(i, old) for i, old, _ in renamed])
    conn.executemany("insert into outlets_fts (rowid, terms) values (?, ?)",
                     [(i, new) for i, _, new in renamed])
    conn.executemany(
        "insert into outlet_history (outlet_id, batch_id, as_of, change, insured, insured_since,"
        " headcount) values (?, ?, ?, ?, ?, ?, ?)", history)


def _count_terms(conn: sqlite3.Connection, delta: Counter) -> None:
    conn.executemany(
        "insert into outlet_terms (term, df) values (?, ?)"
        " on conflict(term) do update set df = df + excluded.df",
        [(t, n) for t, n in delta.items() if n])


def _remove_sample(conn: sqlite3.Connection) -> int:
    """Delete the fictional sample list: outlets, index entries, history, their lookups."""
    sample = "select id from import_batches where sample = 1"
    outlets = f"select id from outlets where batch_id in ({sample})"
    rows = conn.execute(f"select id, name, province, city_key from outlets where batch_id in "
                        f"({sample})").fetchall()
    lost: Counter = Counter()
    for oid, name, province, ckey in rows:
        name_terms, doc = doc_terms(norm(name), province, ckey)
        lost.update(name_terms)
        conn.execute("insert into outlets_fts (outlets_fts, rowid, terms) values ('delete', ?, ?)",
                     [oid, doc])
    _count_terms(conn, Counter({t: -n for t, n in lost.items()}))
    conn.execute(f"delete from lookups where outlet_id in ({outlets})")
    conn.execute(f"delete from outlet_history where outlet_id in ({outlets})")
    conn.execute(f"delete from outlets where batch_id in ({sample})")
    conn.execute("delete from import_batches where sample = 1")
    return len(rows)


# === lookups ======================================================================================
@dataclass
class Candidate:
    outlet: dict
    score: float
    other_brand: bool = False   # the query named a brand and this outlet is another brand's

    def as_json(self) -> dict:
        o = self.outlet
        return {"number": o["number"], "name": o["name"], "province": o["province"] or "",
                "city": o["city"] or "", "county": o["county"] or "",
                "insured": bool(o["insured"]), "score": round(self.score, 1)}


@dataclass
class LookupResult:
    query: str
    region: str | None = None
    status: str = UNKNOWN
    candidates: list[Candidate] = field(default_factory=list)
    via: str = "name"           # name | number | pick
    vague: bool = False         # only a brand or generic words: more detail is needed
    empty: bool = False         # nothing to search for

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    def as_json(self) -> dict:
        """The CLI contract of `courier-bot outlets lookup --json`."""
        return {"status": self.status, "candidates": [c.as_json() for c in self.candidates]}


class Registry:
    def __init__(self, storage: Storage, retention_days: int = 180):
        self.storage = storage
        self.db = storage.db
        self.retention_days = retention_days
        self._purged_at: datetime | None = None
        self._create()

    # --- schema ------------------------------------------------------------------------------
    def _create(self) -> None:
        db = self.db
        db["import_batches"].create({
            "id": int, "source": str, "as_of": str, "file_name": str, "sha256": str,
            "encoding": str, "rows": int, "inserted": int, "updated": int, "unchanged": int,
            "older": int, "skipped": int, "sample": int, "regions": str, "imported_at": str,
        }, pk="id", if_not_exists=True)
        db["outlets"].create({
            "id": int, "key": str, "number": str, "number_digits": str,
            "name": str, "brand": str, "parent_company": str, "kind": str,
            "province": str, "city": str, "city_key": str, "county": str, "address": str,
            "insured": int, "insured_since": str, "headcount": int,
            "batch_id": int, "first_batch_id": int,   # the list it was last / first seen in
        }, pk="id", not_null={"key", "name", "province", "insured", "batch_id"},
            if_not_exists=True)
        db["outlet_history"].create({
            "id": int, "outlet_id": int, "batch_id": int, "as_of": str, "change": str,
            "insured": int, "insured_since": str, "headcount": int,
        }, pk="id", if_not_exists=True)
        db["outlet_terms"].create({"term": str, "df": int}, pk="term", if_not_exists=True)
        db["lookups"].create({
            "id": int, "at": str, "month": str, "channel": str, "user_key": str, "region": str,
            "query": str, "outlet_id": int, "score": float, "result": str, "via": str,
        }, pk="id", if_not_exists=True)
        for table, cols, unique in (
            ("outlets", ["key"], True),
            ("outlet_history", ["outlet_id"], False), ("lookups", ["at"], False),
            ("lookups", ["month"], False),
        ):
            db[table].create_index(cols, unique=unique, if_not_exists=True)
        # Only the few numbers with a Chinese prefix have digits to look up (see _digits).
        db.execute("CREATE INDEX IF NOT EXISTS idx_outlets_number_digits ON outlets(number_digits)"
                   " WHERE number_digits IS NOT NULL")
        # Contentless: the index holds only rowids; the import writes and deletes its entries
        # (each entry's terms can be rebuilt from the row, see doc_terms()).
        db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS outlets_fts USING fts5("
                   "terms, content='', detail=none)")

    @property
    def path(self) -> str:
        return self.db.conn.execute("pragma database_list").fetchone()[2]

    def count(self) -> int:
        return self.db.execute("select count(*) from outlets").fetchone()[0]

    # --- import ------------------------------------------------------------------------------
    def ensure_sample(self, path: Path = SAMPLE_CSV) -> ImportResult | None:
        """Load the fictional sample list on first run (empty registry, nothing ever imported)."""
        if self.count() or self.db.execute("select count(*) from import_batches").fetchone()[0]:
            return None
        return self.import_csv(path, SAMPLE_SOURCE, SAMPLE_AS_OF, sample=True)

    def import_csv(self, path: Path | str, source: str, as_of: str, skip_bad: bool = False,
                   sample: bool | None = None) -> ImportResult:
        """Validate and upsert a list in one transaction. Raises OutletImportError listing every
        bad row unless `skip_bad`, which imports the good rows and reports the bad ones."""
        path = Path(path)
        data = path.read_bytes()
        return self.import_bytes(data, source, as_of, skip_bad=skip_bad, sample=sample,
                                 file_name=path.name)

    def import_bytes(self, data: bytes, source: str, as_of: str, skip_bad: bool = False,
                     sample: bool | None = None, file_name: str = "") -> ImportResult:
        source = source.strip()
        if not source:
            raise OutletImportError("--source is empty: name the list (issuer, title)")
        as_of = parse_as_of(as_of)
        if sample is None:
            sample = any(m in source.lower() for m in SAMPLE_MARKERS)
        text, encoding = decode(data)
        digest = hashlib.sha256(data).hexdigest()
        previous = self.db.execute(
            "select id, rows from import_batches where sha256 = ? and source = ? and as_of = ?",
            [digest, source, as_of]).fetchone()
        if previous:
            return ImportResult(previous[0], encoding, rows=previous[1], already=True)
        columns, rows = read_rows(text)
        result = ImportResult(None, encoding)
        # One transaction: rows are written chunk by chunk as they are validated (memory stays
        # flat on large lists); a problem without --skip-bad stops the writing, the rest is only
        # validated so that every problem is listed, and the exception rolls it all back.
        with self.db.atomic(), self._bulk():
            writer = _Import(self, source, as_of, sample, result)
            writer.start(file_name, digest)
            seen: dict[str, int] = {}
            chunk: list[tuple[str, dict]] = []
            check = Validator(columns, as_of).check
            for line, cells in rows:
                result.rows += 1
                row, bad = check(cells)
                if row is not None:
                    key = outlet_key(row)
                    if key in seen:
                        what = "number " + row["number"] if row["number"] else "name and address"
                        bad = [f"same outlet as line {seen[key]} (same {what})"]
                    else:
                        seen[key] = line
                        chunk.append((key, row))
                if bad:
                    result.skipped.extend(Problem(line, m) for m in bad)
                if result.skipped and not skip_bad:
                    chunk.clear()
                elif len(chunk) >= CHUNK:
                    writer.write(chunk)
                    chunk = []
            problems = result.skipped
            if problems and not skip_bad:
                raise OutletImportError(
                    f"{len(problems)} problem(s) in {len({p.line for p in problems})} row(s); "
                    "nothing imported (--skip-bad imports the rest)", problems)
            writer.write(chunk)
            if not writer.written:
                raise OutletImportError("no valid rows to import", problems)
            writer.finish()
        return result

    @contextlib.contextmanager
    def _bulk(self) -> Iterator[None]:
        """A bigger page cache while importing (with SQLite's 2 MB default, index pages keep
        being evicted), and no cyclic garbage collection: the loop makes millions of small objects
        and no cycles, and the collector's passes over them would double its time."""
        old = self.db.conn.execute("pragma cache_size").fetchone()[0]
        self.db.conn.execute(f"pragma cache_size = {-BULK_CACHE_KB}")
        collecting = gc.isenabled()
        gc.disable()
        try:
            yield
        finally:
            if collecting:
                gc.enable()
            self.db.conn.execute(f"pragma cache_size = {old}")

    # --- lists -------------------------------------------------------------------------------
    def lists(self, region: str | None = None) -> list[dict]:
        """Imported lists, newest first, with the regions they cover ('province/city' strings)
        and how many outlets they hold now; only those touching `region` if given."""
        rows = list(self.db.query(
            "select b.id, b.source, b.as_of, b.sample, b.regions, b.imported_at,"
            " (select count(*) from outlets o where o.batch_id = b.id) as outlets"
            " from import_batches b order by b.as_of desc, b.id desc"))
        out = []
        for r in rows:
            covered = json.loads(r["regions"] or "[]")
            if region and region != regions.NATIONAL and not any(
                    region in c.split("/") for c in covered):
                continue
            r["regions"] = covered
            out.append(r)
        return out

    def outlet(self, outlet_id: int) -> dict | None:
        rows = list(self.db.query(_SELECT + " where o.id = ?", [outlet_id]))
        return rows[0] if rows else None

    # --- lookup ------------------------------------------------------------------------------
    def lookup(self, query: str, region: str | None = None) -> LookupResult:
        """Find an outlet by number (exact) or name (fuzzy) within `region` (a canonical region:
        a province filters by province, 济宁/长治 by city; None or 全国 searches everything)."""
        region = None if region in (None, regions.NATIONAL) else region
        result = LookupResult(query=query, region=region)
        text = norm(query)
        if not text:
            result.empty = True
            return result
        by_number = self._by_number(query)
        if by_number:
            result.via = "number"
            result.candidates = [Candidate(o, 100.0) for o in by_number]   # exact: any region
            return self._decide(result)
        text = _FILLERS.sub("", text) or text
        brands = brands_in(text)
        q_core = core(text, brands)
        if len(q_core) < 2:
            result.vague = True
            if brands:
                result.candidates = self._brand_sample(brands, region)
            result.status = AMBIGUOUS if result.candidates else UNKNOWN
            return result
        rows = self._candidates(q_core, brands, region)
        result.candidates = _rank(q_core, brands, rows)
        return self._decide(result)

    def _by_number(self, query: str) -> list[dict]:
        key = number_key(query)
        if len(key) < 3:
            return []
        rows = list(self.db.query(_SELECT + " where o.key = ?", ["no:" + key]))
        digits = re.sub(r"\D", "", key)
        if not rows and len(digits) >= max(6, len(key) - 4):     # mostly digits: 2022001
            rows = list(self.db.query(_SELECT + " where o.number_digits = ?", [digits]))
        return rows

    def _region_match(self, region: str | None) -> str:
        if not region:
            return ""
        kind = "c" if regions.DOC_REGIONS.get(region) else "p"
        return f'"{_region_term(kind, region)}" AND '

    def _brand_sample(self, brands: set[str], region: str | None) -> list[Candidate]:
        sounds = " OR ".join(f'"{"".join(syllables(b))}"' for b in sorted(brands))
        ids = [r[0] for r in self.db.execute(
            "select rowid from outlets_fts where outlets_fts match ? limit ?",
            [self._region_match(region) + f"({sounds})", MAX_CANDIDATES])]
        rows = self._rows(ids)
        return [Candidate(r, 0.0) for r in rows if r["brand"] in brands]

    def _rows(self, ids: list[int]) -> list[dict]:
        if not ids:
            return []
        return list(self.db.query(_SELECT + f" where o.id in ({', '.join('?' * len(ids))})", ids))

    def _candidates(self, q_core: str, brands: set[str], region: str | None) -> list[dict]:
        """Outlets worth scoring: first those whose names hold every syllable pair of the query
        (any order, homophones included; selective, so cheap); when that finds few (a typo), those
        holding any of its rarer pairs, best BM25 first. Each also within the named brand, so
        other brands' outlets with the same place name cannot crowd it out."""
        wanted = list(dict.fromkeys(terms(q_core)))
        df = dict(self.db.execute(
            f"select term, df from outlet_terms where term in ({', '.join('?' * len(wanted))})",
            wanted).fetchall())
        known = sorted((t for t in wanted if df.get(t)), key=lambda t: df[t])
        if not known:
            return []
        where = self._region_match(region)
        brand = " OR ".join(f'"{"".join(syllables(b))}"' for b in sorted(brands))
        ids: list[int] = []

        def search(expr: str, limit: int) -> None:
            try:
                ids.extend(r[0] for r in self.db.execute(
                    "select rowid from outlets_fts where outlets_fts match ? order by rank limit ?",
                    [where + expr, limit]))
            except sqlite3.OperationalError as exc:   # a term FTS5 cannot take: search without it
                log.warning("outlet search failed (%s); searching without the index", exc)

        quoted = {t: f'"{t}"' for t in known}     # a term is never read as an FTS5 operator
        if len(known) == len(wanted):
            every = "(" + " AND ".join(quoted[t] for t in known) + ")"
            search(every, FTS_LIMIT)
            if brand:
                search(f"{every} AND ({brand})", FTS_LIMIT // 2)
        if len(set(ids)) < FTS_LIMIT // 4:
            common = max(50, COMMON_SHARE * self._size())
            rare = ([t for t in known if df[t] <= common] or known[:2])[:MAX_TERMS]
            some = "(" + " OR ".join(quoted[t] for t in rare) + ")"
            search(some, FTS_LIMIT)
            if brand:
                search(f"{some} AND ({brand})", FTS_LIMIT // 2)
        return self._rows(list(dict.fromkeys(ids)))

    def _size(self) -> int:
        """About how many outlets there are (max id: O(log n), where count(*) reads them all)."""
        return self.db.execute("select coalesce(max(id), 1) from outlets").fetchone()[0]

    def _decide(self, result: LookupResult) -> LookupResult:
        shown = [c for c in result.candidates if c.score >= FLOOR][:MAX_CANDIDATES]
        result.candidates = shown
        if not shown:
            result.status = UNKNOWN
            return result
        best = shown[0]
        runner_up = shown[1].score if len(shown) > 1 else 0.0
        # Another brand's outlet is never taken for the one asked about: the courier picks.
        if best.score >= CONFIDENT and best.score - runner_up >= MARGIN and not best.other_brand:
            result.status = INSURED if best.outlet["insured"] else NOT_INSURED
        else:
            result.status = AMBIGUOUS
        return result

    # --- the lookup log ----------------------------------------------------------------------
    def record(self, result: LookupResult, user: str | None, channel: str,
               outlet: dict | None = None) -> int | None:
        """Log a lookup (the best candidate, or `outlet` when a button picked it). Returns its id,
        or None when retention is 0 (no log kept) or the database is busy: a large import in
        another process holds the write lock for seconds, and the courier's answer matters more
        than the log line."""
        if self.retention_days <= 0:
            self.purge()
            return None
        try:
            return self._record(result, user, channel, outlet)
        except sqlite3.OperationalError as exc:
            log.warning("lookup not logged: %s", exc)
            return None

    def _record(self, result: LookupResult, user: str | None, channel: str,
                outlet: dict | None) -> int:
        self.purge()
        chosen = outlet or (result.best.outlet if result.status in (INSURED, NOT_INSURED) else None)
        score = 100.0 if outlet else (result.best.score if result.best else 0.0)
        status = result.status
        if outlet:
            status = INSURED if outlet["insured"] else NOT_INSURED
        cursor = self.db.execute(
            "insert into lookups (at, month, channel, user_key, region, query, outlet_id, score,"
            " result, via) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [now(), china_month(), channel, user, result.region, mask(result.query),
             chosen["id"] if chosen else None, round(score, 1), status, result.via])
        return cursor.lastrowid

    def purge(self, force: bool = False) -> int:
        """Delete lookups older than the retention period (checked at most once an hour)."""
        current = datetime.now(timezone.utc)
        if not force and self._purged_at and current - self._purged_at < timedelta(hours=1):
            return 0
        self._purged_at = current
        cutoff = (current - timedelta(days=max(0, self.retention_days))).isoformat(timespec="seconds")
        if self.retention_days <= 0:
            cutoff = "9999"
        return self.db.execute("delete from lookups where at < ?", [cutoff]).rowcount


def china_month() -> str:
    """This month in China (YYYY-MM): lookups are counted by it."""
    return datetime.now(CHINA).strftime("%Y-%m")


def _cover(query: list[str], other: list[str]) -> float:
    """Share of the query's adjacent pairs (or lone item) found in `other`, 0-100."""
    q = {a + "|" + b for a, b in zip(query, query[1:])} or set(query)
    o = {a + "|" + b for a, b in zip(other, other[1:])} | set(other)
    return 100.0 * len(q & o) / len(q) if q else 0.0


def _rank(q_core: str, brands: set[str], rows: list[dict]) -> list[Candidate]:
    """Score candidates: half rapidfuzz WRatio, half coverage of the query's character pairs, on
    characters or (slightly discounted) on pinyin; then brand agreement when a brand was named."""
    if not rows:
        return []
    names = [norm(r["name"]) for r in rows]
    cores = [core(n, {r["brand"]} if r["brand"] else set()) or n for n, r in zip(names, rows)]
    q_syl = syllables(q_core)
    q_sound = " ".join(q_syl)
    sounds = [" ".join(syllables(c)) for c in cores]
    by_char = {i: s for _, s, i in process.extract(q_core, cores, scorer=fuzz.WRatio, limit=None)}
    by_sound = {i: s for _, s, i in process.extract(q_sound, sounds, scorer=fuzz.WRatio, limit=None)}
    ranked = []
    for i, row in enumerate(rows):
        chars = 0.5 * by_char[i] + 0.5 * _cover(list(q_core), list(cores[i]))
        sound = 0.5 * by_sound[i] + 0.5 * _cover(q_syl, sounds[i].split())
        score = max(chars, PINYIN_DISCOUNT * sound)
        other = bool(brands) and row["brand"] is not None and row["brand"] not in brands
        if brands:
            score = (1 - BRAND_WEIGHT) * score + BRAND_WEIGHT * (100.0 if row["brand"] in brands else 0.0)
        ranked.append(Candidate(row, score, other_brand=other))
    ranked.sort(key=lambda c: (-c.score, c.outlet["id"]))
    return ranked
