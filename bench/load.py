"""`courier-bot bench`: FAQ match latency, and updates/s of our bot vs a bare PTB echo bot.

Both bots are the real python-telegram-bot Application polling the same kind of fake Bot API
server over real HTTP on 127.0.0.1, in the same run, so the ratio shows what our logic costs.
The server runs in its own process, as Telegram's servers are not on the bot's machine.
Latency is from the moment getUpdates hands an update to the bot until the bot's reply arrives.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import multiprocessing
import tempfile
import time
from pathlib import Path

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bench.evaluation import DATA, DEFAULT_CASES, load_cases
from bench.evaluation import load as load_items
from bench.fakeapi import TOKEN, serve_burst
from bot import regions
from bot.assistant import Assistant
from bot.config import Config
from bot.faq.loader import load
from bot.faq.matcher import Matcher
from bot.storage.database import Storage
from handlers import app as app_mod

ROUNDS = 3


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def questions(kb) -> list[str]:
    qs = [q for e in kb.entries for q in e.questions]
    if DEFAULT_CASES.exists():
        qs += [c["q"] for c in load_cases()]
    real = DATA / "real_questions.toml"
    if real.exists():  # the long ones: BM25 cost grows with the message
        qs += [item["text"] for item in load_items(real)]
    return qs


def copied(kb, times: int):
    """The FAQ `times` over (new ids and topics): how matching scales as the FAQ grows."""
    entries = [
        dataclasses.replace(e, id=f"{e.id}.c{k}", topic=f"{e.topic}.c{k}", related=())
        for k in range(1, times)
        for e in kb.entries
    ]
    return dataclasses.replace(kb, entries=kb.entries + entries)


def bench_matching(matcher: Matcher, qs: list[str], rounds: int = 3) -> dict:
    times = []
    for q in qs * rounds:
        start = time.perf_counter()
        matcher.match(q, "济宁")
        times.append((time.perf_counter() - start) * 1000)
    return {
        "n": len(times),
        "p50_ms": percentile(times, 50),
        "p99_ms": percentile(times, 99),
        "max_ms": max(times),
    }


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_chat.send_message(update.effective_message.text)


def echo_app(base_url: str) -> Application:
    app = ApplicationBuilder().token(TOKEN).base_url(base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, _echo))
    return app


async def _serve_until_done(make_app, conn) -> dict:
    app = make_app(conn.recv())
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        while not conn.poll():
            await asyncio.sleep(0.05)
        return conn.recv()
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        conn.send("stopped")


def drive(make_app, messages: list[tuple[int, str]]) -> dict:
    """Run the bot against a fake Bot API server in another process until it answered every
    (courier id, text) message; add the bot process's memory."""
    ctx = multiprocessing.get_context("spawn")
    ours, theirs = ctx.Pipe()
    server = ctx.Process(target=serve_burst, args=(theirs, messages), daemon=True)
    server.start()
    try:
        result = asyncio.run(_serve_until_done(make_app, ours))
    finally:
        server.join(timeout=10)
    result["rss_mb"] = _memory_mb("VmRSS")
    return result


