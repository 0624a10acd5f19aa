"""Crash safety, proven on a real process: `courier-bot run` and `courier-bot outlets import` are
started as subprocesses and killed with SIGKILL at random (but reproducible) points — right after a
reply arrived, or right after an update was pushed and before its reply — then restarted on the same
SQLite file and the same fake Bot API server, which, like Telegram, delivers again every update the
bot had not confirmed (the next getUpdates offset) when it died.

The kill points come from random.Random(SEED); set CRASH_SEED to try others.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bench.fakeapi import TOKEN, FakeBotAPI
from bot import dates
from bot.guides.reminders import Reminders
from bot.outlets.lookups import mask
from bot.outlets.registry import Registry
from bot.storage.database import Storage, user_key

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX"),
]

ROOT = Path(__file__).resolve().parent.parent
SEED = int(os.environ.get("CRASH_SEED", "20261123"))
SALT = "crash-salt"
STARTUP = 30.0  # seconds a bot may take to start (imports, FAQ, first-run sample list)
REPLY = 15.0  # seconds to wait for one reply
ERROR_TEXT = "出了点问题"  # templates/error.j2: an update failed
STALE = "按钮已经失效"  # templates/stale_button.j2
COURIER = 42


def toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def query(db: Path, sql: str, args: tuple = ()) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql, args).fetchall()


def unconfirmed(api: FakeBotAPI) -> set[int]:
    """Updates the bot never confirmed: Telegram (and the fake) hand them out again."""
    return {u["update_id"] for u in api._updates}


async def settle() -> None:
    """Let the fake server read whatever the dead process had already sent it (a getUpdates
    confirming updates may still be in its socket buffer)."""
    for _ in range(5):
        await asyncio.sleep(0.01)


async def until(condition, timeout: float, what: str, log=None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out waiting for {what} (seed {SEED})"
                + (f"\n--- bot log ---\n{log()}" if log else "")
            )
        await asyncio.sleep(0.02)


class BotProcess:
    """`python -m bot.cli run` in a subprocess, polling the fake server."""

    def __init__(self, api: FakeBotAPI, config: Path, log: Path):
        self.api, self.config, self.log = api, config, log
        self.proc: asyncio.subprocess.Process | None = None

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    async def start(self) -> BotProcess:
        ready = self.api.counts["setMyCommands"] + 1
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("TELEGRAM_BOT_TOKEN", "COURIER_BOT_CONFIG")
        }
        with self.log.open("ab") as out:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.cli",
                "run",
                "--config",
                str(self.config),
                cwd=ROOT,
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out,
                stderr=out,
            )

        def up() -> bool:
            if self.proc.returncode is not None:
                raise AssertionError(
                    f"the bot exited with {self.proc.returncode}\n{self.log_tail()}"
                )
            return self.api.counts["setMyCommands"] >= ready

        await until(up, STARTUP, "the bot to start", self.log_tail)
        return self

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs, nothing is flushed."""
        if self.proc is None:
            return
        if self.proc.returncode is None:
            self.proc.kill()
        await asyncio.wait_for(self.proc.wait(), 10)
        assert self.proc.returncode == -signal.SIGKILL, (self.proc.returncode, self.log_tail())
        await settle()

    async def replies(self, count: int, chat_id: int, method: str = "sendMessage"):
        try:
            return await self.api.wait_for(method, count, chat_id=chat_id, timeout=REPLY)
        except TimeoutError as exc:
            raise AssertionError(
                f"{exc} (seed {SEED})\n--- bot log ---\n{self.log_tail()}"
            ) from None


