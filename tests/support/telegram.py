"""Driving the real PTB Application over HTTP against the fake Bot API: start and stop it as
`courier-bot run` would, press buttons, read the replies."""

from __future__ import annotations

import asyncio
import dataclasses
import json

from bench.fakeapi import FakeBotAPI
from bot.assistant import Assistant
from bot.config import Config
from bot.reply import BUTTON_PREFIXES
from handlers import app as app_mod


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


async def idle(application, timeout: float = 30.0) -> None:
    """Wait until every update the Application has fetched is handled: updates of different chats
    are handled at once (handlers/ordering.py), so one chat's reply says nothing of the others.
    PTB marks an update done on its queue only once it has been handled."""
    await asyncio.wait_for(application.update_queue.join(), timeout)


def buttons(call) -> list[str]:
    """The callback data of every inline button in a recorded sendMessage call."""
    markup = json.loads(call.params.get("reply_markup") or "{}")
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


async def step(api: FakeBotAPI, n: int, action: str):
    """Press a button (callback data) or send a text, then return the bot's n-th reply."""
    if action.split(":", 1)[0] in BUTTON_PREFIXES and ":" in action:
        api.callback(action)
    else:
        api.message(action)
    return (await api.wait_for("sendMessage", n))[-1]
