"""Faults injected by the fake Bot API server: every reply still arrives exactly once, and the bot
keeps going. Faults happen before the server carries a call out, as when Telegram rejects it."""

import asyncio
import dataclasses
from collections import Counter

import pytest

from bench.fakeapi import FakeBotAPI
from tests.support.telegram import halt, launch

pytestmark = pytest.mark.slow

COURIERS = 30
QUESTIONS = [
    "派件途中摔伤算工伤吗",
    "/start",
    "今天天气怎么样",
    "济宁网点交多少钱",
    "老板不给报工伤咋整",
]


@pytest.fixture
async def faulty_api():
    server = await FakeBotAPI(
        faults={"429": 0.08, "500": 0.08, "502": 0.05, "timeout": 0.04, "drop": 0.08},
        seed=11,
        retry_after=1,
        stall=1.0,
    ).start()
    yield server
    await server.stop()


@pytest.fixture
def resilient(config):
    return dataclasses.replace(
        config, rate_limiter=True, sends_per_second=1000.0, network_retries=6, request_timeout=0.5
    )


async def test_every_reply_arrives_exactly_once_despite_faults(faulty_api, resilient):
    app = await launch(faulty_api, resilient)
    try:
        for i in range(COURIERS):
            faulty_api.message(QUESTIONS[i % len(QUESTIONS)], chat_id=500 + i, user_id=500 + i)
        await faulty_api.wait_for("sendMessage", COURIERS, timeout=60)
        per_chat = Counter(int(c.params["chat_id"]) for c in faulty_api.sent("sendMessage"))
        assert per_chat == Counter({500 + i: 1 for i in range(COURIERS)})
        assert sum(faulty_api.injected.values()) >= 5, faulty_api.injected
        assert set(faulty_api.injected) >= {"429", "500", "drop"}
        # Still alive and answering after all that.
        faulty_api.message("派件途中摔伤算工伤吗", chat_id=999, user_id=999)
        [late] = await faulty_api.wait_for("sendMessage", chat_id=999, timeout=30)
        assert "依据" in late.params["text"]
    finally:
        await halt(app)


async def test_a_call_that_keeps_failing_is_logged_not_fatal(api, resilient, caplog):
    app = await launch(api, dataclasses.replace(resilient, network_retries=1))
    try:
        api.faults = {"500": 1.0}
        api.message("派件途中摔伤算工伤吗", chat_id=1, user_id=1)
        for _ in range(100):  # the answer, then the error notice: each tried twice
            if api.injected["500"] >= 4:
                break
            await asyncio.sleep(0.05)
        assert api.injected["500"] >= 4
        api.faults = {}
        api.message("/start", chat_id=2, user_id=2)
        [reply] = await api.wait_for("sendMessage", chat_id=2, timeout=10)
        assert "快递员工伤保险助手" in reply.params["text"]
        assert "update failed" in caplog.text
    finally:
        await halt(app)
