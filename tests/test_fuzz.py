"""Bad input, property-based (hypothesis): random Unicode (emoji, RTL marks, zero-width and control
characters, 10 000-character messages), forged or stale button data, commands with junk
arguments, edited messages, groups vs. private chats, stickers/photos/voice/locations/contacts.

Every update gets one clear Chinese reply or is ignored on purpose (edited messages, service
messages such as joins, commands for another bot in a group); no exception reaches the error
handler. The core is fuzzed hard and fast; the real Application over HTTP in small batches.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import json
import logging
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.fakeapi import BOT_USER
from bot.assistant import Assistant
from bot.config import Config
from bot.console import Console
from bot.guides.engine import Engine, load_guides
from bot.guides.flow import GuideFlow
from bot.reply import BUTTON_PREFIXES, Reply
from bot.storage.database import Storage
from handlers.commands import NAMES as COMMAND_NAMES
from tests.support.telegram import idle

HAN = re.compile(r"[\u4e00-\u9fff]")

# --- strategies ----------------------------------------------------------------------------------
ODD = list(
    "\u200b\u200c\u200d\u2060\ufeff"  # zero-width
    "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"  # LTR/RTL marks, overrides
    "\x00\x01\x07\x08\t\n\r\x0b\x0c\x1b\x1c\x7f\x85\u2028\u2029\u3000 "  # control, odd spaces
    "²³⑴٣߃１２３０"  # digits int() may or may not take
    "/:@#%.,，。？！、万元人年-"  # what commands and parsers look for
    "工伤认定济宁广西吉林上海网点快递今天昨天"  # words the parsers know
    "مرحبا"  # RTL script
) + ["🙂", "👍🏽", "👨‍👩‍👧", "🇨🇳", "❤️", "🚚", "📦", "e\u0301", "\U0001d7d8"]
PIECES = st.one_of(st.characters(codec="utf-8"), st.sampled_from(ODD))  # ODD has clusters


def _text(min_size: int = 0, max_size: int = 60):
    return st.lists(PIECES, min_size=min_size, max_size=max_size).map("".join)


TEXT = _text()
LONG = st.builds(lambda s, n: (s * n)[:n], _text(1, 6), st.integers(300, 10_000))
DIGITS = st.one_of(
    st.integers(-10, 10**30).map(str),
    st.text(st.sampled_from("0123456789²٣１"), min_size=1, max_size=8),
    st.just("9" * 5000),
)
JUNK = st.one_of(TEXT, TEXT, LONG, DIGITS)
COMMANDS = [
    "/start",
    "/help",
    "/region",
    "/injury",
    "/assess",
    "/outlet",
    "/premium",
    "/stats",
    "/reminders",
    "/forgetme",
    "/back",
    "/cancel",
    "/menu",
    "/start@courier_test_bot",
    "/region@courier_test_bot",
    "/nosuchcommand",
    "/",
    "/start@other_bot",
    "/help@Some_Bot",
    "/outlet@",
]
COMMAND_LINES = st.builds(
    lambda c, sep, arg: c + sep + arg,
    st.sampled_from(COMMANDS),
    st.sampled_from([" ", "  ", "\u3000", " \u200f"]),
    st.one_of(TEXT, DIGITS),
)
PREFIXES = [
    "",
    "faq:",
    "menu:",
    "region:",
    "ol:",
    "g:",
    "g:what:",
    "g:date:",
    "rem:",
    "rem:cancel:",
    "rem:add",
    "menu:injury_guide",
    "faq:injury.",
    "ol:9999",
]


def _fits_64_bytes(data: str) -> str:
    """Telegram's callback data is at most 64 bytes: cut whole characters until it fits."""
    while len(data.encode()) > 64:
        data = data[:-1]
    return data


CALLBACK_DATA = st.builds(
    lambda p, s: _fits_64_bytes(p + s), st.sampled_from(PREFIXES), st.one_of(TEXT, DIGITS)
)
CORE = settings(max_examples=300, deadline=None, database=None)


def check(reply) -> None:
    """A reply a courier can read: non-empty, Chinese, buttons Telegram accepts."""
    assert isinstance(reply, Reply), reply
    assert reply.text.strip() and HAN.search(reply.text), reply.text
    for label, data in reply.buttons:
        assert label and 1 <= len(data.encode()) <= 64, (label, data)


# --- the core ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def core(tmp_path_factory, kb) -> Assistant:
    """One assistant for many examples; no per-minute limit, so every text reaches the matcher."""
    tmp = tmp_path_factory.mktemp("fuzz")
    config = Config(
        token="1:x",
        database=tmp / "bot.db",
        rate_limiter=False,
        user_salt="s",
        output_dir=tmp / "out",
        questions_per_minute=0,
    )
    storage = Storage(config.database)
    yield Assistant(config, storage, kb)
    storage.close()


