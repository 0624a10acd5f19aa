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
import contextlib
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

QUEUED = 4096  # updates PTB may hand over at once; each waits here for its chat, then a slot


class PerChatOrder(BaseUpdateProcessor):
    """At most `max_concurrent_updates` updates at once (1: PTB's one at a time).

    An update waits for its chat's turn and its sender's (the same courier in a group and in the
    private chat touches one user_data, one /forgetme), and only then for one of the slots: a
    chat with many updates queued (an album, a busy group) holds one slot, never all of them, so
    no other courier waits behind it. PTB's own semaphore is therefore set wide (QUEUED); the
    slots are ours. The chat's lock is always taken before the sender's, so two updates never
    wait for each other's."""

    def __init__(self, max_concurrent_updates: int):
        super().__init__(QUEUED if max_concurrent_updates > 1 else 1)
        self._slots = asyncio.BoundedSemaphore(max_concurrent_updates)
        self._locks: dict[str, asyncio.Lock] = {}
        self._holders: dict[str, int] = {}  # key -> updates holding or waiting for its lock

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        keys = _keys_of(update)
        for key in keys:
            self._locks.setdefault(key, asyncio.Lock())
            self._holders[key] = self._holders.get(key, 0) + 1
        try:
            async with contextlib.AsyncExitStack() as turns:
                for key in keys:  # first come, first served on each lock
                    await turns.enter_async_context(self._locks[key])
                async with self._slots:
                    await coroutine
        finally:
            for key in keys:
                self._holders[key] -= 1
                if not self._holders[key]:  # forget idle chats: memory stays bounded
                    del self._holders[key], self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release: PTB waits for the updates in progress itself."""


def _keys_of(update: object) -> list[str]:
    """The chat's key, then the sender's: the order every update takes them in."""
    if not isinstance(update, Update):
        return []
    keys = []
    if update.effective_chat is not None:
        keys.append(f"chat:{update.effective_chat.id}")
    if update.effective_user is not None:
        keys.append(f"user:{update.effective_user.id}")
    return keys
