"""The courier's chat behind a ticket (handoff_chats, bot/storage/schema.py m005): the relay needs
the chat id back, so it is kept sealed (bot/storage/sealed.py) and unsealed only to send; the row
is found by a salted hash of it, since no two seals of one id are alike. No raw id is stored."""

from __future__ import annotations

import logging

import sqlite_utils

from bot.storage.database import user_key
from bot.storage.sealed import scrubbing, seal

log = logging.getLogger(__name__)
CHANNEL = "telegram-chat"  # user_key's channel for the chat a ticket was opened from


def chat_key(secret: str, chat_id: int) -> str:
    """The salted hash a ticket's chat is found by (/forgetme, the answer back)."""
    return user_key(secret, CHANNEL, chat_id)


def seal_legacy(db: sqlite_utils.Database, secret: str) -> int:
    """Links stored before m005_sealed_handoff_chats hold the raw chat id: hash and seal it and
    empty the raw one, in one transaction (a crash converts all or nothing). Returns how many."""
    raw = db.execute(
        "select ticket_id, chat_id from handoff_chats where chat_id is not null"
    ).fetchall()
    if not raw:
        return 0
    with scrubbing(db):
        for ticket_id, chat_id in raw:
            db.execute(
                "update handoff_chats set chat_key = ?, sealed_chat = ?, chat_id = null"
                " where ticket_id = ?",
                [chat_key(secret, chat_id), seal(secret, chat_id), ticket_id],
            )
    log.info("%s handoff chats stored before m005_sealed_handoff_chats: sealed", len(raw))
    return len(raw)
