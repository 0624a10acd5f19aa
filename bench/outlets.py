"""`courier-bot bench --outlets N`: the outlet registry at national scale.

A generated list (fixed seed): brands, place names from a pool of common place-name characters,
outlet kinds, provinces and cities; every outlet has a number, and some come as near-twins (the
same brand and place in the same city, told apart only by 服务部/营业部, 一部/二部 or the
district in the name), as officials' lists have them. Queries as couriers type them
(query_set) are timed through Registry.lookup, the same call the chat and the CLI make, and
scored by kind: the meant outlet first, shown, answered "ambiguous", wrongly decided.
"""

from __future__ import annotations

import csv
import random
import resource
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import zhconv

from bench.load import percentile
from bot import regions
from bot.config import Config
from bot.outlets.registry import Registry
from bot.outlets.search import AMBIGUOUS, INSURED, NOT_INSURED, LookupResult
from bot.storage.database import Storage
from bot.text import norm, syllables

_PLACE_CHARS = (
    "东西南北中新老大小上下前后长安平和兴华金银山水河湖江海桥口庄村镇街路园湾岭坪塘坝沟屯集店铺场"
    "站城关乡寨堡营店台阳明光红绿青白黄石林森松柏杨柳梅桃李花香春秋夏冬云风雨雪龙凤鹤虎马牛羊鱼"
    "福寿康宁泰丰盛昌隆发达通顺利民乐义仁德信忠孝文武英豪杰俊秀美丽佳好吉祥瑞宝珠玉翠碧紫蓝丹朱"
    "宏伟建国庆胜利解放人民团结友谊和平幸福光明振华富强繁荣开元永定广阳朝阳向阳东升旭日望京育才"
    "工农商学兵钢铁煤矿电力纺织化工机械汽车火车飞机码头港湾滨江沿河环城三里五里七里十里八角六合九龙"
)
_BRAND_POOL = [
    "中通",
    "圆通",
    "韵达",
    "申通",
    "极兔",
    "顺丰",
    "京东",
    "邮政",
    "百世",
    "德邦",
    "丰网",
    "菜鸟",
]
_BRAND_WEIGHTS = [20, 18, 16, 12, 12, 8, 6, 4, 2, 1, 1, 2]
_BRAND_WORDS = ["快递", "速递", "速运", "物流", ""]
_STREETS = ["路", "街", "大道", "镇", "乡", "村", "社区", "小区", "工业园", "开发区", "市场"]
_KINDS = [
    "网点",
    "营业部",
    "服务部",
    "分部",
    "一部",
    "二部",
    "三部",
    "揽投部",
    "代办点",
    "店",
    "服务站",
]
# Near-twins: the words that alone tell two outlets of one brand and place apart. 网点 is what
# couriers call any outlet, so a 网点 twin is told apart only by its full name.
_TWIN_KINDS = [
    ("服务部", "营业部"),
    ("网点", "服务部"),
    ("营业部", "分部"),
    ("网点", "驿站"),
    ("一部", "二部"),
    ("二部", "三部"),
]
TWIN_SHARE = 0.08  # outlets followed by a near-twin
DISTRICT_TWINS = 0.25  # of the twins: the same kind, the district in the name differs
# The generated list's provinces: mainland ones but 西藏, as the figures have always used.
_PROVINCES = [p for p in regions.PROVINCES if p not in ("西藏", "香港", "澳门", "台湾")]
_HEADER = [
    "网点名称",
    "品牌",
    "许可证号或备案号",
    "类型",
    "省份",
    "城市",
    "区县",
    "地址",
    "是否参保",
    "参保时间",
    "参保人数",
]


