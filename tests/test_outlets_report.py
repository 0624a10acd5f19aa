"""The officials' report against hand-computed numbers: 调度表 columns, coverage as of a month,
the outlets couriers worried about; CSV and Markdown; the CLI."""

import csv
import io

import pytest

from bot.outlets import report
from tests.support import outlet_lists
from tests.support.cli import run_cli

GX = "广西邮政管理局（测试数据）"  # no 虚构/示例 in the name: not flagged as a sample
SEPT = [  # 广西, 2026-09: 2 of 4 insured, 10 people known (韵达's headcount is not given)
    "中通快递城西网点,中通,,GX-01,许可,广西,南宁市,西乡塘区,虚构路1号,是,2022-05,10",
    "圆通速递民族大道营业部,圆通,,GX-02,许可,广西,南宁市,青秀区,虚构路2号,否,,",
    "韵达快递城西分部,韵达,,GX-03,许可,广西,柳州市,柳北区,虚构路3号,是,2022-06,",
    "极兔速递五一路网点,极兔,,GX-04,许可,广西,柳州市,城中区,虚构路4号,否,,",
]
OCT = [  # 广西, 2026-10: 圆通 insured (8), 中通 now 12 people, a new uninsured 申通
    SEPT[0].replace(",10", ",12"),
    "圆通速递民族大道营业部,圆通,,GX-02,许可,广西,南宁市,青秀区,虚构路2号,是,2026-10,8",
    SEPT[2],
    SEPT[3],
    "申通快递友爱路网点,申通,,GX-05,许可,广西,南宁市,西乡塘区,虚构路5号,否,,",
]
JINING = [  # 山东济宁, 2026-10: 1 of 2 insured, 30 people
    "京东物流古槐路站,京东,,JN-01,许可,山东,济宁市,任城区,虚构路6号,是,2022-06,30",
    "百世快递琵琶山路网点,百世,济宁虚构百世物流有限公司,JN-02,备案,山东,济宁市,任城区,虚构路7号,否,,",
]


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    reg = outlet_lists.registry(
        tmp_path_factory.mktemp("report") / "report.db",
        (SEPT, GX, "2026-09"),
        (OCT, GX, "2026-10"),
        (JINING, "济宁市邮政管理局（测试数据）", "2026-10"),
        retention_days=36500,
    )
    lookups = (
        [("极兔五一路", None)] * 3
        + [("不存在的网点甲", "广西")] * 2
        + [("不存在的网点甲！", "广西")]
        + [("百世琵琶山路", None)]
        + [("中通城西", None)] * 2
        + [("城西", None)]
    )
    for query, region in lookups:
        reg.record(reg.lookup(query, region), "k", "test")
    reg.db.execute("update lookups set at = '2026-10-15T08:00:00+00:00', month = '2026-10'")
    yield reg
    reg.storage.close()


def cells(area: report.Area) -> tuple:
    return area.name, area.outlets, area.insured, area.headcount, area.headcount_missing


def test_coverage_follows_the_lists_dated_up_to_the_month(registry):
    sept = report.build(registry, "2026-09")
    assert [cells(a) for a in sept.areas] == [("广西壮族自治区", 4, 2, 10, 1)]
    assert cells(sept.total) == ("全国", 4, 2, 10, 1) and sept.total.rate == 0.5
    octo = report.build(registry, "2026-10")
    assert [cells(a) for a in octo.areas] == [
        ("广西壮族自治区", 5, 3, 20, 1),
        ("山东省", 2, 1, 30, 0),
    ]
    assert cells(octo.total) == ("全国", 7, 4, 50, 1)
    assert report.build(registry, "2026-08").total.outlets == 0


def test_region_report_is_by_city(registry):
    gx = report.build(registry, "2026-10", "广西")
    assert [cells(a) for a in gx.areas] == [("广西南宁市", 3, 2, 20, 0), ("广西柳州市", 2, 1, 0, 1)]
    assert cells(gx.total) == ("广西壮族自治区", 5, 3, 20, 1)
    jn = report.build(registry, "2026-10", "济宁")
    assert cells(jn.total) == ("山东省济宁市", 2, 1, 30, 0)


def test_lookups_and_worries(registry):
    octo = report.build(registry, "2026-10")
    assert octo.lookups == {"insured": 2, "not_insured": 4, "unknown": 3, "ambiguous": 1}
    worries = [(w.status, w.label, w.count) for w in octo.worries]
    assert worries == [
        ("not_insured", "极兔速递五一路网点", 3),
        ("unknown", "不存在的网点甲", 3),
        ("not_insured", "百世快递琵琶山路网点", 1),
    ]
    gx = report.build(registry, "2026-10", "广西")
    assert gx.lookups == {"insured": 2, "not_insured": 3, "unknown": 3, "ambiguous": 0}
    assert [w.label for w in gx.worries] == ["极兔速递五一路网点", "不存在的网点甲"]
    assert report.build(registry, "2026-09").lookups_total == 0


def test_csv_has_the_dispatch_table_columns(registry):
    rows = list(csv.reader(io.StringIO(report.to_csv(report.build(registry, "2026-10")))))
    assert rows[1] == list(report.DISPATCH_COLUMNS)
    assert rows[1][2:5] == ["应参保单位数（户）", "已参保单位数（户）", "参保人数（人）"]
    assert rows[2][:5] == ["1", "广西壮族自治区", "5", "3", "20"] and rows[2][5:10] == [""] * 5
    assert (
        rows[2][10] == "60.0%" and "1户未填参保人数" in rows[2][11] and "截至2026-10" in rows[2][11]
    )
    assert rows[4][:5] == ["合计", "全国", "7", "4", "50"] and rows[4][10] == "57.1%"
    worry_header = rows.index(list(report.WORRY_COLUMNS))
    assert rows[worry_header + 1] == [
        "1",
        "名单显示未参保",
        "极兔速递五一路网点",
        "GX-04",
        "广西柳州市城中区",
        "3",
    ]


def test_markdown_table(registry):
    md = report.to_markdown(report.build(registry, "2026-10", "广西"))
    assert "| 合计 | 广西壮族自治区 | 5 | 3 | 20 |  |  |  |  |  | 60.0% |" in md
    assert "| 2 | 名单中没有 | 不存在的网点甲 |  | 广西壮族自治区 | 3 |" in md
    assert "示例数据" not in md


def test_cli_report(registry, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text(
        f'[storage]\ndatabase = "{registry.path}"\n[privacy]\nlookup_retention_days = 36500\n',
        encoding="utf-8",
    )

    def run(*args):
        return run_cli("report", *args, config=config)

    out = run("--month", "2026-10", "--region", "广西", "--format", "csv")
    assert out.returncode == 0, out.stderr
    assert "合计,广西壮族自治区,5,3,20" in out.stdout
    out = run("--month", "2026-10", "--format", "md", "--output", str(tmp_path / "r.md"))
    assert out.returncode == 0 and "| 合计 | 全国 | 7 | 4 | 50 |" in (tmp_path / "r.md").read_text(
        "utf-8"
    )
    assert run("--month", "2026-13").returncode == 2
