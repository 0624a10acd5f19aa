"""Reloading the FAQ without a restart (issue 13, item 3): /reload for admins in Telegram and in
the console, and `courier-bot faq reload`, which sends the running bot SIGHUP. A copy of faq/ in
tmp_path is changed on disk; the bot is the real Application on the fake Bot API."""

import asyncio
import dataclasses
import io
import os
import shutil
import signal
import subprocess
import tomllib
from datetime import timedelta
from pathlib import Path

import pytest

from bot import dates
from bot.assistant import Assistant
from bot.console import Console
from bot.faq.loader import DEFAULT_DIR
from bot.guides.flow import CANCEL, RESUME
from bot.pidfile import PidFile, beside, running
from bot.render import plain
from tests.support.cli import run_cli
from tests.support.telegram import buttons, halt, launch

ADMIN, COURIER = 42, 43
QUESTION = "上班路上骑电动车被车撞了算工伤吗"
ENTRY = "national.injury.commute"  # what QUESTION is answered with
OTHER = "national.injury.errand"
NEW = "（这句是刚改的）"  # no digits: the number check has nothing to object to


@pytest.fixture
def faq_dir(tmp_path) -> Path:
    return Path(shutil.copytree(DEFAULT_DIR, tmp_path / "faq"))


@pytest.fixture
def live_config(config, faq_dir):
    return dataclasses.replace(config, faq_dir=faq_dir, admin_ids=frozenset({ADMIN}))


@pytest.fixture
def core(live_config, storage) -> Assistant:
    return Assistant(live_config, storage)


@pytest.fixture
def config_file(tmp_path, faq_dir) -> Path:
    """The same database and FAQ as live_config, for `courier-bot faq reload`."""
    path = tmp_path / "config.toml"
    path.write_text(
        '[storage]\ndatabase = "bot.db"\n[faq]\ndir = "faq"\n[privacy]\nuser_salt = "t"\n',
        encoding="utf-8",
    )
    return path


def _edit(faq_dir: Path, entry_id: str, old: str, new: str) -> None:
    """Replace `old` (once) inside one entry's block of its TOML file, as a curator would."""
    for path in sorted((faq_dir / "entries").glob("*.toml")):
        raw = path.read_text(encoding="utf-8")
        start = raw.find(f'id = "{entry_id}"')
        if start < 0:
            continue
        end = raw.find("[[entry]]", start)
        end = len(raw) if end < 0 else end
        block = raw[start:end]
        assert block.count(old) == 1, (entry_id, old)
        path.write_text(raw[:start] + block.replace(old, new) + raw[end:], encoding="utf-8")
        return
    raise AssertionError(f"no entry {entry_id}")


def _first_line(faq_dir: Path, entry_id: str = ENTRY) -> str:
    for path in sorted((faq_dir / "entries").glob("*.toml")):
        for entry in tomllib.loads(path.read_text(encoding="utf-8"))["entry"]:
            if entry["id"] == entry_id:
                return entry["answer"].strip().splitlines()[0]
    raise AssertionError(f"no entry {entry_id}")


def change_answer(faq_dir: Path) -> str:
    """A valid change to the answer QUESTION gets; returns the line it changed."""
    line = _first_line(faq_dir)
    _edit(faq_dir, ENTRY, line, NEW + line)
    return line


def break_faq(faq_dir: Path) -> None:
    """Two mistakes a curator could make: a number no cited passage has, and an unknown cite."""
    line = _first_line(faq_dir)
    _edit(faq_dir, ENTRY, line, NEW + line + "最晚9876天内处理。")
    _edit(faq_dir, OTHER, "cites = [", 'cites = ["tiaoli:9999", ')


async def say(api, n: int, action: str, user: int = ADMIN):
    """Send a text (or press a g: button) as `user` in their private chat; the n-th reply."""
    if action.startswith("g:"):
        api.callback(action, chat_id=user, user_id=user)
    else:
        api.message(action, chat_id=user, user_id=user)
    return (await api.wait_for("sendMessage", n))[-1]


async def test_an_admin_reload_serves_the_changed_answer_and_keeps_guides(api, live_config, core):
    app = await launch(api, live_config, core)
    try:
        await say(api, 1, "/injury", COURIER)  # a courier mid-guide while the FAQ changes
        await say(api, 2, "g:what:commute", COURIER)
        before = await say(api, 3, QUESTION)
        line = change_answer(live_config.faq_dir)
        assert line in plain(before.params["text"])
        stale = await say(api, 4, QUESTION)
        assert NEW not in stale.params["text"]  # nothing is read from disk by itself
        done = await say(api, 5, "/reload")
        entries = len(core.matcher.kb.entries)
        assert f"问答库已重新加载，现在共{entries}条问答" in done.params["text"]
        after = await say(api, 6, QUESTION)
        assert NEW + line in plain(after.params["text"])
        # the courier's guide goes on at the step it was at: the accident date, then the fault
        accident = (dates.today() - timedelta(days=3)).isoformat()
        step = await say(api, 7, accident, COURIER)
        assert "g:fault:minor" in buttons(step)
        # an admin in a guide: /reload works there too, and the guide waits
        await say(api, 8, "/assess")
        again = await say(api, 9, "/reload")
        assert "问答库已重新加载" in again.params["text"] and buttons(again) == [RESUME, CANCEL]
    finally:
        await halt(app)


