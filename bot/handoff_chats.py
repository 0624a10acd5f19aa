"""The courier's chat behind a ticket (handoff_chats, bot/storage/schema.py m005): the relay needs
the chat id back, so it is kept sealed (bot/storage/sealed.py) and unsealed only to send; the row
is found by a salted hash of it, since no two seals of one id are alike. No raw id is stored."""

from __future__ import annotations

import sqlite_utils

from bot.storage.database import user_key
from bot.storage.sealed import seal, seal_raw_chats

CHANNEL = "telegram-chat"  # user_key's channel for the chat a ticket was opened from


def chat_key(secret: str, chat_id: int) -> str:
    """The salted hash a ticket's chat is found by (/forgetme, the answer back)."""
    return user_key(secret, CHANNEL, chat_id)


def link(secret: str, chat_id: int) -> dict[str, str]:
    """How a ticket's chat is stored: the hash that finds it and the sealed id the relay reads."""
    return {"chat_key": chat_key(secret, chat_id), "sealed_chat": seal(secret, chat_id)}


def seal_legacy(db: sqlite_utils.Database, secret: str) -> int:
    """Links stored before m005_sealed_handoff_chats hold the raw chat id: hash and seal it and
    empty the raw one. Returns how many."""
    return seal_raw_chats(db, "handoff_chats", "ticket_id", lambda chat: link(secret, chat))