@pytest.fixture(scope="module")
def flow(core) -> GuideFlow:
    return GuideFlow(Engine(load_guides(core.config.faq_dir)))


@CORE
@given(text=JUNK, user=st.sampled_from([None, "fuzz-user"]))
def test_any_text_gets_a_chinese_answer(core, text, user):
    check(core.ask(text, user))


@pytest.fixture(scope="module")
def limited(core, kb) -> Assistant:
    return Assistant(dataclasses.replace(core.config, questions_per_minute=3), core.storage, kb)


@CORE
@given(text=JUNK)
def test_any_text_gets_a_chinese_answer_under_the_rate_limit(limited, text):
    check(limited.ask(text, "one-courier"))  # past 3 a minute: "slow down", in Chinese


@CORE
@given(data=CALLBACK_DATA, user=st.sampled_from([None, "fuzz-user"]))
def test_forged_button_data_gets_a_chinese_reply(core, data, user):
    check(core.callback(data, user))


@CORE
@given(text=JUNK, region=st.one_of(TEXT, st.sampled_from(["济宁", "全国", "江苏", "长治市"])))
def test_outlet_lookup_region_and_premium_take_junk(core, text, region):
    check(core.set_region("fuzz-user", text))
    check(core.outlets.lookup(text, "fuzz-user", "chat"))
    check(core.outlets.lookup(text, None, "chat", region=region))
    check(core.outlets.premium(text, "fuzz-user"))


