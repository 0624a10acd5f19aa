"""Telegram ids the bot must read back later (the chat a reminder goes to, the (chat, user) key
PTB resumes a guide under) are stored sealed, never raw: encrypted and authenticated with Fernet
(AES-128-CBC with a random IV, then HMAC-SHA256) under a key derived from the deployment's secret
salt, [privacy] user_salt. Only that salt reads them back; another salt, or a changed byte, is a
SealError. The random IV makes each seal of the same id differ, so a row is never looked up by
its sealed value: it is found by a salted hash (bot.storage.database.user_key), stored beside it.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import sqlite_utils
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

log = logging.getLogger(__name__)
# Binds the derived key to this one use: user_key() hashes with the salt itself, so the two never
# share a key. Changing it makes every sealed id unreadable.
INFO = b"courier-bot sealed telegram ids v1"

Sealable = int | tuple[int, ...]  # a chat or user id, or PTB's (chat id, user id) key


class SealError(ValueError):
    """A token sealed under another [privacy] user_salt, or damaged."""


@functools.lru_cache(maxsize=4)
def _fernet(secret: str) -> Fernet:
    """The Fernet key for a salt, derived once (HKDF-SHA256: 32 bytes, half to sign, half to
    encrypt); the salt is any text, so it is stretched to a key rather than used as one."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str, value: Sealable) -> str:
    """`value` encrypted and signed under `secret`: a different text at every call."""
    return _fernet(secret).encrypt(json.dumps(value).encode()).decode()


def unseal(secret: str, token: str) -> Sealable:
    """What seal(secret, …) sealed; SealError if another salt sealed it or it was changed."""
    try:
        plain = _fernet(secret).decrypt(token)
    except InvalidToken:
        raise SealError("sealed under another [privacy] user_salt, or damaged") from None
    value = json.loads(plain)
    return tuple(value) if isinstance(value, list) else value


@contextmanager
def scrubbing(db: sqlite_utils.Database) -> Iterator[None]:
    """One transaction whose deleted values are overwritten on disk (PRAGMA secure_delete): the
    raw ids the sealing replaces must not linger in the file's free space."""
    before = db.execute("PRAGMA secure_delete").fetchone()[0]
    db.execute("PRAGMA secure_delete = ON")
    try:
        with db.atomic():
            yield
    finally:
        db.execute(f"PRAGMA secure_delete = {int(before)}")


def seal_raw_chats(
    db: sqlite_utils.Database, table: str, pk: str, columns: Callable[[int], dict[str, str]]
) -> int:
    """Rows of `table` stored before chat ids were sealed hold `chat_id` raw: write the columns
    `columns(chat_id)` gives instead (the sealed id, a lookup hash) and empty `chat_id`, in one
    transaction with secure deletion (a crash converts all or nothing). Returns how many, and
    logs them."""
    raw = db.execute(f"select {pk}, chat_id from {table} where chat_id is not null").fetchall()
    if not raw:
        return 0
    with scrubbing(db):
        for key, chat_id in raw:
            values = columns(chat_id)
            assignments = ", ".join(f"{name} = ?" for name in values)
            db.execute(
                f"update {table} set {assignments}, chat_id = null where {pk} = ?",
                [*values.values(), key],
            )
    log.info("%s rows of %s stored with a raw chat id: sealed", len(raw), table)
    return len(raw)
