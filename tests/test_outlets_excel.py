"""Importing outlet lists kept in Excel, and the header rules shared with CSV: every column is
mapped or reported, never dropped. Workbooks are written with openpyxl in tmp_path; the import
reads them with calamine, as an operator's `courier-bot outlets import` does."""

import json
from datetime import date, datetime

import openpyxl
import pytest

from bot.outlets.reading import OutletImportError
from bot.outlets.registry import Registry
from bot.outlets.sheets import cell_text
from bot.storage.database import Storage
from tests.support import outlet_lists
from tests.support.cli import run_cli
from tests.support.outlet_lists import HEADER, ROWS

TITLE = "2026年10月基层快递网点参保调度表"
# The number column headed as the list that lost its numbers had it (issue 12).
OFFICIAL_HEADER = HEADER.replace("许可证号或备案号", "许可或备案编号")
# One row as Excel types it: the number and headcount are numbers, the date a date.
TYPED = ["中通快递虚构大学城服务部", "中通", None, 3708000123, "许可", "山东", "济宁市", "任城区"]
TYPED += ["虚构路20号", "是", date(2022, 5, 1), 12]
TYPED_CSV = (
    "中通快递虚构大学城服务部,中通,,3708000123,许可,山东,济宁市,任城区,虚构路20号,是,2022-05-01,12"
)


def cells(row: str) -> list:
    """A CSV row of tests/support/outlet_lists as spreadsheet cells: headcounts as numbers."""
    values: list = [c or None for c in row.split(",")]
    if values[11]:
        values[11] = int(values[11])
    return values