@settings(CORE, max_examples=100)
@given(
    lines=st.lists(
        st.one_of(
            JUNK,
            COMMAND_LINES,
            st.sampled_from(COMMANDS),
            DIGITS,
            st.sampled_from(["1", "2", "3", "g:back", "g:cancel"]),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_console_takes_any_sequence_of_lines(core, lines):
    console = Console(core, io.StringIO())
    for line in lines:
        reply = console.handle(line)
        check(reply)
        console.show(reply)  # remembers the buttons, so digits press them next


def _paths(engine: Engine) -> dict[tuple[str, str], list[str]]:
    """For every step of every guide, valid answers that lead there from the start."""
    valid = {"date": "昨天", "region": "济宁"}
    found: dict[tuple[str, str], list[str]] = {}
    for gid, guide in engine.guides.items():
        todo = [(guide.start, [])]
        while todo:
            step_id, path = todo.pop(0)
            if (gid, step_id) in found:
                continue
            found[(gid, step_id)] = path
            step = guide.steps[step_id]
            if step.kind == "choice":
                todo += [(c.next, [*path, c.value]) for c in step.choices if c.next]
            elif step.next:
                todo.append((step.next, [*path, valid[step.kind]]))
    return found


PATHS = _paths(Engine(load_guides()))
STEP_IDS = {step for _, step in PATHS}


def test_every_step_of_both_guides_is_fuzzed():
    guides = load_guides()
    assert {g for g, _ in PATHS} == {"injury", "assess"}
    assert set(PATHS) == {(g, s) for g, guide in guides.items() for s in guide.steps}


@settings(CORE, max_examples=250)
@given(
    where=st.sampled_from(sorted(PATHS)), text=JUNK, step_id=st.one_of(st.none(), st.none(), TEXT)
)
def test_guide_takes_junk_at_every_step(flow, where, text, step_id):
    guide_id, step = where
    reply, session = flow.start(guide_id)
    for value in PATHS[where]:
        reply, session = flow.answer(session, value)
        check(reply)
    assert session["step"] == step
    reply, after = flow.answer(session, text, step_id=step_id)
    check(reply)
    if after is not None:
        check(flow.resume(after))
        check(flow.back(after))
    check(flow.cancel(after))


@CORE
@given(
    session=st.one_of(
        st.none(),
        st.just({}),
        st.fixed_dictionaries(
            {
                "guide": st.one_of(TEXT, st.sampled_from(["injury", "assess"])),
                "step": TEXT.filter(lambda s: s not in STEP_IDS),
                "answers": st.just({}),
                "history": st.just([]),
            }
        ),
    ),
    text=JUNK,
)
def test_stale_or_unknown_guide_sessions_get_a_chinese_reply(flow, session, text):
    """Sessions persisted by an older version (steps renamed or removed) must not crash."""
    reply, after = flow.answer(session, text)
    check(reply)
    assert after is None
    check(flow.cancel(session))
    assert flow.resume(session) is None
    assert flow.back(session) is None


# --- Telegram: the real Application over HTTP ----------------------------------------------------
TELEGRAM = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
_chats = itertools.count(10_000)
KIND = re.compile(
    r"^(text|edited|other|sticker|photo|voice|video|document|location|contact|audio"
    r"|animation|my_chat_member|command:/(" + "|".join(sorted(COMMAND_NAMES)) + r"|other)"
    r"|button:(" + "|".join(sorted(BUTTON_PREFIXES)) + r"|other))$"
)
MEDIA = {
    "sticker": {
        "file_id": "st",
        "file_unique_id": "stu",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    },
    "photo": [{"file_id": "ph", "file_unique_id": "phu", "width": 90, "height": 90}],
    "voice": {"file_id": "vo", "file_unique_id": "vou", "duration": 3},
    "video": {"file_id": "vd", "file_unique_id": "vdu", "width": 1, "height": 1, "duration": 1},
    "video_note": {"file_id": "vn", "file_unique_id": "vnu", "length": 1, "duration": 1},
    "audio": {"file_id": "au", "file_unique_id": "auu", "duration": 1},
    "document": {"file_id": "dc", "file_unique_id": "dcu", "file_name": "诊断证明.pdf"},
    "animation": {"file_id": "an", "file_unique_id": "anu", "width": 1, "height": 1, "duration": 1},
    "location": {"latitude": 35.41, "longitude": 116.59},
    "venue": {
        "location": {"latitude": 35.41, "longitude": 116.59},
        "title": "网点",
        "address": "济宁",
    },
    "contact": {"phone_number": "+8613800000000", "first_name": "张"},
    "dice": {"emoji": "🎲", "value": 3},
}
SERVICE = {  # what Telegram sends into a group on its own: no courier asked anything
    "new_chat_members": [{"id": 5, "is_bot": False, "first_name": "新人"}],
    "left_chat_member": {"id": 5, "is_bot": False, "first_name": "新人"},
    "new_chat_title": "济宁快递员群",
    "group_chat_created": True,
    "pinned_message": {"message_id": 1, "date": 0, "chat": {"id": -1, "type": "group"}},
}
CHAT_TYPES = st.sampled_from(["private", "group", "supergroup"])


def _chat(chat_type: str) -> tuple[int, int]:
    """A fresh (chat id, user id); groups have negative ids, as on Telegram."""
    n = next(_chats)
    return (n if chat_type == "private" else -n), n


def _answered(text: str | None, chat_type: str) -> int:
    """Replies one message gets: one in a private chat; in a group only a command for this bot
    or a message mentioning it (M8: chatter, stickers included, gets none)."""
    if text is not None and _for_another_bot(text):
        return 0
    if chat_type == "private":
        return 1
    addressed = text is not None and (
        text.startswith("/") or f"@{BOT_USER['username']}" in text.lower()
    )
    return 1 if addressed else 0


def _for_another_bot(text: str) -> bool:
    """/cmd@other_bot in a group is another bot's business: ignored on purpose."""
    first = text.split()[0] if text.startswith("/") and text.split() else ""
    _, at, name = first.partition("@")
    return bool(at) and name.lower() != BOT_USER["username"]


def _edited(text: str, chat_id: int, user_id: int, chat_type: str = "private") -> dict:
    msg = {
        "message_id": 1,
        "date": 0,
        "edit_date": 1,
        "text": text,
        "chat": {"id": chat_id, "type": chat_type},
        "from": {"id": user_id, "is_bot": False, "first_name": "快递员"},
    }
    if text.startswith("/"):
        msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return msg


async def _settle(api) -> None:
    """Once a last message is answered, every update before it has been fetched and started
    (in order); idle() then waits for those still in progress (chats are handled at once)."""
    last, _ = _chat("private")
    api.message("/help", chat_id=last, user_id=last)
    await api.wait_for("sendMessage", chat_id=last, timeout=30)
    await idle(api.application)


def _assert_replies(api, expected: dict[int, int]) -> None:
    for chat_id, count in expected.items():
        replies = api.sent("sendMessage", chat_id)
        assert len(replies) == count, (chat_id, count, [r.params["text"][:40] for r in replies])
        for reply in replies:
            assert HAN.search(reply.params["text"]), reply.params["text"]
            for row in json.loads(reply.params.get("reply_markup") or "{}").get(
                "inline_keyboard", []
            ):
                assert all(len(b["callback_data"].encode()) <= 64 for b in row)


def _assert_clean_logs(caplog) -> None:
    """No exception reached the error handler, nothing at WARNING or above, and the per-update log
    lines name only kinds of update, never what the courier typed."""
    bad = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not bad, [r.getMessage() for r in bad]
    for record in caplog.records:
        if record.name == "courier_bot.updates":
            line = json.loads(record.getMessage())
            assert KIND.match(line["kind"]) and line["outcome"] == "ok", line


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.INFO, logger="courier_bot.updates")
    return caplog


@TELEGRAM
@given(
    batch=st.lists(st.tuples(st.one_of(JUNK, COMMAND_LINES), CHAT_TYPES), min_size=1, max_size=10)
)
async def test_random_texts_in_private_and_group_chats(telegram, logs, batch):
    logs.clear()  # one example's records must not fail the next (hypothesis shrinks)
    expected = {}
    for text, chat_type in batch:
        chat_id, user_id = _chat(chat_type)
        telegram.message(text, chat_id=chat_id, user_id=user_id, chat_type=chat_type)
        expected[chat_id] = _answered(text, chat_type)
    await _settle(telegram)
    _assert_replies(telegram, expected)
    _assert_clean_logs(logs)


@TELEGRAM
@given(batch=st.lists(CALLBACK_DATA, min_size=1, max_size=10))
async def test_forged_or_stale_buttons_get_one_chinese_reply(telegram, logs, batch):
    logs.clear()
    expected = {}
    for data in batch:
        chat_id, user_id = _chat("private")
        telegram.callback(data, chat_id=chat_id, user_id=user_id)
        expected[chat_id] = 1
    await _settle(telegram)
    _assert_replies(telegram, expected)
    assert telegram.counts["answerCallbackQuery"] >= len(batch)  # no spinning button left
    _assert_clean_logs(logs)


@TELEGRAM
@given(
    batch=st.lists(
        st.tuples(st.sampled_from(sorted(MEDIA)), CHAT_TYPES, st.one_of(st.none(), TEXT)),
        min_size=1,
        max_size=8,
    )
)
async def test_stickers_photos_voice_locations_get_asked_for_text(telegram, logs, batch):
    logs.clear()
    expected, captioned = {}, set()
    for kind, chat_type, caption in batch:
        chat_id, user_id = _chat(chat_type)
        extra = {kind: MEDIA[kind]}
        if caption and caption.strip() and kind in ("photo", "video", "document", "audio", "voice"):
            extra["caption"] = caption  # answered as a question (L7), not asked for text
            captioned.add(chat_id)
        telegram.message(None, chat_id=chat_id, user_id=user_id, chat_type=chat_type, **extra)
        expected[chat_id] = _answered(None, chat_type)
    await _settle(telegram)
    _assert_replies(telegram, expected)
    plain_media = [chat for chat in expected if chat not in captioned]
    assert all(
        "文字" in c.params["text"] for chat in plain_media for c in telegram.sent(chat_id=chat)
    )
    _assert_clean_logs(logs)


async def test_group_service_messages_and_other_update_kinds_are_ignored(telegram, logs):
    expected = {}
    for kind, value in SERVICE.items():
        chat_id, user_id = _chat("group")
        telegram.message(None, chat_id=chat_id, user_id=user_id, chat_type="group", **{kind: value})
        expected[chat_id] = 0
    member = {"status": "member", "user": BOT_USER}
    chat_id, user_id = _chat("group")
    telegram.push(
        "my_chat_member",
        {
            "chat": {"id": chat_id, "type": "group", "title": "群"},
            "from": {"id": user_id, "is_bot": False, "first_name": "站长"},
            "date": 0,
            "old_chat_member": {**member, "status": "left"},
            "new_chat_member": member,
        },
    )
    telegram.push(
        "channel_post",
        {
            "message_id": 1,
            "date": 0,
            "text": "/start",
            "chat": {"id": chat_id - 1, "type": "channel", "title": "频道"},
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    )
    telegram.push(
        "callback_query",
        {
            "id": "77",
            "chat_instance": "ci",
            "inline_message_id": "im",
            "data": "faq:x",
            "from": {"id": user_id, "is_bot": False, "first_name": "快递员"},
        },
    )
    expected[chat_id] = expected[chat_id - 1] = 0
    await _settle(telegram)
    _assert_replies(telegram, expected)
    _assert_clean_logs(logs)


@TELEGRAM
@given(
    batch=st.lists(
        st.tuples(
            st.one_of(
                JUNK,
                COMMAND_LINES,
                st.sampled_from(
                    ["/region 济宁", "/start", "/injury", "/forgetme", "1", "派件途中摔伤算工伤吗"]
                ),
            ),
            CHAT_TYPES,
        ),
        min_size=1,
        max_size=8,
    )
)
async def test_edited_messages_are_ignored_on_purpose(telegram, logs, batch):
    logs.clear()
    expected = {}
    for text, chat_type in batch:
        chat_id, user_id = _chat(chat_type)
        telegram.push("edited_message", _edited(text, chat_id, user_id, chat_type))
        expected[chat_id] = 0
    await _settle(telegram)
    _assert_replies(telegram, expected)
    _assert_clean_logs(logs)


async def test_an_edit_mid_guide_is_not_taken_as_the_answer(telegram, logs):
    chat_id, user_id = _chat("private")
    telegram.message("/injury", chat_id=chat_id, user_id=user_id)
    await telegram.wait_for("sendMessage", 1, chat_id=chat_id)
    telegram.push("edited_message", _edited("1", chat_id, user_id))  # ignored
    telegram.message("1", chat_id=chat_id, user_id=user_id)  # answers step 1
    replies = await telegram.wait_for("sendMessage", 2, chat_id=chat_id)
    await _settle(telegram)
    assert len(telegram.sent("sendMessage", chat_id)) == 2
    assert "第2步" in replies[1].params["text"]
    _assert_clean_logs(logs)


# In a guide, plain text is the answer to the step; a leading "？" keeps junk from being a valid
# answer by chance (a digit picks a choice), so the guide never ends and each message gets exactly
# one reply. Other commands and stickers mid-guide get the "you are in a guide" reply; /cancel,
# /back, /injury, /assess and /forgetme get theirs; /cmd@another_bot is ignored.
IN_GUIDE = st.one_of(
    JUNK.map(lambda t: "？" + t),
    COMMAND_LINES,
    st.sampled_from(["/back", "/cancel", "/injury", "/assess", "/outlet", "sticker"]),
)


@TELEGRAM
@given(
    start=st.sampled_from(["/injury", "/assess"]),
    inputs=st.lists(IN_GUIDE, min_size=1, max_size=8),
    chat_type=CHAT_TYPES,
)
async def test_junk_mid_guide_gets_one_chinese_reply_each(telegram, logs, start, inputs, chat_type):
    logs.clear()
    chat_id, user_id = _chat(chat_type)
    telegram.message(start, chat_id=chat_id, user_id=user_id, chat_type=chat_type)
    expected = 1
    for text in inputs:
        if text == "sticker":
            telegram.message(
                None,
                chat_id=chat_id,
                user_id=user_id,
                chat_type=chat_type,
                sticker=MEDIA["sticker"],
            )
        else:
            telegram.message(text, chat_id=chat_id, user_id=user_id, chat_type=chat_type)
        expected += _answered(None if text == "sticker" else text, chat_type)
    await _settle(telegram)
    _assert_replies(telegram, {chat_id: expected})
    _assert_clean_logs(logs)


# --- the error handler ---------------------------------------------------------------------------
async def test_a_failing_handler_is_logged_without_personal_data_and_the_courier_told(
    telegram, logs, monkeypatch
):
    def boom(self, *args, **kwargs):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(Assistant, "ask", boom)
    monkeypatch.setattr(Assistant, "callback", boom)
    user_id, secret = 778899001, "我叫王小明电话13812345678"
    telegram.message(secret, chat_id=user_id, user_id=user_id)
    telegram.callback("faq:" + "13812345678", chat_id=user_id, user_id=user_id)
    replies = await telegram.wait_for("sendMessage", 2, chat_id=user_id)
    assert all("出了点问题" in r.params["text"] for r in replies)

    await _settle(telegram)
    failures = [r for r in logs.records if r.getMessage().startswith("update failed")]
    assert [r.getMessage() for r in failures] == [
        "update failed (text)",
        "update failed (button:faq)",
    ]
    assert all(
        r.levelno == logging.ERROR and r.exc_info and isinstance(r.exc_info[1], RuntimeError)
        for r in failures
    )
    updates = [json.loads(r.getMessage()) for r in logs.records if r.name == "courier_bot.updates"]
    assert [(u["kind"], u["outcome"]) for u in updates[:2]] == [
        ("text", "error"),
        ("button:faq", "error"),
    ]
    for leak in (str(user_id), "13812345678", "王小明", secret):
        assert leak not in logs.text
    # The bot is still there for the next courier once the fault is gone.
    monkeypatch.undo()
    telegram.message("派件途中摔伤算工伤吗", chat_id=user_id + 1, user_id=user_id + 1)
    [after] = await telegram.wait_for("sendMessage", chat_id=user_id + 1)
    assert "依据" in after.params["text"]
