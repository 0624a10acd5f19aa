"""Shared fixtures: a real SQLite file, the real FAQ, and the real PTB Application on a fake Bot API."""

from __future__ import annotations

import dataclasses
import json

import pytest

from bench.fakeapi import TOKEN, FakeBotAPI
from bot.assistant import Assistant
from bot.config import Config
from bot.faq.loader import load
from bot.storage.database import Storage
from handlers import app as app_mod


@pytest.fixture(scope="session")
def kb():
    return load()


@pytest.fixture
def config(tmp_path) -> Config:
    return Config(
        token=TOKEN,
        database=tmp_path / "bot.db",
        rate_limiter=False,
        user_salt="test-salt",
        output_dir=tmp_path / "out",
    )


@pytest.fixture
def storage(config):
    s = Storage(config.database)
    yield s
    s.close()


@pytest.fixture
def assistant(config, storage, kb) -> Assistant:
    return Assistant(config, storage, kb)


@pytest.fixture
async def api():
    server = await FakeBotAPI().start()
    yield server
    await server.stop()


async def launch(api: FakeBotAPI, config: Config, assistant: Assistant | None = None):
    """Start the real Application polling the fake server over HTTP (as `run` would)."""
    application = app_mod.build(dataclasses.replace(config, base_url=api.base_url), assistant)
    await application.initialize()
    await application.post_init(application)
    await application.start()
    await application.updater.start_polling(poll_interval=0.0, timeout=1)
    return application


async def halt(application) -> None:
    """Stop as run_polling() would on Ctrl-C, post_shutdown included."""
    await application.updater.stop()
    await application.stop()
    await application.shutdown()
    await application.post_shutdown(application)


@pytest.fixture
async def telegram(api, config, assistant):
    """The real Application polling the fake server over HTTP; yields the fake server."""
    application = await launch(api, config, assistant)
    yield api
    await halt(application)


CALLBACK_PREFIXES = ("g:", "menu:", "rem:", "ol:", "faq:", "region:")


def buttons(call) -> list[str]:
    """The callback data of every inline button in a recorded sendMessage call."""
    markup = json.loads(call.params.get("reply_markup") or "{}")
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


async def step(api: FakeBotAPI, n: int, action: str):
    """Press a button (callback data) or send a text, then return the bot's n-th reply."""
    if action.startswith(CALLBACK_PREFIXES):
        api.callback(action)
    else:
        api.message(action)
    return (await api.wait_for("sendMessage", n))[-1]
