"""Importing official outlet lists: encodings, headers, validation, idempotence, history, sample."""

import pytest

from bot.outlets.importing import SAMPLE_SOURCE
from bot.outlets.reading import OutletImportError, column_of
from bot.outlets.registry import Registry
from bot.storage.database import Storage
from tests.support import outlet_lists
from tests.support.cli import run_cli as cli
from tests.support.outlet_lists import ROWS


@pytest.fixture
def registry(tmp_path):
    storage = Storage(tmp_path / "reg.db")
    yield Registry(storage)
    storage.close()


def snapshot(registry) -> list[tuple]:
    return registry.db.execute(
        "select key, number, name, brand, kind, province, city, county, address, insured,"
        " insured_since, headcount from outlets order by key"
    ).fetchall()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_every_encoding_imports_the_same_rows(tmp_path, registry, encoding):
    reference = outlet_lists.registry(
        tmp_path / "ref.db", (ROWS, "济宁市邮政管理局（虚构）", "2026-10")
    )
    path = outlet_lists.write(tmp_path / f"list-{encoding}.csv", encoding=encoding)
    result = registry.import_csv(path, "济宁市邮政管理局（虚构）", "2026-10")
    assert result.encoding == {"gbk": "gb18030"}.get(encoding, encoding)  # GB18030 reads GBK
    assert result.inserted == len(ROWS) and not result.skipped
    assert snapshot(registry) == snapshot(reference)
    filed = registry.db.execute(
        "select parent_company from outlets where name = ?", ["百世快递琵琶山路网点"]
    ).fetchone()
    assert filed == ("济宁虚构百世物流有限公司",)  # shown as the list writes it


def test_english_headers_tabs_and_comment_lines(tmp_path, registry):
    header = (
        "name\tbrand\tparent_company\tnumber\tkind\tprovince\tcity\tcounty\taddress\tinsured\t"
        "insured_since\theadcount"
    )
    rows = [r.replace(",", "\t") for r in ROWS[:3]]
    path = tmp_path / "en.tsv"
    path.write_text(
        "# exported 2026-10\n\n" + header + "\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    result = registry.import_csv(path, "test list", "2026-10")
    assert result.inserted == 3
    row = registry.db.execute(
        "select kind, insured, headcount from outlets where number = ?", ["JN-YZ-0001"]
    ).fetchone()
    assert row == ("licensed", 1, 18)


def test_header_variants_with_units_and_markers(tmp_path, registry):
    header = "*网点名称,省份（区、市）,是否参保,参保人数（人）,许可证号"
    path = tmp_path / "v.csv"
    path.write_text(header + "\n中通快递虚构网点,山东省,已参保,3,X-1234\n", encoding="utf-8")
    registry.import_csv(path, "x", "2026-10")
    assert registry.db.execute("select province, insured, headcount from outlets").fetchall() == [
        ("山东", 1, 3)
    ]


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("许可或备案编号", "number"),
        ("快递业务经营许可证号", "number"),
        ("备案编号", "number"),
        ("许可（备案）编号", "number"),
        ("所属企业许可证号", None),  # the parent company's number is not the outlet's
        ("参保职工人数", "headcount"),
        ("工伤保险参保人数", "headcount"),
        ("快递员参保人数", "headcount"),
        ("网点参保人数", "headcount"),
        ("从业人员参保人数", "headcount"),
        ("参保人员数", "headcount"),
        ("未参保人数", None),
        ("未参保人员数", None),
        ("应参保人数", None),  # how many should be: not how many are
        ("参保年月", "insured_since"),
        ("是否参加工伤保险", "insured"),
        ("工伤保险参保情况", "insured"),
        ("网点性质", "kind"),
        ("许可/备案", "kind"),
        ("所属快递企业名称", "parent_company"),
        ("所在省份", "province"),
        ("地级市", "city"),
        ("区/县", "county"),
        ("县（市、区）", "county"),
        ("区（县）", "county"),
        ("区(县)", "county"),
        ("省份（区、市）", "province"),
        ("网点地址", "address"),
        ("快递网点名称", "name"),
        ("备注", None),
        ("从业人员数", None),
    ],
)
def test_header_variants_map_to_columns(header, column):
    assert column_of(header) == column


