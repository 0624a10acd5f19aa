"""Shared fixtures: a real SQLite file, the real FAQ, and the real PTB Application on a fake Bot API."""

from __future__ import annotations

import pytest

from bench.fakeapi import TOKEN, FakeBotAPI
from bot.assistant import Assistant
from bot.config import Config
from bot.faq.loader import load
from bot.storage.database import Storage
from tests.support.telegram import halt, launch


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
        load_sample_outlets=True,  # with a token it is off unless set: the chat tests use it
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


@pytest.fixture
async def telegram(api, config, assistant):
    """The real Application polling the fake server over HTTP; yields the fake server."""
    application = await launch(api, config, assistant)
    api.application = application  # for tests that wait until every update is handled (idle)
    yield api
    await halt(application)
