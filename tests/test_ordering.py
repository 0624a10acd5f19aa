"""Chats at once, each chat in order (handlers/ordering.py), through the real Application over
HTTP to a fake Bot API that takes 0.3 s to answer each call, as a far-away Telegram does."""

import dataclasses

import pytest

from bench.fakeapi import FakeBotAPI
from tests.support.telegram import halt, launch

ROUND_TRIP = 0.3


@pytest.fixture
async def slow_api():
    server = await FakeBotAPI(latency=ROUND_TRIP).start()
    yield server
    await server.stop()


async def _replies(api, config, concurrent: int) -> dict[int, list]:
    application = await launch(api, dataclasses.replace(config, concurrent_updates=concurrent))
    try:
        api.message("你好", chat_id=1, user_id=1)
        api.message("谢谢", chat_id=1, user_id=1)
        api.message("你好", chat_id=2, user_id=2)
        await api.wait_for("sendMessage", 3, timeout=10)
    finally:
        await halt(application)
    return {chat: api.sent("sendMessage", chat_id=chat) for chat in (1, 2)}


async def test_another_chat_is_not_kept_waiting_and_one_chat_stays_in_order(slow_api, config):
    replies = await _replies(slow_api, config, concurrent=8)
    first, second = replies[1]
    assert "你好" in first.params["text"] or "助手" in first.params["text"]  # the greeting
    assert first.at < second.at and "不客气" in second.params["text"]  # 谢谢 answered after it
    [other] = replies[2]
    assert other.at < second.at  # chat 2 did not wait for both of chat 1's round trips


async def test_one_at_a_time_when_configured(slow_api, config):
    replies = await _replies(slow_api, config, concurrent=1)
    [other] = replies[2]
    assert other.at > replies[1][1].at  # PTB's default: the third update waits for the second


async def test_a_busy_chat_does_not_keep_the_others_waiting(slow_api, config):
    """More messages from one chat than there are slots: they wait for their chat's turn without
    holding the slots, so another courier is answered within a round trip or two."""
    application = await launch(slow_api, dataclasses.replace(config, concurrent_updates=4))
    try:
        for _ in range(12):
            slow_api.message("你好", chat_id=1, user_id=1)
        slow_api.message("你好", chat_id=2, user_id=2)
        await slow_api.wait_for("sendMessage", chat_id=2, timeout=10)
        busy = slow_api.sent("sendMessage", chat_id=1)
        assert len(busy) <= 3, len(busy)  # answered while the busy chat was still at its start
        await slow_api.wait_for("sendMessage", 12, chat_id=1, timeout=20)
    finally:
        await halt(application)


async def test_one_courier_in_a_group_and_in_private_is_handled_in_turn(slow_api, config):
    """The same courier's updates share user data (and /forgetme) across chats: one at a time."""
    application = await launch(slow_api, dataclasses.replace(config, concurrent_updates=8))
    try:
        slow_api.message("/help", chat_id=-100, user_id=7, chat_type="supergroup")
        slow_api.message("/help", chat_id=7, user_id=7)
        [in_group] = await slow_api.wait_for("sendMessage", chat_id=-100, timeout=10)
        [in_private] = await slow_api.wait_for("sendMessage", chat_id=7, timeout=10)
    finally:
        await halt(application)
    assert in_private.at - in_group.at >= ROUND_TRIP * 0.9  # the second waited for the first