def _memory_mb(field: str) -> float:
    """This process's resident (VmRSS) or peak (VmHWM) memory, from /proc (Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _median(results: list[dict]) -> dict:
    """The run with the median throughput (its latency and loss figures go with it)."""
    ranked = sorted(results, key=lambda r: r["per_s"])
    middle = dict(ranked[len(ranked) // 2])
    middle["lost"] = max(r["lost"] for r in results)
    return middle


def load_messages(qs: list[str], couriers: int, each: int) -> list[tuple[int, str]]:
    """`couriers` couriers at once, each sending `each` questions in a row."""
    texts = itertools.cycle(qs)
    return [(20_000 + c, next(texts)) for c in range(couriers) for _ in range(each)]


def main(config: Config, couriers: int = 1000, each: int = 2) -> int:
    kb = load(config.faq_dir)
    qs = questions(kb)
    for times in (1, 10):
        big = copied(kb, times)
        m = bench_matching(Matcher(big, config.threshold), qs)
        print(
            f"FAQ match over {len(big.entries)} entries ({m['n']} queries): "
            f"p50 {m['p50_ms']:.2f} ms, p99 {m['p99_ms']:.2f} ms, max {m['max_ms']:.2f} ms "
            f"(target p99 < 5 ms)"
        )
    messages = load_messages(qs, couriers, each)
    with tempfile.TemporaryDirectory() as tmp:
        cfg = dataclasses.replace(
            config, token=TOKEN, database=Path(tmp) / "bench.db", rate_limiter=False
        )
        storage = Storage(cfg.database)
        assistant = Assistant(cfg, storage, kb)

        def ours(base_url: str) -> Application:
            return app_mod.build(dataclasses.replace(cfg, base_url=base_url), assistant)

        runs: dict[str, list[dict]] = {"echo": [], "ours": []}
        for _ in range(ROUNDS):  # interleaved, so a busy moment hurts both alike
            runs["echo"].append(drive(echo_app, messages))
            runs["ours"].append(drive(ours, messages))
        echo, bot = _median(runs["echo"]), _median(runs["ours"])
    print(
        f"load: {couriers} couriers at once, {each} messages each, over real HTTP "
        f"(fake Bot API in its own process); median of {ROUNDS} interleaved runs"
    )
    for name, r in (("bare PTB echo bot", echo), ("courier bot", bot)):
        print(
            f"{name:18s}: {r['per_s']:.0f} updates/s, reply latency p50 {r['p50_ms']:.0f} ms, "
            f"p95 {r['p95_ms']:.0f} ms, lost replies {r['lost']}, RSS after {r['rss_mb']:.0f} MB"
        )
    print(
        f"ratio: {bot['per_s'] / echo['per_s']:.0%} of the echo bot's updates/s (target >= 70%); "
        f"p95 latency {bot['p95_ms'] / echo['p95_ms']:.2f}x the echo bot's (target <= 1.5x); "
        f"peak RSS {_memory_mb('VmHWM'):.0f} MB"
    )
    return 0


# --- `courier-bot bench --outlets N`: the outlet registry at national scale ------------------------
# A generated list (fixed seed): brands, place names from a pool of common place-name characters,
# outlet kinds, provinces and cities; every outlet has a number. Lookups are timed through
# Registry.lookup, the same call the chat and the CLI make.

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
# The generated list's provinces: mainland ones but 西藏, as the figures have always used.
_PROVINCES = [p for p in regions.PROVINCES if p not in ("西藏", "香港", "澳门", "台湾")]


def generate_outlets(n: int, path: Path, seed: int = 7, keep: int = 2000) -> list[dict]:
    """Write n fictional outlets to `path` (UTF-8 CSV with Chinese headers); return about
    `keep` of them, spread over the file, to query for."""
    import csv
    import random

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
    rows = []
    every = max(1, n // keep)
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(
            [
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
        )
        for i in range(n):
            brand = rnd.choices(_BRAND_POOL, _BRAND_WEIGHTS)[0]
            province = rnd.choice(_PROVINCES)
            city = rnd.choice(cities[province])
            place = rnd.choice(places) + rnd.choice(_STREETS)
            name = f"{brand}{rnd.choice(_BRAND_WORDS)}{place}{rnd.choice(_KINDS)}"
            filed = rnd.random() < 0.4
            number = f"{'MD' if filed else 'YZ'}{_PROVINCES.index(province):02d}{i:07d}"
            insured = rnd.random() < 0.75
            row = {
                "name": name,
                "brand": brand,
                "place": place,
                "number": number,
                "city": city,
                "province": province,
            }
            out.writerow(
                [
                    name,
                    brand,
                    number,
                    "备案" if filed else "许可",
                    province,
                    city + "市",
                    rnd.choice(places) + "区",
                    f"{place}{rnd.randint(1, 999)}号",
                    "是" if insured else "否",
                    f"{rnd.randint(2022, 2026)}-{rnd.randint(1, 9):02d}" if insured else "",
                    rnd.randint(1, 60) if insured else "",
                ]
            )
            if i % every == 0:
                rows.append(row)
    return rows


def messy_queries(rows: list[dict], count: int, seed: int = 11) -> list[tuple[str, dict]]:
    """Queries as couriers type them, each with the outlet it means: brand + place without the
    generic words, a homophone typo, the brand left out or put last, traditional script."""
    import random

    import zhconv

    from bot.text import syllables

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


def outlets_main(config: Config, n: int = 500_000, queries: int = 300) -> int:
    import resource
    import tracemalloc

    from bot.outlets.registry import Registry
    from bot.outlets.search import AMBIGUOUS

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
        for row in __import__("random").Random(3).sample(rows, min(1000, len(rows))):
            t = time.perf_counter()
            found = registry.lookup(row["number"])
            exact.append((time.perf_counter() - t) * 1000)
            assert found.best and found.best.outlet["number"] == row["number"]
        print(
            f"exact number lookup (1000): p50 {percentile(exact, 50):.3f} ms, "
            f"p99 {percentile(exact, 99):.3f} ms (target < 1 ms)"
        )
        fuzzy, top1, top5, ambiguous = [], 0, 0, 0
        for q, row in messy_queries(rows, min(queries, len(rows))):
            t = time.perf_counter()
            found = registry.lookup(q)
            fuzzy.append((time.perf_counter() - t) * 1000)
            names = [c.outlet["number"] for c in found.candidates]
            top1 += bool(names) and names[0] == row["number"]
            top5 += row["number"] in names
            ambiguous += found.status == AMBIGUOUS
        tracemalloc.start()  # a separate pass: tracing slows every allocation down
        for q, _ in messy_queries(rows, 50, seed=5):
            registry.lookup(q)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"fuzzy name lookup ({queries} messy queries): p50 {percentile(fuzzy, 50):.1f} ms, "
            f"p95 {percentile(fuzzy, 95):.1f} ms, max {max(fuzzy):.1f} ms (target p95 < 50 ms)"
        )
        print(
            f"  the meant outlet first: {top1 / queries:.0%}, among the candidates shown: "
            f"{top5 / queries:.0%}, answered 'ambiguous' (courier picks): {ambiguous / queries:.0%}"
            " (generated names repeat a lot: same brand + place in many cities)"
        )
        print(
            f"memory: Python heap peak during lookups {peak / 1e6:.1f} MB; process peak RSS "
            f"{rss_mb():.0f} MB; database {_db_size(storage) / 1e6:.0f} MB on disk"
        )
        storage.close()
    return 0


def _db_size(storage: Storage) -> int:
    path = Path(storage.db.conn.execute("pragma database_list").fetchone()[2])
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
