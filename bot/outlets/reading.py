"""Reading an outlet list: the CSV file's encoding, its header row (English and Chinese column
names), its rows and the dates in them, and the errors raised for a list that cannot be
imported (OutletImportError, with line-numbered Problems; validation and the import raise them
too).
"""

from __future__ import annotations

import csv
import functools
import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

# --- CSV columns: canonical name -> accepted headers (English and Chinese, data) ---------------
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
    "city": ("city", "市", "地市", "城市", "市州"),
    "county": ("county", "县", "区县", "县区", "县市区"),
    "address": ("address", "地址", "详细地址", "经营地址"),
    "insured": ("insured", "是否参保", "参保情况", "参保状态", "已参保"),
    "insured_since": ("insured_since", "参保时间", "参保日期", "参保起始时间", "起始参保时间"),
    "headcount": ("headcount", "参保人数", "人数"),
}
REQUIRED = ("name", "province", "insured")


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
    text = unicodedata.normalize("NFKC", cell).strip().lower()
    text = re.sub(r"\(.*?\)|（.*?）|\*", "", text)
    return re.sub(r"\s+", "", text)


_HEADERS = {_header_key(h): canon for canon, names in COLUMNS.items() for h in names}


@functools.lru_cache(maxsize=4096)
def _month(text: str) -> str | None:
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
    if "\n" not in text:  # old Mac line ends
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
        raise OutletImportError(
            f"line {skipped + 1}: missing column(s) {wanted}; "
            f"header was: {', '.join(h.strip() for h in header)}"
        )

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for cells in reader:
                if any(cells):  # blank lines and rows of empty cells are skipped
                    yield skipped + reader.line_num, cells
        except csv.Error as exc:
            raise OutletImportError(f"line {skipped + reader.line_num}: not CSV ({exc})") from None

    return columns, rows()
