"""Updates of different chats are handled at the same time; each chat's, one after another.

PTB handles one update at a time by default: every courier then waits for every other courier's
reply to travel to Telegram and back. On localhost that costs nothing, but with a real round trip
(tens to hundreds of ms) it caps the bot far below Telegram's ~30 messages/s — measured with
`courier-bot bench` (README, Benchmark). Fully concurrent updates would let a courier's second
message overtake the first, and the guides' ConversationHandler needs each conversation's updates
in order (PTB's docs warn about exactly that). So: concurrent across chats, in order within a
chat, through PTB's own extension point for this (BaseUpdateProcessor).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

QUEUED = 4096  # updates PTB may hand over at once; each waits here for its chat, then a slot


class PerChatOrder(BaseUpdateProcessor):
    """At most `max_concurrent_updates` updates at once (1: PTB's one at a time).

    An update first waits for its chat's turn, and only then for one of the slots: a chat with
    many updates queued (an album, a busy group) holds one slot, never all of them, so no other
    courier waits behind it. PTB's own semaphore is therefore set wide (QUEUED); the slots are
    ours."""

    def __init__(self, max_concurrent_updates: int):
        super().__init__(QUEUED if max_concurrent_updates > 1 else 1)
        self._slots = asyncio.BoundedSemaphore(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._holders: dict[int, int] = {}  # chat -> updates holding or waiting for its lock

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = _chat_of(update)
        if chat is None:  # nothing to keep in order with
            async with self._slots:
                await coroutine
            return
        lock = self._locks.setdefault(chat, asyncio.Lock())
        self._holders[chat] = self._holders.get(chat, 0) + 1
        try:
            async with lock, self._slots:  # the chat's turn (first come, first served), a slot
                await coroutine
        finally:
            self._holders[chat] -= 1
            if not self._holders[chat]:  # forget idle chats: memory stays bounded
                del self._holders[chat], self._locks[chat]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release: PTB waits for the updates in progress itself."""


def _chat_of(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None