class Crashes:
    """A config on the fake server and a database in tmp_path; every bot started is killed."""

    def __init__(self, api: FakeBotAPI, tmp_path: Path):
        self.api, self.db = api, tmp_path / "bot.db"
        self.config = tmp_path / "config.toml"
        self.config.write_text(
            f"[telegram]\ntoken = {toml(TOKEN)}\nbase_url = {toml(api.base_url)}\n"
            "rate_limiter = true\nrequest_timeout = 3\n"
            f"[storage]\ndatabase = {toml(str(self.db))}\n"
            f"[privacy]\nuser_salt = {toml(SALT)}\n"
            f"[output]\ndir = {toml(str(tmp_path / 'out'))}\n"
            "[outlets]\nload_sample = true\n",  # off by default with a token
            encoding="utf-8",
        )
        self.log = tmp_path / "bot.log"
        self.bots: list[BotProcess] = []

    async def start(self) -> BotProcess:
        bot = BotProcess(self.api, self.config, self.log)
        self.bots.append(bot)
        return await bot.start()

    async def restart(self, bot: BotProcess) -> BotProcess:
        await bot.kill()
        return await self.start()

    async def cleanup(self) -> None:
        for bot in self.bots:
            if bot.proc is not None and bot.proc.returncode is None:
                bot.proc.kill()
            if bot.proc is not None:
                with contextlib.suppress(asyncio.TimeoutError, ProcessLookupError):
                    await asyncio.wait_for(bot.proc.wait(), 10)


@pytest.fixture
async def crashes(api, tmp_path):
    harness = Crashes(api, tmp_path)
    try:
        yield harness
    finally:
        await harness.cleanup()


def act(api: FakeBotAPI, action: str, courier: int = COURIER) -> int:
    if action.startswith(("g:", "menu:", "rem:")):
        return api.callback(action, chat_id=courier, user_id=courier)
    return api.message(action, chat_id=courier, user_id=courier)


def texts(api: FakeBotAPI, courier: int) -> list[str]:
    return [c.params["text"] for c in api.sent("sendMessage", courier)]


# --- 1. a guide ------------------------------------------------------------------------------
ACCIDENT = (dates.today() - timedelta(days=3)).isoformat()
GUIDE = [  # what the courier does, and what the bot's answer must ask (or say) next
    ("/injury", "先说说发生了什么"),
    ("g:what:errand", "事故是哪天发生的"),
    (ACCIDENT, "再确认一项法律规定的例外"),
    ("g:exclusion:no", "已经申请工伤认定了吗"),
    ("g:employer_applied:no", "网点交了工伤保险吗"),
    ("g:insured:unknown", "网点是哪一种"),
    ("g:outlet_kind:licensed", "在哪个地区干活"),
    ("g:region:济宁", "可以申请认定工伤"),  # the result, its checklist file, the reminder offer
    ("rem:add", "已经设好"),
]
RESULT = 7
AFTER, BEFORE = "after the reply", "before the reply"


def guide_kills(rng: random.Random) -> dict[int, str]:
    """Three kills: early, middle and late in the guide; both kinds of kill point every run.
    The result step is only killed after its reply (the conversation has ended by then)."""
    steps = [rng.randint(0, 2), rng.randint(3, 5), rng.randint(5, RESULT)]
    steps[2] = max(steps[2], steps[1] + 1)
    modes = [rng.choice([AFTER, BEFORE]) for _ in steps]
    if len(set(modes)) == 1:
        modes[rng.randrange(2)] = AFTER if modes[0] == BEFORE else BEFORE
    if steps[2] == RESULT:
        modes[2] = AFTER
        if modes[0] == modes[1] == AFTER:
            modes[rng.randrange(2)] = BEFORE
    return dict(zip(steps, modes, strict=False))