def test_title_row_above_the_header(tmp_path, registry):
    """A sheet saved as CSV keeps its title row ("title,,,,"); a tab list may have a bare one."""
    path = tmp_path / "t.csv"
    path.write_text("2026年10月基层快递网点参保调度表,,,,\n" + outlet_lists.csv_text(), "utf-8")
    assert registry.import_csv(path, "x", "2026-10").inserted == len(ROWS)
    tabs = tmp_path / "t.tsv"
    text = outlet_lists.csv_text(ROWS[:2]).replace(",", "\t")
    tabs.write_text("2026年10月基层快递网点参保调度表\n" + text, encoding="utf-8")
    result = registry.import_csv(tabs, "x", "2026-11")
    assert (result.updated + result.unchanged, result.inserted) == (2, 0)


def test_every_header_is_mapped_or_reported(tmp_path, registry):
    path = tmp_path / "d.csv"
    path.write_text(
        "网点名称,省份,是否参保,许可证号,备案号\n网点甲,山东,是,XK-1001,YB-2002\n", "utf-8"
    )
    with pytest.raises(OutletImportError, match="columns D '许可证号' and E '备案号' both mean"):
        registry.import_csv(path, "x", "2026-10")
    result = registry.import_csv(path, "x", "2026-10", ignore=["备案号"])
    assert result.columns[-2:] == [("许可证号", "number"), ("备案号", "ignored")]
    with pytest.raises(OutletImportError, match="--ignore-column '备考': no such column"):
        registry.import_csv(path, "x", "2026-10", ignore=["备考"])
    stray = tmp_path / "s.csv"  # a value past the header's last column
    stray.write_text("网点名称,省份,是否参保\n网点乙,山东,是\n网点丙,山东,否,夜班\n", "utf-8")
    with pytest.raises(OutletImportError, match="line 3: column D has no header but holds '夜班'"):
        registry.import_csv(stray, "x", "2026-10")
    assert registry.count() == 1


@pytest.mark.parametrize(
    ("header", "hint"),
    [
        ("网点名", "(nearest known header: 网点名称 → name)"),
        ("经营地点", "(nearest known header: 经营地址 → address)"),
        ("adress", "(nearest known header: address → address)"),
        ("联系电话", None),  # like no known header: not "name"
        ("备注", None),  # not 备案号
        ("负责人", None),  # not 人数
        ("未参保人数", None),  # not a misspelt 参保人数
        ("Phone", None),  # English is compared with English only
    ],
)
def test_an_unknown_header_is_named_with_a_close_header_or_what_is_accepted(
    tmp_path, registry, header, hint
):
    path = tmp_path / "u.csv"
    path.write_text(f"网点名称,省份,是否参保,{header}\n网点甲,山东,是,x\n", "utf-8")
    with pytest.raises(OutletImportError) as caught:
        registry.import_csv(path, "x", "2026-10")
    message = str(caught.value)
    assert f"column D {header!r} is not a known column" in message
    assert f"--ignore-column {header}" in message and "nothing imported" in message
    if hint:
        assert hint in message and "accepted headers" not in message
    else:
        assert "nearest known header" not in message
        assert "accepted headers: name: 网点名称/网点/名称" in message
        assert "headcount: 参保人数/人数" in message and "county: 县/区县" in message
    assert registry.count() == 0


def test_bad_rows_reject_the_file_with_line_numbers(tmp_path, registry):
    rows = list(ROWS[:4])
    rows[1] = rows[1].replace(",否,", ",也许,")  # line 3
    rows.append("中通快递虚构网点,中通,,,许可,火星,,,,是,2022-13,3")  # line 6: province, date
    rows.append(ROWS[0])  # line 7: duplicate of line 2
    rows.append("中通快递虚构二部,中通,,,许可,山东,,,,否,,5")  # line 8: uninsured, headcount
    path = outlet_lists.write(tmp_path / "bad.csv", rows)
    with pytest.raises(OutletImportError) as err:
        registry.import_csv(path, "x", "2026-10")
    lines = sorted({p.line for p in err.value.problems})
    assert lines == [3, 6, 7, 8]
    text = "\n".join(str(p) for p in err.value.problems)
    assert "line 3: insured (是否参保) '也许'" in text
    assert "line 6: province (省份) '火星'" in text and "line 6: insured_since" in text
    assert "line 7: same outlet as line 2 (same number JN-YZ-0001)" in text
    assert "line 8: headcount (参保人数) is 5 but insured (是否参保) is no" in text
    # nothing at all was written: no outlets, no batch, no history
    for table in ("outlets", "import_batches", "outlet_history", "outlet_terms"):
        assert registry.db.execute(f"select count(*) from {table}").fetchone()[0] == 0


