"""Reading an outlet list: the CSV file's encoding and rows, the header row (found even below a
title row) with every header mapped to a column or reported, the dates in cells, and the errors
raised for a list that cannot be imported (OutletImportError, with line-numbered Problems;
validation and the import raise them too). Excel workbooks (bot/outlets/sheets.py) give their
rows to the same read_table, so a sheet is read by the same rules as a CSV file.
"""

from __future__ import annotations

import csv
import functools
import itertools
import re
import unicodedata
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime

from rapidfuzz import fuzz, process

# --- columns: canonical name -> accepted headers (English and Chinese, data) -------------------
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "网点名称", "网点", "名称", "单位名称", "网点全称"),
    "brand": ("brand", "品牌", "快递品牌"),
    "parent_company": (
        "parent_company",
        "parent",
        "所属企业",
        "所属公司",
        "所属快递企业",
        "上级企业",
    ),
    "number": (
        "number",
        "licence_no",
        "license_no",
        "filing_no",
        "许可证号或备案号",
        "许可证号",
        "备案号",
        "许可备案号",
        "经营许可证号",
        "快递业务经营许可证号",
        "末端网点备案号",
        "编号",
    ),
    "kind": ("kind", "类型", "网点类型", "主体类型", "许可或备案"),
    "province": ("province", "省", "省份", "省区", "省区市"),
    "city": ("city", "市", "地市", "城市", "市州", "地级市", "设区市"),
    "county": ("county", "县", "区县", "县区", "县市区"),
    "address": ("address", "地址", "详细地址", "经营地址"),
    "insured": ("insured", "是否参保", "参保情况", "参保状态", "已参保", "参保"),
    "insured_since": ("insured_since", "参保时间", "参保日期", "参保起始时间", "起始参保时间"),
    "headcount": ("headcount", "参保人数", "人数"),
}
REQUIRED = ("name", "province", "insured")
IGNORED = "ignored"
# A row counter says nothing about an outlet: left out without asking, and listed as left out.
ROW_NUMBERS = ("序号",)
HEADER_SCAN = 20  # rows searched for the header (title rows, notes and blank rows above it)
# How alike (rapidfuzz ratio, 0-100) an unknown header must be to a known one for the error to
# name that one (网点名 → 网点名称 is 86, 经营地点 → 经营地址 75; 备注 → 备案号 40 is not).
HINT_SIMILARITY = 70
_MEANING_WORDS = set("未不非没应")  # a header holding one of these means something else

# Variants of the headers above, on the normalised header; the first pattern that fits wins.
# Kept narrow on purpose: a header none fits is reported, never guessed (未参保人数 is not the
# headcount, 所属企业许可证号 is not the outlet's number).
_VARIANTS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (canon, re.compile(pattern))
    for canon, pattern in (
        ("parent_company", r"^(所属|上级)(快递)?(企业|公司)(名称|全称)?$"),
        ("number", r"^(?!所属|上级).*(许可|备案).*(编号|证号|号码|号)$"),
        (
            "headcount",
            r"^(已|实际)?(快递员|网点|从业人员|职工|员工)?参保(职工|员工|人员|快递员|从业人员)?"
            r"(人数|人员数)$|^(参加)?工伤保险(参保)?人数$",
        ),
        ("insured_since", r"^(首次|起始|开始)?参保(起始|开始)?(时间|日期|年月|月份)$"),
        ("insured", r"^是否(已)?(参保|参加工伤保险|缴纳工伤保险费?)$|^(工伤保险)?参保(情况|状态)$"),
        ("kind", r"^(网点|主体|许可)?(类型|性质|类别)$|^许可备案(类型)?$"),
        ("brand", r"^(所属)?(快递)?品牌(名称)?$"),
        ("address", r"^(网点|经营|经营场所|营业场所)?(详细)?地址$"),
        ("name", r"^(快递)?(末端)?(网点|站点|驿站|营业网点|分支机构|单位)(名称|全称)$"),
    )
)
_PLACE = re.compile(r"^(所在|所属)?(.+?)(名称)?$")  # 所在省份, 区县名称 -> 省份, 区县
_PLACES = ("province", "city", "county")


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


