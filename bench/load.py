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
from collections.abc import Callable
from pathlib import Path

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bench.evaluation import DATA, DEFAULT_CASES, load_cases
from bench.evaluation import load as load_items
from bench.fakeapi import TOKEN, serve_burst
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


def drive(make_app, messages: list[tuple[int, str]], latency: float = 0.0) -> dict:
    """Run the bot against a fake Bot API server in another process until it answered every
    (courier id, text) message; add the bot process's memory. `latency`: seconds the server
    takes to answer each call, as a real round trip to Telegram does."""
    ctx = multiprocessing.get_context("spawn")
    ours, theirs = ctx.Pipe()
    server = ctx.Process(
        target=serve_burst, args=(theirs, messages), kwargs={"latency": latency}, daemon=True
    )
    server.start()
    try:
        result = asyncio.run(_serve_until_done(make_app, ours))
    finally:
        server.join(timeout=10)
    result["rss_mb"] = _memory_mb("VmRSS")
    return result


def our_app(cfg: Config, assistant: Assistant) -> Callable[[str], Application]:
    """drive()'s make_app for this bot: `cfg`'s Application, at the fake server's base_url."""

    def make(base_url: str) -> Application:
        return app_mod.build(dataclasses.replace(cfg, base_url=base_url), assistant)

    return make


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
        ours = our_app(cfg, Assistant(cfg, Storage(cfg.database), kb))
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
    _limited(config, kb, qs)
    return 0


LIMITED_COURIERS = 300  # 600 replies: 20 s at Telegram's ~30 messages/s
ROUND_TRIP = 0.1  # seconds per Bot API call, about what a server far from Telegram's sees


def _limited(config: Config, kb, qs: list[str]) -> None:
    """The default deployment: PTB's AIORateLimiter holds sends to Telegram's cap. Sustained
    replies/s should sit just under the cap, and every courier is served in turn (max wait) —
    also when each call takes a real round trip, which one update at a time cannot keep up with."""
    messages = load_messages(qs, LIMITED_COURIERS, 2)
    for latency, concurrent in (
        (0.0, config.concurrent_updates),
        (ROUND_TRIP, 1),
        (ROUND_TRIP, config.concurrent_updates),
    ):
        with tempfile.TemporaryDirectory() as tmp:
            cfg = dataclasses.replace(
                config,
                token=TOKEN,
                database=Path(tmp) / "bench.db",
                rate_limiter=True,
                concurrent_updates=concurrent,
            )
            r = drive(our_app(cfg, Assistant(cfg, Storage(cfg.database), kb)), messages, latency)
        print(
            f"rate limiter on ({cfg.sends_per_second:g}/s), {latency * 1000:.0f} ms per call, "
            f"{concurrent} update(s) at once: {LIMITED_COURIERS} couriers x 2 at once: "
            f"{r['per_s']:.1f} replies/s sustained (target >= 28), longest wait "
            f"{r['max_ms'] / 1000:.1f} s, lost {r['lost']}"
        )
