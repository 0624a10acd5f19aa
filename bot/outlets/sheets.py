"""Reading an outlet list from an Excel workbook (.xlsx, or the older .xls) with python-calamine:
the sheet to read, and its cells as the strings the same list saved as CSV would hold, given to
reading.read_table so that a sheet is read by the same rules as a CSV file.

calamine (Rust) reads a 20 000-row sheet in about a tenth of openpyxl's time (README.md, Outlet
lists) and reads .xls too.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Iterator
from datetime import date, datetime

from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook, SheetVisibleEnum

from bot.outlets.reading import (
    NoHeaderError,
    OutletImportError,
    Table,
    decode,
    read_rows,
    read_table,
)

# How a workbook's bytes begin: a zip archive (.xlsx) or an OLE2 compound file (.xls).
_MAGIC = {b"PK\x03\x04": "xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "xls"}
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
_RESAVE = "; save it again from Excel or WPS as .xlsx, or as CSV; nothing imported"


def workbook_format(data: bytes, file_name: str = "") -> str | None:
    """'xlsx' or 'xls' when `data` is an Excel workbook, else None (a CSV file). A file named
    like a workbook that is none is read as text only when it is a list (some systems save a
    tab-separated export as .xls); else it is a damaged or renamed file, and the error says so
    rather than that a CSV file has no header row."""
    kind = next((kind for magic, kind in _MAGIC.items() if data.startswith(magic)), None)
    suffix = next((s for s in EXCEL_SUFFIXES if file_name.lower().endswith(s)), None)
    if kind is None and suffix is not None and not _is_text_list(data):
        raise OutletImportError(
            f"not a readable Excel workbook (named {suffix}, but neither an .xlsx nor an .xls"
            f" file: damaged, or another kind of file renamed){_RESAVE}"
        )
    return kind


def _is_text_list(data: bytes) -> bool:
    """Whether `data` is text with a header row (its other problems are the import's to list)."""
    try:
        text, _ = decode(data)
    except OutletImportError:  # not text at all
        return False
    try:
        read_rows(text)
    except NoHeaderError:
        return False
    except OutletImportError:
        pass  # a header with problems (an unknown column …): a list, and its import lists them
    return True


class Sheet:
    """One sheet of a workbook: the one named, else the first visible one."""

    def __init__(self, data: bytes, name: str | None = None):
        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        except CalamineError as exc:
            raise OutletImportError(f"not a readable Excel workbook ({exc}){_RESAVE}") from None
        names = [
            s.name
            for s in book.sheets_metadata
            if name is not None or s.visible == SheetVisibleEnum.Visible
        ]
        if name is None and not names:
            raise OutletImportError("the workbook has no visible sheet")
        if name is not None and name not in names:
            raise OutletImportError(
                f"--sheet {name!r}: no such sheet; the workbook has {', '.join(names)}"
            )
        self.name = name if name is not None else names[0]
        self.others = [n for n in names if n != self.name]
        try:
            self._sheet: CalamineSheet = book.get_sheet_by_name(self.name)
        except CalamineError as exc:
            raise OutletImportError(f"sheet {self.name!r} cannot be read ({exc})") from None

    def table(self, ignore: Collection[str] = ()) -> Table:
        """The sheet's list; a sheet without one (the 填表说明 before the 名单) names the other
        sheets, so the error says which to pick."""
        try:
            if self._sheet.start is None:
                raise NoHeaderError("it is empty")
            return read_table(self._rows(), ignore)
        except NoHeaderError as exc:
            others = ", ".join(repr(n) for n in self.others)
            pick = f"; the workbook's other sheets: {others}; pick one with --sheet NAME"
            raise OutletImportError(f"sheet {self.name!r}: {exc}{pick if others else ''}") from None

    def _rows(self) -> Iterator[tuple[int, list[str]]]:
        # calamine starts at the sheet's first row even when it is empty, so the line numbers
        # are the row numbers Excel shows.
        for line, row in enumerate(self._sheet.iter_rows(), 1):
            yield line, [cell_text(value) for value in row]


def cell_text(value: object) -> str:
    """A cell as its CSV export writes it: 12.0 -> '12', 3708000123.0 -> '3708000123', a date
    -> '2022-05-01', TRUE/FALSE; merged cells past the first are empty."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):  # the day is what a list's dates say; a time adds nothing
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