class NoHeaderError(OutletImportError):
    """No header row where one was looked for (a workbook's notes sheet, say)."""


@dataclass
class Table:
    """A list's header, read: canonical column -> cell index, (header as written -> canonical
    column or IGNORED) in the header's order, and the data rows as (line, cells)."""

    columns: dict[str, int]
    mapping: list[tuple[str, str]]
    rows: Iterator[tuple[int, list[str]]]


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
    raise OutletImportError(
        f"not UTF-8, UTF-16 or GBK/GB18030 text ({error.reason} at byte {error.start})"
    )


def _header_key(cell: str) -> str:
    """A header as compared: units in brackets, `*` markers, spaces and the slashes of 区/县 out
    (区（县） and 县（市、区） keep their brackets' words: 区县, 县市区)."""
    text = unicodedata.normalize("NFKC", cell).strip().lower()
    text = re.sub(r"(?<=[区县])\(([区县市、]+)\)", r"\1", text)
    text = re.sub(r"\(.*?\)|（.*?）|\*", "", text)
    return re.sub(r"[\s/、:：]+", "", text)


_HEADERS = {_header_key(h): canon for canon, names in COLUMNS.items() for h in names}


@functools.lru_cache(maxsize=512)
def column_of(header: str) -> str | None:
    """The canonical column a header means (a listed header or a variant of one), else None."""
    key = _header_key(header)
    if key in _HEADERS:
        return _HEADERS[key]
    for canon, pattern in _VARIANTS:
        if pattern.search(key):
            return canon
    place = _PLACE.fullmatch(key)
    found = _HEADERS.get(place.group(2)) if place else None
    return found if found in _PLACES else None


def _nearest(header: str) -> str | None:
    """The known header an unknown one is most likely a misspelling of, and its column ('网点名
    → 网点名称 → name'), compared in its own script (Chinese with Chinese); None when none is
    close enough, or when the header says 未 (应, 不 …) where the known one does not: 未参保人数
    is no misspelt 参保人数."""
    key = _header_key(header)
    pool = [known for known in _HEADERS if known.isascii() == key.isascii()]
    found = process.extractOne(key, pool, scorer=fuzz.ratio, score_cutoff=HINT_SIMILARITY)
    if found is None or (set(key) - set(found[0])) & _MEANING_WORDS:
        return None
    spelled = next(h for h in itertools.chain(*COLUMNS.values()) if _header_key(h) == found[0])
    return f"{spelled} → {_HEADERS[found[0]]}"


def _accepted() -> str:
    """The headers accepted for each column, as the error for an unknown one lists them."""
    return "; ".join(
        f"{canon}: {'/'.join(h for h in names if not h.isascii())}"
        for canon, names in COLUMNS.items()
    )