def generate_outlets(
    n: int, path: Path, seed: int = 7, keep: int = 2000, twins: float = TWIN_SHARE
) -> list[dict]:
    """Write n fictional outlets to `path` (UTF-8 CSV with Chinese headers), a `twins` share of
    them followed by a near-twin; return about `keep` of them, spread over the file, to query
    for (a kept twin keeps its twin, and each names the other's number under "twin")."""
    rnd = random.Random(seed)
    chars = list(dict.fromkeys(_PLACE_CHARS))
    # sorted(): a set's order follows the hash seed, and the list must be the same every run
    places = sorted(
        {"".join(rnd.choice(chars) for _ in range(rnd.choice((2, 2, 3)))) for _ in range(60_000)}
    )
    cities = {
        p: sorted({"".join(rnd.choice(chars) for _ in range(2)) for _ in range(14)})
        for p in _PROVINCES
    }
    # not 镇义区 after a brand: 圆通镇 reads as a place, not as 圆通 (names._PLACE_NEXT)
    districts = [p for p in places if p[0] not in "路街道巷村镇里桥"]
    kept: list[dict] = []
    every = max(1, n // keep)
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(_HEADER)
        i = 0
        while i < n:
            group = [_outlet(rnd, places, cities)]
            if twins and i + 1 < n and rnd.random() < twins:
                group.append(_twin(rnd, group[0], districts))
            for k, row in enumerate(group):
                _write(out, rnd, row, i + k, places)
            if len(group) == 2:
                group[0]["twin"], group[1]["twin"] = group[1]["number"], group[0]["number"]
            if any((i + k) % every == 0 for k in range(len(group))):
                kept += group
            i += len(group)
    return kept


def _write(out, rnd: random.Random, row: dict, i: int, places: list[str]) -> None:
    """The outlet's CSV line; its number (the i-th of the list) goes into `row`."""
    filed = rnd.random() < 0.4
    province = row["province"]
    row["number"] = f"{'MD' if filed else 'YZ'}{_PROVINCES.index(province):02d}{i:07d}"
    row["twin"] = None
    insured = rnd.random() < 0.75
    out.writerow(
        [
            row["name"],
            row["brand"],
            row["number"],
            "备案" if filed else "许可",
            province,
            row["city"] + "市",
            (row["district"] or rnd.choice(places)) + "区",
            f"{row['place']}{rnd.randint(1, 999)}号",
            "是" if insured else "否",
            f"{rnd.randint(2022, 2026)}-{rnd.randint(1, 9):02d}" if insured else "",
            rnd.randint(1, 60) if insured else "",
        ]
    )


def _outlet(rnd: random.Random, places: list[str], cities: dict[str, list[str]]) -> dict:
    brand = rnd.choices(_BRAND_POOL, _BRAND_WEIGHTS)[0]
    province = rnd.choice(_PROVINCES)
    row = {
        "brand": brand,
        "province": province,
        "city": rnd.choice(cities[province]),
        "place": rnd.choice(places) + rnd.choice(_STREETS),
        "word": rnd.choice(_BRAND_WORDS),
        "kind": rnd.choice(_KINDS),
        "district": "",
    }
    return _named(row)


def _twin(rnd: random.Random, row: dict, districts: list[str]) -> dict:
    """The outlet's near-twin; `row` may change with it (a kind pair, or both named with a
    district)."""
    twin = dict(row)
    if rnd.random() < DISTRICT_TWINS:
        row["district"], twin["district"] = rnd.sample(districts, 2)
    else:
        row["kind"], twin["kind"] = rnd.sample(rnd.choice(_TWIN_KINDS), 2)
    _named(row)
    return _named(twin)


def _named(row: dict) -> dict:
    district = row["district"] + "区" if row["district"] else ""
    row["name"] = f"{row['brand']}{row['word']}{district}{row['place']}{row['kind']}"
    return row


# --- queries as couriers type them ----------------------------------------------------------
class Query(NamedTuple):
    text: str
    meant: dict  # the generated outlet the courier means
    kind: str  # see KINDS


KINDS = {
    "messy": "brand + place, a homophone typo, no brand, brand last, traditional script",
    "exact": "the full name of an outlet with a near-twin, as listed",
    "suffix": "brand + place + the word that tells twins apart (服务部, 二部, the district)",
    "both": "brand + place of twins, without that word: fits both",
    "brand": "a brand alone",
}
UNDECIDABLE = ("both", "brand")  # kinds no lookup may decide: the courier must pick


def messy_queries(rows: list[dict], count: int, seed: int = 11) -> list[tuple[str, dict]]:
    """Queries as couriers type them, each with the outlet it means: brand + place without the
    generic words, a homophone typo, the brand left out or put last, traditional script."""
    rnd = random.Random(seed)
    by_sound: dict[str, list[str]] = {}
    for ch in dict.fromkeys(_PLACE_CHARS):
        by_sound.setdefault(syllables(ch)[0], []).append(ch)
    out = []
    for row in rnd.sample(rows, count):
        brand, place = row["brand"], row["place"]
        style = rnd.randrange(5)
        if style == 1:  # one character replaced by another with the same sound
            i = rnd.randrange(len(place))
            same = [c for c in by_sound.get(syllables(place[i])[0], []) if c != place[i]]
            if same:
                place = place[:i] + rnd.choice(same) + place[i + 1 :]
        if style == 2:
            q = f"{place}{rnd.choice(['网点', '的快递点', ''])}"
        elif style == 3:
            q = f"{place} {brand}"
        elif style == 4:
            q = zhconv.convert(f"{brand}快递 {place}", "zh-tw")
        else:
            q = f"{brand} {place}"
        out.append((q, row))
    return out


def query_set(rows: list[dict], count: int, seed: int = 11) -> list[Query]:
    """`count` messy queries, and about a third as many of each twin kind (exact, suffix,
    both) plus a few brand-only ones: the set the bench and the tests score."""
    rnd = random.Random(seed)
    out = [Query(q, row, "messy") for q, row in messy_queries(rows, count, seed)]
    twins = [r for r in rows if r["twin"]]
    told_apart = [r for r in twins if r["district"] or r["kind"] != "网点"]
    makers: list[tuple[str, list[dict], int, Callable[[random.Random, dict], str]]] = [
        ("exact", twins, count // 3, _typed_exactly),
        ("suffix", told_apart, count // 3, _told_apart),
        ("both", twins, count // 6, lambda _rnd, r: f"{r['brand']} {r['place']}"),
        ("brand", rows, count // 15, lambda rnd, r: rnd.choice([r["brand"], r["brand"] + "快递"])),
    ]
    for kind, pool, n, make in makers:
        out += [Query(make(rnd, r), r, kind) for r in rnd.sample(pool, min(n, len(pool)))]
    return out


def _typed_exactly(rnd: random.Random, row: dict) -> str:
    """The full name as listed, or as a phone may send it: traditional script, a space after
    the brand (each only when it normalises back to the same name)."""
    name = row["name"]
    typed = rnd.choice(
        [name, name, zhconv.convert(name, "zh-tw"), row["brand"] + " " + name[len(row["brand"]) :]]
    )
    return typed if norm(typed) == norm(name) else name


def _told_apart(rnd: random.Random, row: dict) -> str:
    brand, place = row["brand"], row["place"]
    if row["district"]:
        return rnd.choice(
            [f"{brand}{row['district']}区{place}", f"{brand} {row['district']}区 {place}"]
        )
    return rnd.choice([f"{brand} {place}{row['kind']}", f"{place}{row['kind']} {brand}"])


class Score(NamedTuple):
    queries: int
    meant: int  # queries meaning one outlet (not a brand alone)
    first: int  # the meant outlet first
    shown: int  # the meant outlet among the candidates shown
    ambiguous: int
    wrong: int  # decided, but not the meant outlet (or a kind no lookup may decide)


def score(results: list[tuple[Query, LookupResult]]) -> dict[str, Score]:
    """Per kind of query, and "all"."""
    tally: dict[str, list[int]] = {}
    for q, found in results:
        numbers = [c.outlet["number"] for c in found.candidates]
        one = q.kind != "brand"
        right = one and bool(numbers) and numbers[0] == q.meant["number"]
        decided = found.status in (INSURED, NOT_INSURED)
        wrong = decided and (q.kind in UNDECIDABLE or not right)
        hits = (True, one, right, one and q.meant["number"] in numbers)
        for key in (q.kind, "all"):
            t = tally.setdefault(key, [0] * 6)
            for j, hit in enumerate((*hits, found.status == AMBIGUOUS, wrong)):
                t[j] += hit
    return {k: Score(*v) for k, v in tally.items()}


def score_lines(scores: dict[str, Score]) -> list[str]:
    """A table: per kind, the meant outlet first and among those shown, 'ambiguous', wrong."""
    lines = [
        f"  {'queries':8s} {'n':>5s} {'first':>6s} {'shown':>6s} {'ambiguous':>9s} {'wrong':>5s}"
    ]
    for kind in [*KINDS, "all"]:
        s = scores.get(kind)
        if not s:
            continue
        meant = [f"{s.first / s.meant:6.0%}", f"{s.shown / s.meant:6.0%}"] if s.meant else ["-"] * 2
        line = f"  {kind:8s} {s.queries:5d} {meant[0]:>6s} {meant[1]:>6s}"
        lines.append(f"{line} {s.ambiguous / s.queries:9.0%} {s.wrong:5d}  {KINDS.get(kind, '')}")
    return [line.rstrip() for line in lines]


def outlets_main(config: Config, n: int = 500_000, queries: int = 300) -> int:
    def rss_mb() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "outlets.csv"
        start = time.perf_counter()
        rows = generate_outlets(n, csv_path)
        print(
            f"generated {n} fictional outlets in {time.perf_counter() - start:.1f} s "
            f"({csv_path.stat().st_size / 1e6:.0f} MB CSV)"
        )
        storage = Storage(Path(tmp) / "bench.db")
        registry = Registry(storage, retention_days=30)
        before = rss_mb()
        start = time.perf_counter()
        result = registry.import_csv(csv_path, "基准测试生成数据（虚构）", "2026-10")
        took = time.perf_counter() - start
        print(
            f"import: {took:.1f} s for {result.rows} rows ({result.inserted} new) "
            f"(target < 15 s); peak RSS {rss_mb():.0f} MB (was {before:.0f} MB before import)"
        )
        start = time.perf_counter()
        again = registry.import_csv(csv_path, "基准测试生成数据（虚构）", "2026-10")
        print(
            f"re-import of the same file: {time.perf_counter() - start:.2f} s "
            f"({'nothing changed' if again.already else again.summary()})"
        )

        exact: list[float] = []
        for row in random.Random(3).sample(rows, min(1000, len(rows))):
            t = time.perf_counter()
            found = registry.lookup(row["number"])
            exact.append((time.perf_counter() - t) * 1000)
            assert found.best and found.best.outlet["number"] == row["number"]
        print(
            f"exact number lookup (1000): p50 {percentile(exact, 50):.3f} ms, "
            f"p99 {percentile(exact, 99):.3f} ms (target < 1 ms)"
        )
        fuzzy, results = [], []
        for q in query_set(rows, min(queries, len(rows))):
            t = time.perf_counter()
            results.append((q, registry.lookup(q.text)))
            fuzzy.append((time.perf_counter() - t) * 1000)
        tracemalloc.start()  # a separate pass: tracing slows every allocation down
        for text, _ in messy_queries(rows, 50, seed=5):
            registry.lookup(text)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        scores = score(results)
        print(
            f"fuzzy name lookup ({len(fuzzy)} queries): p50 {percentile(fuzzy, 50):.1f} ms, "
            f"p95 {percentile(fuzzy, 95):.1f} ms, max {max(fuzzy):.1f} ms (target p95 < 50 ms)"
        )
        print(
            "  the meant outlet first / among the candidates shown / answered 'ambiguous' "
            "(courier picks) / decided but wrong; generated names repeat a lot (same brand + "
            "place in many cities, near-twins), so 'ambiguous' is often right"
        )
        print("\n".join(score_lines(scores)))
        print(f"  {_shares(scores)}; wrongly decided: {scores['all'].wrong}")
        print(
            f"memory: Python heap peak during lookups {peak / 1e6:.1f} MB; process peak RSS "
            f"{rss_mb():.0f} MB; database {_db_size(storage) / 1e6:.0f} MB on disk"
        )
        storage.close()
    return 0


def _shares(scores: dict[str, Score]) -> str:
    """The ambiguous share of all queries, of the messy ones, and of the precise ones."""
    precise = [scores[k] for k in ("exact", "suffix") if k in scores]
    parts = [
        ("all", scores["all"].ambiguous, scores["all"].queries),
        ("messy", scores["messy"].ambiguous, scores["messy"].queries),
        ("exact + suffix", sum(s.ambiguous for s in precise), sum(s.queries for s in precise)),
    ]
    return "ambiguous share: " + ", ".join(f"{name} {a / n:.0%}" for name, a, n in parts if n)


def _db_size(storage: Storage) -> int:
    path = Path(storage.db.conn.execute("pragma database_list").fetchone()[2])
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
