"""The PTB Application as this bot runs it: state written after every update, one log line each."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.reply import BUTTON_PREFIXES
from handlers.commands import NAMES as COMMAND_NAMES

log = logging.getLogger("courier_bot.updates")
# The bot's own command names and button prefixes are logged; anything else was typed or forged
# by someone (it may be a phone number or a name), so it is logged as "other".


def kind_of(update: object) -> str:
    """What sort of update this is, without anything personal (no ids, names or text)."""
    if not isinstance(update, Update):
        return type(update).__name__
    if update.callback_query:
        prefix = (update.callback_query.data or "").split(":", 1)[0]
        return "button:" + (prefix if prefix in BUTTON_PREFIXES else "other")
    message = update.effective_message
    if update.edited_message or update.edited_channel_post:
        return "edited"
    if message is None:
        return next((k for k, v in update.to_dict().items() if k != "update_id" and v), "other")
    if message.text and message.text.startswith("/"):
        name = message.text.split()[0].split("@")[0][1:].lower()
        return "command:/" + (name if name in COMMAND_NAMES else "other")
    if message.text:
        return "text"
    return next(
        (
            k
            for k in (
                "sticker",
                "photo",
                "voice",
                "video",
                "document",
                "location",
                "contact",
                "audio",
                "animation",
            )
            if getattr(message, k, None)
        ),
        "other",
    )


class CourierApplication(Application):
    """Writes changed user data and conversation states after every update (not once a minute, so
    a crash loses no conversation), and logs one JSON line per update: kind, latency, outcome."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.failed_updates: set[int] = set()  # filled by the error handler
        self.stats: dict[str, Any] = {
            "updates": 0,
            "errors": 0,
            "last_update": None,
            "started": time.time(),
        }

    async def process_update(self, update: object) -> None:
        start = time.perf_counter()
        await super().process_update(update)
        if self.persistence:
            await self.update_persistence()
        uid = getattr(update, "update_id", None)
        failed = uid in self.failed_updates
        self.failed_updates.discard(uid)
        self.stats["updates"] += 1
        self.stats["errors"] += failed
        self.stats["last_update"] = time.time()
        log.info(
            json.dumps(
                {
                    "event": "update",
                    "kind": kind_of(update),
                    "ms": round((time.perf_counter() - start) * 1000, 1),
                    "outcome": "error" if failed else "ok",
                }
            )
        )