async def test_guide_continues_after_sigkill_mid_way(crashes):
    api, rng = crashes.api, random.Random(SEED)
    kills = guide_kills(rng)
    bot = await crashes.start()
    seen = 0  # the courier's messages from the bot so far
    for step, (action, expected) in enumerate(GUIDE):
        want = 2 if step == RESULT else 1  # the result and the reminder offer
        update_id = act(api, action)
        duplicates = 0
        if kills.get(step) == AFTER:
            await bot.replies(seen + want, COURIER)
        if step in kills:  # AFTER: the moment the answer arrived;
            await bot.kill()  # BEFORE: just pushed, no answer seen yet
            answered = len(texts(api, COURIER)) >= seen + want
            again = update_id in unconfirmed(api)
            bot = await crashes.start()
            if again and answered:
                duplicates = 1  # answered, but delivered again: answered twice
            elif not again and not answered:
                # The dead bot had taken the update but never answered: the courier, seeing
                # nothing, does it again. Whether or not the first try was applied, the answer
                # must ask this step's next question (maybe after "that was an old button").
                act(api, action)
        replies = await bot.replies(seen + want + duplicates, COURIER)
        answer = replies[seen].params["text"]
        assert expected in answer, (step, action, kills, answer)
        for duplicate in replies[seen + want :]:  # a re-delivered update asks the same again
            text = duplicate.params["text"]
            assert expected in text or (step == RESULT and STALE in text), (step, kills, text)
        seen = len(replies)
    assert not any(ERROR_TEXT in t for t in texts(api, COURIER))
    assert any(
        "rem:add" in (c.params.get("reply_markup") or "") for c in api.sent("sendMessage", COURIER)
    )
    assert len(api.sent("sendDocument", COURIER)) >= 1
    await bot.kill()
    key = user_key(SALT, "telegram", COURIER)
    assert query(
        crashes.db,
        "select count(*) from reminders where user_key = ? and status = 'pending'",
        (key,),
    ) == [(4,)]
    assert query(crashes.db, "select * from ptb_conversations") == []  # the guide is over
    data = query(crashes.db, "select data from ptb_user_data where user_key = ?", (key,))
    assert not data or "guide" not in json.loads(data[0][0])


async def test_kill_right_after_the_first_question_keeps_the_guide(crashes):
    """The narrowest window: killed the moment the guide's first question arrived (PTB writes
    conversation state only after the handler has returned): its first button must still work."""
    api = crashes.api
    bot = await crashes.start()
    update_id = act(api, "/injury")
    await bot.replies(1, COURIER)
    await bot.kill()
    again = update_id in unconfirmed(api)  # then /injury is answered again: the same question
    bot = await crashes.start()
    act(api, "g:what:at_work")
    replies = await bot.replies(2 + again, COURIER)
    assert all("先说说发生了什么" in r.params["text"] for r in replies[: 1 + again])
    after = replies[1 + again].params["text"]
    assert "事故是哪天发生的" in after and "之前一步" not in after, after
    await bot.kill()


# --- 2. outlet lookups ----------------------------------------------------------------------
LOOKUPS = [  # (courier, query): each from its own courier, so a reply tells which was answered
    (301, "中通 城西"),
    (302, "中通城东网点"),
    (303, "DEMO-SD-0001"),
    (304, "圆通 民族大道"),
    (305, "韵达城西"),
    (306, "顺丰北京路"),
    (307, "极兔五一路"),
]


def recorded(db: Path, courier: int, text: str) -> int:
    return query(
        db,
        "select count(*) from lookups where user_key = ? and query = ?",
        (user_key(SALT, "telegram", courier), mask(text)),
    )[0][0]


def check_lookups(db: Path, api: FakeBotAPI, lookups) -> int:
    """Every lookup whose reply was sent is in the lookups table; returns how many were answered."""
    answered = 0
    for courier, text in lookups:
        if api.sent("sendMessage", courier):
            answered += 1
            assert recorded(db, courier, text) >= 1, (courier, text, SEED)
    return answered


async def test_every_answered_lookup_survives_sigkill(crashes):
    api, db, rng = crashes.api, crashes.db, random.Random(SEED + 2)
    bot = await crashes.start()  # first run: the sample outlet list is loaded
    pushed: dict[int, int] = {}  # courier -> update id
    done: list[tuple[int, str]] = []
    for first, batch in ((1, LOOKUPS[:3]), (0, LOOKUPS[3:6])):
        for courier, text in batch:
            pushed[courier] = act(api, f"/outlet {text}", courier)
        done += batch
        # Kill right after the k-th reply of this batch (k = 0: right after pushing them all).
        k = rng.randint(first, len(batch))
        if k:
            await until(
                lambda: sum(bool(api.sent("sendMessage", c)) for c, _ in batch) >= k,
                REPLY,
                f"{k} lookup replies",
                bot.log_tail,
            )
        await bot.kill()
        check_lookups(db, api, done)
        again = unconfirmed(api)
        bot = await crashes.start()
        # Updates the dead bot had not confirmed come again and are answered now.
        redelivered = [c for c, _ in done if pushed[c] in again]
        await until(
            lambda: all(api.sent("sendMessage", c) for c in redelivered),
            REPLY,
            "answers to the re-delivered lookups",
            bot.log_tail,
        )
    # A lookup on the restarted bot, killed the moment its answer arrives.
    courier, text = LOOKUPS[6]
    act(api, f"/outlet {text}", courier)
    await bot.replies(1, courier)
    await bot.kill()
    done.append(LOOKUPS[6])
    assert check_lookups(db, api, done) >= 2 and api.sent("sendMessage", 301)
    assert "中通快递城西网点" in api.sent("sendMessage", 301)[0].params["text"]
    assert query(
        db, "select result from lookups where user_key = ?", (user_key(SALT, "telegram", 301),)
    )[0] == ("insured",)
    for courier, _ in done:
        assert not any(ERROR_TEXT in t for t in texts(api, courier))
    assert query(db, "pragma integrity_check") == [("ok",)]