def test_skip_bad_imports_the_rest_and_reports(tmp_path, registry):
    rows = list(ROWS[:4])
    rows[2] = rows[2].replace("2022-06", "二〇二二年")  # line 4
    result = registry.import_csv(
        outlet_lists.write(tmp_path / "b.csv", rows), "x", "2026-10", skip_bad=True
    )
    assert result.inserted == 3 and [p.line for p in result.skipped] == [4]
    assert "3 new" in result.summary() and "1 bad rows skipped" in result.summary()
    assert registry.count() == 3


def test_missing_required_column_names_it(tmp_path, registry):
    path = tmp_path / "m.csv"
    path.write_text("网点名称,城市\n中通快递虚构网点,济宁市\n", encoding="utf-8")
    with pytest.raises(OutletImportError, match=r"line 1: missing column\(s\) province .*insured"):
        registry.import_csv(path, "x", "2026-10")


def test_binary_garbage_is_refused(tmp_path, registry):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\xff\xfe\xfd" * 3 + b"\x81\x20")
    with pytest.raises(OutletImportError):
        registry.import_csv(path, "x", "2026-10")


def test_reimporting_the_same_list_changes_nothing(tmp_path, registry):
    path = outlet_lists.write(tmp_path / "a.csv")
    first = registry.import_csv(path, "济宁", "2026-10")
    before = (
        snapshot(registry),
        registry.db.execute("select count(*) from outlet_history").fetchone(),
    )
    again = registry.import_csv(path, "济宁", "2026-10")
    assert again.already and again.batch_id == first.batch_id
    # the same rows in another encoding (another file): compared row by row, still nothing changes
    other = registry.import_csv(
        outlet_lists.write(tmp_path / "a-gbk.csv", encoding="gbk"), "济宁", "2026-10"
    )
    assert (other.inserted, other.updated, other.unchanged) == (0, 0, len(ROWS))
    after = (
        snapshot(registry),
        registry.db.execute("select count(*) from outlet_history").fetchone(),
    )
    assert before == after


def test_newer_list_updates_status_and_keeps_history(tmp_path, registry):
    registry.import_csv(outlet_lists.write(tmp_path / "sep.csv"), "济宁", "2026-09")
    newer = [
        r.replace(
            "中通快递城东网点,中通,,JN-YZ-0002,许可,山东,济宁市,任城区,虚构路2号,否,,",
            "中通快递城东网点,中通,,JN-YZ-0002,许可,山东,济宁市,任城区,虚构路2号,是,2026-10,4",
        )
        for r in ROWS
    ]
    result = registry.import_csv(outlet_lists.write(tmp_path / "oct.csv", newer), "济宁", "2026-10")
    assert result.updated == 1 and result.unchanged == len(ROWS) - 1 and result.inserted == 0
    history = registry.db.execute(
        "select h.change, h.insured, h.headcount, h.as_of from outlet_history h"
        " join outlets o on o.id = h.outlet_id where o.number = 'JN-YZ-0002' order by h.id"
    ).fetchall()
    assert history == [("new", 0, None, "2026-09"), ("insured", 1, 4, "2026-10")]
    outlet = registry.lookup("JN-YZ-0002").best.outlet
    assert outlet["insured"] == 1 and outlet["as_of"] == "2026-10"
    # an older list imported afterwards does not overwrite the newer status
    late = registry.import_csv(
        outlet_lists.write(tmp_path / "aug.csv", encoding="gb18030"), "济宁", "2026-08"
    )
    assert late.older == len(ROWS) and late.updated == 0
    assert registry.lookup("JN-YZ-0002").best.outlet["insured"] == 1


def test_outlets_without_number_upsert_by_name_and_address(tmp_path, registry):
    rows = ["菜鸟驿站幸福小区店,菜鸟,,,,上海,上海市,浦东新区,虚构路19号,否,,"]
    registry.import_csv(outlet_lists.write(tmp_path / "1.csv", rows), "沪", "2026-09")
    rows2 = [
        "菜鸟驿站幸福小区店,菜鸟,,,,上海,上海市,浦东新区,虚构路19号,是,2026-10,2",
        "菜鸟驿站幸福小区店,菜鸟,,,,上海,上海市,浦东新区,虚构路20号,否,,",
    ]
    result = registry.import_csv(outlet_lists.write(tmp_path / "2.csv", rows2), "沪", "2026-10")
    assert (result.updated, result.inserted) == (1, 1)
    assert registry.count() == 2