def write_xlsx(path, sheets: dict[str, list[list]], title: str | None = TITLE):
    """A workbook with one sheet per entry (header row first), a merged title row above each."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        if title:
            sheet.append([title])
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def official_list(path, rows=ROWS, header=OFFICIAL_HEADER, extra=(TYPED,)):
    return write_xlsx(path, {"名单": [header.split(","), *map(cells, rows), *extra]})


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(
        '[storage]\ndatabase = "bot.db"\n[outlets]\nload_sample = false\n', encoding="utf-8"
    )
    return path


def import_cli(config, path, *flags):
    return run_cli(
        "outlets",
        "import",
        str(path),
        "--source",
        "济宁（虚构）",
        "--as-of",
        "2026-10",
        *flags,
        config=config,
    )


def stored(tmp_path) -> list[tuple]:
    storage = Storage(tmp_path / "bot.db")
    try:
        return storage.db.execute(
            "select key, number, name, brand, kind, province, city, county, address, insured,"
            " insured_since, headcount from outlets order by key"
        ).fetchall()
    finally:
        storage.close()


def test_cells_read_as_a_csv_export_writes_them():
    assert [cell_text(v) for v in (12.0, 3708000123.0, 1.5, "", "JN-1", True)] == [
        "12",
        "3708000123",
        "1.5",
        "",
        "JN-1",
        "TRUE",
    ]
    assert cell_text(date(2022, 5, 1)) == cell_text(datetime(2022, 5, 1)) == "2022-05-01"


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_number_column_headed_许可或备案编号_is_stored_and_found(tmp_path, config, kind):
    if kind == "csv":
        path = outlet_lists.write(tmp_path / "l.csv", [*ROWS, TYPED_CSV], header=OFFICIAL_HEADER)
    else:
        path = official_list(tmp_path / "l.xlsx")
    out = import_cli(config, path)
    assert out.returncode == 0, out.stderr
    assert f"{len(ROWS) + 1} rows, {len(ROWS) + 1} new" in out.stdout
    assert "许可或备案编号 → number" in out.stdout and "参保人数 → headcount" in out.stdout
    for number, name in [("JN-YZ-0007", "中通快递洸河路一部"), ("3708000123", TYPED[0])]:
        found = run_cli("outlets", "lookup", number, "--json", config=config)
        result = json.loads(found.stdout)
        assert result["status"] != "unknown", found.stdout
        assert result["candidates"][0]["name"] == name
        assert result["candidates"][0]["number"] == number


def test_a_sheet_imports_the_same_rows_as_the_csv(tmp_path):
    """Typed cells (3708000123.0, 12.0, a date) become what the CSV holds; the title row above the
    header is passed over."""
    from_csv = Registry(Storage(tmp_path / "csv.db"))
    from_csv.import_csv(
        outlet_lists.write(tmp_path / "l.csv", [*ROWS, TYPED_CSV], header=OFFICIAL_HEADER),
        "济宁",
        "2026-10",
    )
    from_xlsx = Registry(Storage(tmp_path / "xlsx.db"))
    result = from_xlsx.import_csv(official_list(tmp_path / "l.xlsx"), "济宁", "2026-10")
    assert result.encoding == "xlsx" and result.inserted == len(ROWS) + 1
    query = "select key, number, name, insured, insured_since, headcount from outlets order by key"
    xlsx_rows = from_xlsx.db.execute(query).fetchall()
    assert xlsx_rows == from_csv.db.execute(query).fetchall()
    assert ("no:3708000123", "3708000123", TYPED[0], 1, "2022-05-01", 12) in xlsx_rows


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_unknown_column_stops_the_import_until_ignored(tmp_path, config, kind):
    header = OFFICIAL_HEADER + ",备注"
    rows = [r + ",夜班" for r in ROWS]
    if kind == "csv":
        path = outlet_lists.write(tmp_path / "l.csv", rows, header=header)
    else:
        path = official_list(tmp_path / "l.xlsx", rows, header, extra=())
    out = import_cli(config, path)
    assert out.returncode == 1
    assert "column M '备注' is not a known column; rename it" in out.stderr  # no 备案号 hint
    assert "accepted headers: name: 网点名称/" in out.stderr
    assert "--ignore-column 备注" in out.stderr and "nothing imported" in out.stderr
    assert stored(tmp_path) == []
    out = import_cli(config, path, "--ignore-column", "备注")
    assert out.returncode == 0, out.stderr
    assert "备注 → ignored" in out.stdout and f"{len(ROWS)} new" in out.stdout
    assert len(stored(tmp_path)) == len(ROWS)


def test_sheet_picks_a_sheet_and_is_part_of_the_lists_identity(tmp_path, config):
    header = OFFICIAL_HEADER.split(",")
    path = write_xlsx(
        tmp_path / "two.xlsx",
        {"九月": [header, *map(cells, ROWS[:3])], "十月": [header, *map(cells, ROWS[3:8])]},
    )
    out = import_cli(config, path, "--sheet", "十月")
    assert out.returncode == 0, out.stderr
    assert "5 rows, 5 new" in out.stdout
    names = {row[2] for row in stored(tmp_path)}
    assert names == {r.split(",")[0] for r in ROWS[3:8]}
    out = import_cli(config, path)  # the first sheet: another list in the same file
    assert out.returncode == 0 and "3 rows, 3 new" in out.stdout, out.stdout
    out = import_cli(config, path, "--sheet", "十一月")
    assert (
        out.returncode == 1 and "'十一月': no such sheet; the workbook has 九月, 十月" in out.stderr
    )


def test_a_notes_sheet_first_names_the_other_sheets_and_sheet(tmp_path, config):
    notes = [["填表说明"], ["1. 每个网点一行"], ["2. 是否参保填 是 或 否"]]
    rows = [OFFICIAL_HEADER.split(","), *map(cells, ROWS[:3])]
    path = write_xlsx(tmp_path / "l.xlsx", {"填表说明": notes, "名单": rows, "汇总": notes})
    out = import_cli(config, path)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "sheet '填表说明': no header row in the first 20 rows" in out.stderr
    assert "the workbook's other sheets: '名单', '汇总'; pick one with --sheet NAME" in out.stderr
    assert stored(tmp_path) == []
    out = import_cli(config, path, "--sheet", "名单")
    assert out.returncode == 0 and "3 rows, 3 new" in out.stdout, out.stderr


def test_skip_bad_and_line_numbers_are_excel_rows(tmp_path, config):
    rows = list(ROWS[:5])
    rows[2] = rows[2].replace(",是,", ",也许,")  # Excel row 5: title, header, then rows 3..
    path = official_list(tmp_path / "bad.xlsx", rows, extra=())
    out = import_cli(config, path)
    assert out.returncode == 1 and "  line 5: insured (是否参保) '也许'" in out.stderr
    assert stored(tmp_path) == []
    out = import_cli(config, path, "--skip-bad")
    assert out.returncode == 0, out.stderr
    assert "5 rows, 4 new" in out.stdout and "skipped line 5" in out.stdout
    assert len(stored(tmp_path)) == 4


def test_importing_the_same_workbook_twice_changes_nothing(tmp_path):
    registry = Registry(Storage(tmp_path / "r.db"))
    path = official_list(tmp_path / "a.xlsx")
    first = registry.import_csv(path, "济宁", "2026-10")

    def state():
        return (
            registry.db.execute("select * from outlets order by id").fetchall(),
            registry.db.execute("select * from outlet_history order by id").fetchall(),
        )

    before = state()
    again = registry.import_csv(path, "济宁", "2026-10")
    assert again.already and again.batch_id == first.batch_id
    # the same rows in another workbook (other bytes, another sheet name): compared, left alone
    other = write_xlsx(
        tmp_path / "b.xlsx", {"Sheet1": [OFFICIAL_HEADER.split(","), *map(cells, ROWS), TYPED]}
    )
    result = registry.import_csv(other, "济宁", "2026-10")
    assert not result.already
    assert (result.inserted, result.updated, result.unchanged) == (0, 0, len(ROWS) + 1)
    assert state() == before


def test_empty_columns_are_passed_over_but_a_value_without_header_stops(tmp_path):
    registry = Registry(Storage(tmp_path / "r.db"))
    header = OFFICIAL_HEADER.split(",")
    spaced = [[*header[:3], None, *header[3:]]]  # column D: no header, nothing in it
    spaced += [[*c[:3], None, *c[3:]] for c in map(cells, ROWS[:4])]
    result = registry.import_csv(write_xlsx(tmp_path / "ok.xlsx", {"s": spaced}), "x", "2026-10")
    assert result.inserted == 4 and "许可或备案编号 → number" in result.summary()
    spaced[3][3] = "夜班"  # Excel row 5
    with pytest.raises(OutletImportError, match=r"line 5: column D has no header but holds '夜班'"):
        registry.import_csv(write_xlsx(tmp_path / "bad.xlsx", {"s": spaced}), "x", "2026-11")
    assert registry.count() == 4  # the failed import left nothing behind


def test_workbook_mistakes_are_clear_errors(tmp_path):
    registry = Registry(Storage(tmp_path / "r.db"))
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"not really a zip" * 10)
    with pytest.raises(OutletImportError, match="not a readable Excel workbook"):
        registry.import_csv(broken, "x", "2026-10")
    notes = write_xlsx(tmp_path / "notes.xlsx", {"说明": [["本表为虚构示例"], ["请勿外传"]]})
    with pytest.raises(OutletImportError, match="no header row in the first 20 rows"):
        registry.import_csv(notes, "x", "2026-10")
    csv_path = outlet_lists.write(tmp_path / "l.csv")
    with pytest.raises(OutletImportError, match="--sheet is for Excel workbooks"):
        registry.import_csv(csv_path, "x", "2026-10", sheet="名单")
    assert registry.count() == 0


@pytest.mark.parametrize(
    "content",
    [
        "这不是表格\n".encode(),  # a text file renamed
        b"",  # an empty download
        b"\0" * 2048,  # a file cut off as it was copied
        bytes(range(256)) * 8,  # neither text nor a workbook
    ],
)
def test_a_damaged_xlsx_is_named_as_no_workbook_and_nothing_is_stored(tmp_path, config, content):
    path = tmp_path / "名单.xlsx"
    path.write_bytes(content)
    out = import_cli(config, path)
    assert out.returncode == 1 and out.stdout == ""
    assert f"courier-bot: {path}: not a readable Excel workbook" in out.stderr, out.stderr
    assert "no header row" not in out.stderr and "not UTF-8" not in out.stderr
    assert stored(tmp_path) == []
    storage = Storage(tmp_path / "bot.db")
    try:
        assert storage.db["import_batches"].count == 0
    finally:
        storage.close()


def test_a_list_saved_as_text_under_an_xls_name_still_imports(tmp_path, config):
    """Some systems save a tab-separated export as .xls: it is a list, not a damaged workbook."""
    rows = [HEADER.replace(",", "\t"), *(r.replace(",", "\t") for r in ROWS[:2])]
    path = tmp_path / "导出.xls"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = import_cli(config, path)
    assert out.returncode == 0, out.stderr
    assert len(stored(tmp_path)) == 2