async def test_a_broken_faq_is_reported_and_the_old_answer_still_served(api, live_config, core):
    app = await launch(api, live_config, core)
    try:
        line = _first_line(live_config.faq_dir)
        old = core.faq
        break_faq(live_config.faq_dir)
        failed = plain((await say(api, 1, "/reload")).params["text"])
        assert failed.startswith("问答库没有更新") and "原来的问答" in failed
        assert f"'{ENTRY}'" in failed and "['9876']" in failed
        assert f"'{OTHER}'" in failed and "tiaoli:9999" in failed
        assert core.faq is old
        answer = plain((await say(api, 2, QUESTION)).params["text"])
        assert line in answer and NEW not in answer and "9876" not in answer
    finally:
        await halt(app)


async def test_a_courier_cannot_reload(api, live_config, core):
    app = await launch(api, live_config, core)
    try:
        old = core.faq
        change_answer(live_config.faq_dir)
        refused = await say(api, 1, "/reload", COURIER)
        assert "只对管理员开放" in refused.params["text"]
        assert "问答库" in refused.params["text"] and "重新加载" not in refused.params["text"]
        assert core.faq is old
        answer = await say(api, 2, QUESTION, COURIER)
        assert NEW not in answer.params["text"]
    finally:
        await halt(app)


async def _until(condition, seconds: float = 20.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


async def test_faq_reload_signals_the_running_bot(api, live_config, core, config_file, caplog):
    app = await launch(api, live_config, core)
    pid_path = beside(live_config.database)
    try:
        # SIGHUP would end this test run unless the bot's handler is in place: check first
        assert signal.getsignal(signal.SIGHUP) not in (signal.SIG_DFL, signal.SIG_IGN, None)
        assert running(pid_path) == os.getpid()
        line = _first_line(live_config.faq_dir)
        old = core.faq
        break_faq(live_config.faq_dir)
        refused = await asyncio.to_thread(run_cli, "faq", "reload", config=config_file)
        assert refused.returncode == 2 and "keeps the old one" in refused.stderr
        assert ENTRY in refused.stderr and "tiaoli:9999" in refused.stderr
        # the bot checks for itself too: a signal with the broken FAQ on disk changes nothing
        os.kill(os.getpid(), signal.SIGHUP)
        await _until(lambda: "FAQ reload failed" in caplog.text)
        assert core.faq is old
        shutil.rmtree(live_config.faq_dir)
        shutil.copytree(DEFAULT_DIR, live_config.faq_dir)
        change_answer(live_config.faq_dir)
        sent = await asyncio.to_thread(run_cli, "faq", "reload", config=config_file)
        assert sent.returncode == 0, sent.stderr
        assert f"pid {os.getpid()}" in sent.stdout
        await _until(lambda: core.faq is not old)
        answer = await say(api, 1, QUESTION)
        assert NEW + line in plain(answer.params["text"])
    finally:
        await halt(app)
    assert signal.getsignal(signal.SIGHUP) == signal.SIG_DFL and not pid_path.exists()


def test_faq_reload_without_a_running_bot(tmp_path, config_file):
    out = run_cli("faq", "reload", config=config_file)
    assert out.returncode == 1 and "no bot is running" in out.stderr
    assert "courier-bot run" in out.stderr and out.stdout == ""
    # a pid file left by a crashed bot (kill -9 leaves it, unlocked): its pid is never signalled
    bystander = subprocess.Popen(["sleep", "60"])
    try:
        beside(tmp_path / "bot.db").write_text(f"{bystander.pid}\n", encoding="ascii")
        out = run_cli("faq", "reload", config=config_file)
        assert out.returncode == 1 and "left over" in out.stderr
        assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()


def test_one_bot_holds_the_pid_file(tmp_path):
    path = tmp_path / "bot.pid"
    first, second = PidFile(path), PidFile(path)
    assert first.hold() and not second.hold()
    assert running(path) == os.getpid()
    first.release()
    assert not path.exists() and second.hold()
    second.release()


def test_console_reload(core, faq_dir):
    console = Console(core, io.StringIO())
    line = change_answer(faq_dir)
    assert NEW not in console.handle(QUESTION).text
    assert "问答库已重新加载" in console.handle("/reload").text
    assert NEW + line in plain(console.handle(QUESTION).text)
    # seven broken entries: the first five are listed, with how many more there are
    entries = tomllib.loads((faq_dir / "entries" / "national.toml").read_text(encoding="utf-8"))
    for entry in entries["entry"][:7]:
        _edit(faq_dir, entry["id"], "cites = [", 'cites = ["tiaoli:9999", ')
    failed = plain(console.handle("/reload").text)
    assert failed.startswith("问答库没有更新") and failed.count("• ") == 5
    assert "还有2处" in failed
    assert NEW + line in plain(console.handle(QUESTION).text)  # still the last good FAQ
