"""`courier-bot bench`: FAQ match latency, and updates/s of our bot vs a bare PTB echo bot.

Both bots are the real python-telegram-bot Application polling the same kind of fake Bot API
server over real HTTP on 127.0.0.1, in the same run, so the ratio shows what our logic costs.
"""
from __future__ import annotations

import asyncio
import dataclasses
import itertools
import statistics
import tempfile
import time
from pathlib import Path

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot import app as app_mod
from bot.assistant import Assistant
from bot.config import Config
from bot.evaluation import DEFAULT_CASES, load_cases
from bot.fakeapi import TOKEN, FakeBotAPI
from bot.faq import load
from bot.matcher import Matcher
from bot.storage import Storage


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def questions(kb) -> list[str]:
    qs = [q for e in kb.entries for q in e.questions]
    if DEFAULT_CASES.exists():
        qs += [c["q"] for c in load_cases()]
    return qs


def bench_matching(matcher: Matcher, qs: list[str], rounds: int = 3) -> dict:
    times = []
    for q in qs * rounds:
        start = time.perf_counter()
        matcher.match(q, "济宁")
        times.append((time.perf_counter() - start) * 1000)
    return {"n": len(times), "p50_ms": percentile(times, 50), "p99_ms": percentile(times, 99),
            "max_ms": max(times)}


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_chat.send_message(update.effective_message.text)


def echo_app(base_url: str) -> Application:
    app = ApplicationBuilder().token(TOKEN).base_url(base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, _echo))
    return app


async def drive(make_app, texts: list[str]) -> dict:
    """Push every text as a new courier's message; time until every reply has been sent."""
    api = await FakeBotAPI().start()
    app = make_app(api.base_url)
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        start = time.perf_counter()
        chats = {api.message(t, chat_id=10_000 + i, user_id=10_000 + i): 10_000 + i
                 for i, t in enumerate(texts)}
        await api.wait_for("sendMessage", len(texts), timeout=300)
        replies = {int(c.params["chat_id"]): c.at for c in api.sent("sendMessage")}
        latencies = [(replies[chat] - api.sent_at[uid]) * 1000 for uid, chat in chats.items()]
        elapsed = max(replies.values()) - start
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await api.stop()
    return {"updates": len(texts), "per_s": len(texts) / elapsed, "p50_ms": percentile(latencies, 50),
            "p95_ms": percentile(latencies, 95)}


def main(config: Config, updates: int = 2000) -> int:
    kb = load(config.faq_dir)
    matcher = Matcher(kb, config.threshold)
    qs = questions(kb)
    m = bench_matching(matcher, qs)
    print(f"FAQ match over {len(kb.entries)} entries ({m['n']} queries): "
          f"p50 {m['p50_ms']:.2f} ms, p99 {m['p99_ms']:.2f} ms, max {m['max_ms']:.2f} ms "
          f"(target p99 < 5 ms)")
    texts = list(itertools.islice(itertools.cycle(qs), updates))
    with tempfile.TemporaryDirectory() as tmp:
        cfg = dataclasses.replace(config, token=TOKEN, database=Path(tmp) / "bench.db",
                                  rate_limiter=False)
        storage = Storage(cfg.database)
        assistant = Assistant(cfg, storage, kb)

        def ours(base_url: str) -> Application:
            return app_mod.build(dataclasses.replace(cfg, base_url=base_url), assistant)

        echo = asyncio.run(drive(echo_app, texts))
        bot = asyncio.run(drive(ours, texts))
    for name, r in (("bare PTB echo bot", echo), ("courier bot", bot)):
        print(f"{name:18s}: {r['updates']} updates over HTTP, {r['per_s']:.0f} updates/s, "
              f"reply latency p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms")
    print(f"ratio: {bot['per_s'] / echo['per_s']:.0%} of the echo bot's updates/s (target >= 70%)")
    return 0
