"""Reports for officials: the columns of the Guangxi plan's annex 《基层快递网点优先参加工伤保险情况
调度表》 that the registry can fill, the coverage rate, and the outlets couriers worried about.

Coverage is the state of each listed outlet as of the report month: its latest status from a
list dated in or before that month (outlet_history). 工伤申报/认定 and benefits are not known to
the bot and stay empty for the officials to fill in.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field

from bot import regions
from bot.outlets.lookups import mask
from bot.outlets.registry import Registry
from bot.outlets.search import INSURED, NOT_INSURED, UNKNOWN
from bot.render import plain, render
from bot.storage.database import now
from bot.text import norm

# The annex's column titles (data), in its order; 地区 and 覆盖率 are ours.
DISPATCH_COLUMNS = (
    "序号",
    "地区",
    "应参保单位数（户）",
    "已参保单位数（户）",
    "参保人数（人）",
    "缴费人数（人）",
    "工伤申报数",
    "工伤认定数",
    "享受工伤保险待遇人数（人）",
    "发放工伤保险待遇金额（万元）",
    "覆盖率",
    "备注",
)
WORRY_COLUMNS = ("序号", "情况", "网点或查询内容", "许可证号或备案号", "地区", "查询次数")
RESULT_KEYS = (INSURED, NOT_INSURED, UNKNOWN, "ambiguous")
TOP = 20


@dataclass
class Area:
    name: str
    outlets: int = 0
    insured: int = 0
    headcount: int = 0
    headcount_missing: int = 0  # insured outlets whose list gives no headcount
    sample: bool = False
    sources: dict[str, str] = field(default_factory=dict)  # source -> latest as-of date

    @property
    def rate(self) -> float | None:
        return self.insured / self.outlets if self.outlets else None


@dataclass
class Worry:
    status: str  # not_insured | unknown
    label: str  # outlet name, or what the couriers typed
    number: str | None
    place: str
    count: int
    sample: bool = False


@dataclass
class Report:
    month: str
    region: str | None
    areas: list[Area]
    total: Area
    lookups: dict[str, int]
    worries: list[Worry]
    generated_at: str

    @property
    def lookups_total(self) -> int:
        return sum(self.lookups.values())

    @property
    def sample(self) -> bool:
        return self.total.sample or any(w.sample for w in self.worries)


def _regions_in(region: str | None) -> set[str] | None:
    """Canonical regions a report on `region` covers (a province includes its document cities)."""
    if not region or region == regions.NATIONAL:
        return None
    return {region} | {city for city, parent in regions.DOC_REGIONS.items() if parent == region}


def _outlet_in(province: str | None, city_key: str | None, region: str | None) -> bool:
    if not region or region == regions.NATIONAL:
        return True
    if regions.DOC_REGIONS.get(region):
        return city_key == region
    return province == region


def build(registry: Registry, month: str, region: str | None = None) -> Report:
    registry.purge(force=True)
    db = registry.db
    rows = db.execute(
        "select o.province, o.city, o.city_key, b.sample, h.insured, h.headcount, b.source, b.as_of"
        " from outlet_history h join outlets o on o.id = h.outlet_id"
        " join import_batches b on b.id = h.batch_id"
        " where h.id in (select max(id) from outlet_history where substr(as_of, 1, 7) <= ?"
        "  group by outlet_id)",
        [month],
    ).fetchall()
    city_level = bool(region and region != regions.NATIONAL)
    areas: dict[str, Area] = {}
    total = Area(regions.full_name(region) if region else regions.NATIONAL)
    for province, city, ckey, sample, insured, headcount, source, as_of in rows:
        if not _outlet_in(province, ckey, region):
            continue
        name = f"{province}{city or ''}" if city_level else regions.full_name(province)
        for area in (areas.setdefault(name, Area(name)), total):
            area.outlets += 1
            area.sample |= bool(sample)
            area.sources[source] = max(as_of, area.sources.get(source, ""))
            if insured:
                area.insured += 1
                if headcount is None:
                    area.headcount_missing += 1
                else:
                    area.headcount += headcount
    wanted = _regions_in(region)
    looked = db.execute(
        "select l.result, l.query, l.region, l.outlet_id, o.name, o.number, o.province, o.city,"
        " o.city_key, o.county, b.sample from lookups l left join outlets o on o.id = l.outlet_id"
        " left join import_batches b on b.id = o.batch_id"
        " where l.month = ?",
        [month],
    ).fetchall()
    counts: Counter = Counter()
    uninsured: Counter = Counter()
    unknown: Counter = Counter()
    details: dict = {}
    spelled: dict[str, Counter] = {}
    for result, query, l_region, oid, name, number, province, city, ckey, county, sample in looked:
        if oid is not None:
            if not _outlet_in(province, ckey, region):
                continue
        elif wanted is not None and l_region not in wanted:
            continue
        counts[result] += 1
        if result == NOT_INSURED and oid is not None:
            uninsured[oid] += 1
            details[oid] = (name, number, f"{province}{city or ''}{county or ''}", bool(sample))
        elif result == UNKNOWN and query:
            key = norm(query)
            if key:
                unknown[key] += 1
                spelled.setdefault(key, Counter())[mask(query)] += 1
                details[("q", key)] = l_region
    worries = [
        Worry(NOT_INSURED, details[oid][0], details[oid][1], details[oid][2], n, details[oid][3])
        for oid, n in uninsured.items()
    ]
    worries += [
        Worry(
            UNKNOWN,
            spelled[key].most_common(1)[0][0],
            None,
            regions.full_name(details[("q", key)]) if details[("q", key)] else "",
            n,
        )
        for key, n in unknown.items()
    ]
    worries.sort(key=lambda w: (-w.count, w.status, w.label))
    return Report(
        month,
        region,
        sorted(areas.values(), key=lambda a: (-a.outlets, a.name)),
        total,
        {k: counts.get(k, 0) for k in RESULT_KEYS},
        worries[:TOP],
        now(),
    )


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


def _remark(area: Area) -> str:
    return plain(
        render(
            "outlet_report_remark",
            missing=area.headcount_missing,
            sources=sorted(area.sources.items(), key=lambda p: p[1]),
        )
    )


def dispatch_rows(report: Report) -> list[list[str]]:
    """The 调度表 rows (one per area, then 合计) with DISPATCH_COLUMNS' cells."""
    out = []
    for i, area in enumerate([*report.areas, report.total], 1):
        last = i == len(report.areas) + 1
        label = plain(render("outlet_report_label", total=last, number=i, status=None))
        out.append(
            [
                label,
                area.name,
                str(area.outlets),
                str(area.insured),
                str(area.headcount),
                "",
                "",
                "",
                "",
                "",
                _percent(area.rate),
                _remark(area),
            ]
        )
    return out


def worry_rows(report: Report) -> list[list[str]]:
    return [
        [
            str(i),
            plain(render("outlet_report_label", total=False, number=i, status=w.status)),
            w.label,
            w.number or "",
            w.place,
            str(w.count),
        ]
        for i, w in enumerate(report.worries, 1)
    ]


def to_csv(report: Report) -> str:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow([plain(render("outlet_report_title", report=report))])
    out.writerow(DISPATCH_COLUMNS)
    out.writerows(dispatch_rows(report))
    out.writerow([])
    out.writerow([plain(render("outlet_report_lookups", report=report))])
    out.writerow(WORRY_COLUMNS)
    out.writerows(worry_rows(report))
    return buf.getvalue()


def to_markdown(report: Report) -> str:
    return plain(
        render(
            "outlet_report_md",
            report=report,
            columns=DISPATCH_COLUMNS,
            rows=dispatch_rows(report),
            worry_columns=WORRY_COLUMNS,
            worry_rows=worry_rows(report),
            percent=_percent,
        )
    )