# --- 3. an outlet import --------------------------------------------------------------------
IMPORT_ROWS = 40_000
HEADER = (
    "网点名称,品牌,所属企业,许可证号或备案号,类型,省份,城市,区县,地址,是否参保,参保时间,参保人数"
)
BRANDS = ("中通", "圆通", "韵达", "申通", "极兔")
PLACES = "东西南北中新老上前后金银光明华兴安宁和平"


def big_list(path: Path, rows: int) -> Path:
    """A fictional list large enough that importing it takes about a second."""
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER + "\n")
        for i in range(rows):
            brand = BRANDS[i % len(BRANDS)]
            place = PLACES[i % len(PLACES)] + PLACES[i // len(PLACES) % len(PLACES)]
            insured = i % 3 != 0
            out.write(
                f"{brand}快递{place}{i}号网点,{brand},,CRASH-{i:06d},许可,山东,济宁市,任城区,"
                f"虚构路{i}号,{'是' if insured else '否'},{'2022-05' if insured else ''},"
                f"{i % 20 + 1 if insured else ''}\n"
            )
    return path


def snapshot(db: Path) -> dict:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        conn.execute("insert into outlets_fts (outlets_fts) values ('integrity-check')")
        return {
            "outlets": one("select count(*) from outlets"),
            "batches": conn.execute(
                "select source, as_of, sample, rows, inserted from import_batches order by id"
            ).fetchall(),
            "history": one("select count(*) from outlet_history"),
            "indexed": one("select count(*) from outlets_fts"),
            "terms": one("select coalesce(sum(df), 0) from outlet_terms"),
            "max_id": one("select coalesce(max(id), 0) from outlets"),
            "integrity": one("pragma integrity_check"),
        }


def write_locked(db: Path) -> bool:
    """True while another process holds the write lock (the import's transaction is open)."""
    with contextlib.closing(sqlite3.connect(db, timeout=0, isolation_level=None)) as conn:
        try:
            conn.execute("begin immediate")
        except sqlite3.OperationalError:
            return True
        conn.execute("rollback")
        return False


async def run_import(config: Path, csv: Path, out: Path) -> asyncio.subprocess.Process:
    with out.open("ab") as log:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "outlets",
            "import",
            str(csv),
            "--source",
            "X",
            "--as-of",
            "2026-10",
            "--config",
            str(config),
            cwd=ROOT,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )


async def test_import_killed_mid_way_is_all_or_nothing(tmp_path):
    rng = random.Random(SEED + 3)
    db, out = tmp_path / "bot.db", tmp_path / "import.log"
    config = tmp_path / "config.toml"
    config.write_text(
        f"[storage]\ndatabase = {toml(str(db))}\n[privacy]\nuser_salt = {toml(SALT)}\n",
        encoding="utf-8",
    )
    storage = Storage(db)
    Registry(storage).ensure_sample()  # as the bot's first run leaves it
    storage.close()
    before = snapshot(db)
    assert before["outlets"] > 0 and before["integrity"] == "ok"
    csv = big_list(tmp_path / "BIG.csv", IMPORT_ROWS)
    full = {
        "outlets": IMPORT_ROWS,
        "batches": [("X", "2026-10", 0, IMPORT_ROWS, IMPORT_ROWS)],
        "history": IMPORT_ROWS,
        "indexed": IMPORT_ROWS,
        "integrity": "ok",
    }

    def is_full(state: dict) -> bool:
        return {k: state[k] for k in full} == full

    mid_transaction = 0
    procs = []
    try:
        for attempt in range(3):
            proc = await run_import(config, csv, out)
            procs.append(proc)
            # Wait until it holds the write lock (its one transaction is open), then a while more.
            await until(
                lambda: proc.returncode is not None or write_locked(db),
                30,
                "the import to start writing",
                lambda: out.read_text("utf-8", "replace"),
            )
            await asyncio.sleep(rng.uniform(0.05, 0.7))
            inside = proc.returncode is None and write_locked(db)
            if proc.returncode is None:
                proc.kill()
            await asyncio.wait_for(proc.wait(), 10)
            state = snapshot(db)
            assert state == before or is_full(state), (attempt, state, SEED)
            if proc.returncode == -signal.SIGKILL and inside and state == before:
                mid_transaction += 1
            if is_full(state):
                break
        assert mid_transaction >= 1, "no kill landed inside the import's transaction"
        # Now let it finish, as an operator would run it again.
        proc = await run_import(config, csv, out)
        procs.append(proc)
        assert await asyncio.wait_for(proc.wait(), 60) == 0, out.read_text("utf-8", "replace")
    finally:
        for p in procs:
            if p.returncode is None:
                p.kill()
                await asyncio.wait_for(p.wait(), 10)
    state = snapshot(db)
    assert is_full(state), state
    assert state["terms"] > 0 and state["max_id"] > before["max_id"]
    log = out.read_text("utf-8", "replace")
    assert f"{IMPORT_ROWS} new" in log or "Already imported" in log
    registry = Registry(Storage(db))
    try:
        found = registry.lookup("CRASH-012345")
        assert found.status in ("insured", "not_insured") and found.best.outlet["name"].endswith(
            "12345号网点"
        )
    finally:
        registry.storage.close()


# --- 4. reminders ---------------------------------------------------------------------------
async def test_reminders_fire_once_across_sigkills(crashes):
    api, db, rng = crashes.api, crashes.db, random.Random(SEED + 4)
    chat = 77
    storage = Storage(db)
    reminders = Reminders(storage, SALT)
    last = dates.today() + timedelta(days=8)
    # Planned a week ago, so both reminders (7 days and 1 day before) are still pending.
    reminders.plan(
        [dates.Deadline("self_apply", last, dates.today())],
        chat_id=chat,
        user_key=user_key(SALT, "telegram", chat),
        moment=datetime.now(UTC) - timedelta(days=7),
    )
    week, day = sorted(reminders.pending(), key=lambda r: -r["days_before"])
    past = lambda **kw: (datetime.now(UTC) - timedelta(**kw)).isoformat()  # noqa: E731
    storage.db.execute("update reminders set due_at = ? where id = ?", [past(hours=1), week["id"]])
    storage.close()

    def status(reminder: dict) -> str:
        return query(db, "select status from reminders where id = ?", (reminder["id"],))[0][0]

    bot = await crashes.start()  # due: sent at start-up
    [sent] = await bot.replies(1, chat)
    await bot.kill()  # the moment it arrived
    assert "提醒" in sent.params["text"] and f"{last.month}月{last.day}日" in sent.params["text"]
    assert (status(week), status(day)) == ("sent", "pending")

    # The other one falls due while the bot is down.
    with contextlib.closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("update reminders set due_at = ? where id = ?", [past(minutes=1), day["id"]])
    bot = await crashes.start()
    await bot.replies(2, chat)
    if rng.random() < 0.5:
        await asyncio.sleep(rng.uniform(0, 0.3))
    await bot.kill()
    assert (status(week), status(day)) == ("sent", "sent")

    bot = await crashes.start()  # nothing is pending: nothing may be sent again
    act(api, "/reminders", chat)
    replies = await bot.replies(3, chat)
    assert "没有待发送的提醒" in replies[2].params["text"]
    await asyncio.sleep(0.3)
    await bot.kill()
    reminder_texts = [t for t in texts(api, chat) if t.startswith("⏰")]
    assert len(reminder_texts) == 2 and len(texts(api, chat)) == 3, texts(api, chat)
