"""A bounded load run in the normal test command: many couriers at once over real HTTP, no reply
lost or doubled. Throughput targets are printed by `courier-bot bench`, not asserted here."""

import dataclasses

import pytest

from bench import load as bench
from bot.faq.loader import load

pytestmark = pytest.mark.slow


def test_300_couriers_at_once_lose_no_reply(config, assistant):
    messages = bench.load_messages(bench.questions(load()), couriers=300, each=2)
    ours = bench.our_app(dataclasses.replace(config, rate_limiter=False), assistant)
    result = bench.drive(ours, messages)
    assert result["couriers"] == 300 and result["updates"] == 600
    assert result["lost"] == 0 and result["doubled"] == 0
    assert result["per_s"] > 0 and result["p95_ms"] >= result["p50_ms"] > 0