def test_renamed_outlet_is_found_by_its_new_name_only(tmp_path, registry):
    registry.import_csv(outlet_lists.write(tmp_path / "1.csv"), "济宁", "2026-09")
    renamed = [r.replace("德邦快递宁安大道营业部", "德邦快递崇文大道营业部") for r in ROWS]
    registry.import_csv(outlet_lists.write(tmp_path / "2.csv", renamed), "济宁", "2026-10")
    assert registry.lookup("德邦崇文大道").best.outlet["number"] == "JN-YZ-0013"
    old = registry.lookup("德邦宁安大道")
    assert all(c.outlet["number"] != "JN-YZ-0013" or c.score < 80 for c in old.candidates)


def test_sample_loads_once_and_a_real_list_replaces_it(tmp_path, registry):
    first = registry.ensure_sample()
    assert first.inserted >= 10
    assert registry.ensure_sample() is None
    hit = registry.lookup("中通 城西 网点")
    assert hit.best.outlet["source"] == SAMPLE_SOURCE and hit.best.outlet["sample"] == 1
    registry.record(hit, "u", "test")
    real = registry.import_csv(outlet_lists.write(tmp_path / "real.csv"), "济宁", "2026-10")
    assert real.removed_sample == first.inserted
    assert registry.count() == len(ROWS)
    assert not registry.db.execute(
        "select count(*) from import_batches where sample = 1"
    ).fetchone()[0]
    assert not registry.db.execute("select count(*) from lookups").fetchone()[0]
    assert registry.lookup("DEMO-GX-0001").status == "unknown"
    assert registry.ensure_sample() is None  # never comes back over real data


def test_cli_import_rejects_then_skips(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text(
        '[storage]\ndatabase = "bot.db"\n[outlets]\nload_sample = false\n', encoding="utf-8"
    )
    rows = list(ROWS)
    rows[0] = rows[0].replace(",是,", ",?,")
    path = outlet_lists.write(tmp_path / "l.csv", rows, encoding="gbk")
    args = (
        "outlets",
        "import",
        str(path),
        "--source",
        "济宁市邮政管理局（虚构）",
        "--as-of",
        "2026-10",
    )
    out = cli(*args, config=config)
    assert out.returncode == 1 and "nothing imported" in out.stderr
    assert "  line 2: insured (是否参保) '?'" in out.stderr
    out = cli(*args, "--skip-bad", config=config)
    assert out.returncode == 0, out.stderr
    assert f"{len(ROWS)} rows, {len(ROWS) - 1} new" in out.stdout and "skipped line 2" in out.stdout
    assert "Columns: 网点名称 → name, 品牌 → brand" in out.stdout
    out = cli("outlets", "import", str(path), "--source", "x", "--as-of", "十月", config=config)
    assert out.returncode == 1 and "--as-of" in out.stderr


@pytest.mark.parametrize("target", ["folder", "under a file"])
def test_cli_import_of_a_folder_or_an_unreadable_path_says_so(tmp_path, target):
    config = tmp_path / "c.toml"
    config.write_text('[storage]\ndatabase = "bot.db"\n', encoding="utf-8")
    path = tmp_path / "lists"
    path.mkdir()
    if target == "under a file":  # NotADirectoryError, another OSError (root reads any file)
        path = outlet_lists.write(path / "l.csv") / "x.csv"
    out = cli("outlets", "import", str(path), "--source", "x", "--as-of", "2026-10", config=config)
    expected = "a folder, not a CSV or Excel file" if target == "folder" else "cannot be read"
    assert out.returncode == 1 and expected in out.stderr, out.stderr
    assert "Traceback" not in out.stderr and str(path) in out.stderr


def test_broken_csv_and_old_mac_line_ends(tmp_path, registry):
    path = tmp_path / "open-quote.csv"  # a quote never closed swallows the rest of the file
    path.write_bytes(outlet_lists.csv_text().encode() + b'"' + b"x" * 200_000 + b"\n")
    with pytest.raises(OutletImportError, match=r"line \d+: not CSV"):
        registry.import_csv(path, "x", "2026-10")
    assert registry.count() == 0
    mac = tmp_path / "mac.csv"
    mac.write_bytes(outlet_lists.csv_text().replace("\n", "\r").encode("gb18030"))
    assert registry.import_csv(mac, "x", "2026-10").inserted == len(ROWS)


def test_a_source_marked_fictional_is_a_sample(tmp_path, registry):
    registry.import_csv(outlet_lists.write(tmp_path / "f.csv"), "培训用名单（虚构）", "2026-10")
    assert registry.lookup("JN-YZ-0001").best.outlet["sample"] == 1