def _letter(index: int) -> str:
    """A spreadsheet's column letter: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@functools.lru_cache(maxsize=4096)
def read_date(text: str) -> str | None:
    """YYYY-MM or YYYY-MM-DD from the ways spreadsheets write dates, else None."""
    t = unicodedata.normalize("NFKC", text).strip()
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?|月)?", t) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})?", t
    )
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
    value = read_date(text)
    if value is None:
        raise OutletImportError(f"--as-of {text!r} is not a date like 2026-10 or 2026-10-31")
    return value


def read_table(rows: Iterator[tuple[int, list[str]]], ignore: Collection[str] = ()) -> Table:
    """The header row of `rows` (line, cells) mapped, and the data rows after it. The header is
    the first row where at least two cells are known headers: title rows (a merged 调度表 title),
    notes, `#` comments and blank rows above it are passed over (HEADER_SCAN rows at most)."""
    scanned = 0
    for line, header in rows:
        first = next((cell.strip() for cell in header if cell.strip()), "")
        if not first or first.startswith("#"):
            continue
        if sum(column_of(cell) is not None for cell in header if cell.strip()) >= 2:
            columns, mapping, unnamed = _map_header(line, header, ignore)
            return Table(columns, mapping, _data_rows(rows, len(header), unnamed))
        scanned += 1
        if scanned == HEADER_SCAN:
            break
    raise NoHeaderError(
        f"no header row in the first {HEADER_SCAN} rows: a header row names columns such as "
        "网点名称, 省份, 是否参保 (README.md, Outlet lists)"
    )


def _map_header(
    line: int, header: list[str], ignore: Collection[str]
) -> tuple[dict[str, int], list[tuple[str, str]], list[int]]:
    """(column -> index, the mapping shown in the summary, indices of empty header cells); every
    header is mapped, ignored on request, or named in the error."""
    ignored = {_header_key(name): name for name in ignore}
    columns: dict[str, int] = {}
    mapping: list[tuple[str, str]] = []
    unnamed: list[int] = []
    problems: list[str] = []
    unhinted = False  # an unknown header like no known one: the accepted ones are listed
    for i, cell in enumerate(header):
        text, key = " ".join(cell.split()), _header_key(cell)
        canon = column_of(cell)
        if not text:
            unnamed.append(i)
        elif key in ignored or key in ROW_NUMBERS:
            ignored.pop(key, None)
            mapping.append((text, IGNORED))
        elif canon is None:
            near = _nearest(cell)
            hint = f" (nearest known header: {near})" if near else ""
            problems.append(
                f"column {_letter(i)} {text!r} is not a known column{hint}; rename it, or leave"
                f" it out with --ignore-column {text}"
            )
            unhinted = unhinted or not near
        elif canon in columns:
            first = columns[canon]
            problems.append(
                f"columns {_letter(first)} {header[first].strip()!r} and {_letter(i)} {text!r} "
                f"both mean {canon}; leave one out with --ignore-column"
            )
        else:
            columns[canon] = i
            mapping.append((text, canon))
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        wanted = "; ".join(f"{c} ({'/'.join(COLUMNS[c][1:3])})" for c in missing)
        problems.append(
            f"missing column(s) {wanted}; header was: {', '.join(h.strip() for h in header)}"
        )
    problems += [f"--ignore-column {name!r}: no such column" for name in ignored.values()]
    if unhinted:
        problems.append(f"accepted headers: {_accepted()}")
    if problems:
        raise OutletImportError(
            f"line {line}: " + f"\nline {line}: ".join(problems) + "\nnothing imported"
        )
    return columns, mapping, unnamed


def _data_rows(
    rows: Iterator[tuple[int, list[str]]], width: int, unnamed: list[int]
) -> Iterator[tuple[int, list[str]]]:
    """The rows that hold something; a value under no header stops the import (a column is never
    dropped without a word)."""
    for line, cells in rows:
        if not any(cells):  # blank lines and rows of empty cells are skipped
            continue
        if unnamed or len(cells) > width:
            extra = [*unnamed, *range(width, len(cells))]
            stray = [i for i in extra if i < len(cells) and cells[i].strip()]
            if stray:
                i = stray[0]
                raise OutletImportError(
                    f"line {line}: column {_letter(i)} has no header but holds "
                    f"{cells[i].strip()!r}; give the column a header; nothing imported"
                )
        yield line, cells


def _lines(text: str) -> Iterator[str]:
    """The lines of `text`, ends kept, without copying it whole (io.StringIO would hold it at
    four bytes a character: 100 MB more for a 500 000-row list)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def read_rows(text: str, ignore: Collection[str] = ()) -> Table:
    """A CSV list read: blank lines, `#` comments and title lines without a delimiter before the
    first row are skipped; the delimiter is a comma, or a tab / semicolon if that row uses one."""
    if "\n" not in text:  # old Mac line ends
        text = text.replace("\r", "\n")
    stream = _lines(text)
    skipped = 0
    for first in stream:
        if first.strip() and not first.lstrip().startswith("#") and any(d in first for d in ",\t;"):
            break
        skipped += 1
    else:
        raise NoHeaderError("the file has no header row")
    delimiter = max(",\t;", key=first.count)
    reader = csv.reader(itertools.chain([first], stream), delimiter=delimiter)

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for cells in reader:
                yield skipped + reader.line_num, cells
        except csv.Error as exc:
            raise OutletImportError(f"line {skipped + reader.line_num}: not CSV ({exc})") from None

    return read_table(rows(), ignore)
