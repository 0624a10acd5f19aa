"""PTB persistence in the project's SQLite file, written at once (a crash loses no conversation).

No raw Telegram id is stored (README, PRIVACY). A user's data is kept under their salted hash,
the key of their preferences too (bot.storage.database.user_key); a hash cannot be listed back
into ids, so nothing is loaded at start and each user's row is read on their first update
(refresh_user_data). PTB does need every conversation's (chat id, user id) key at start: it is
kept sealed (bot/storage/sealed.py) beside a hash of it, which finds the row.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict

from telegram.ext import BasePersistence, PersistenceInput

from bot.storage.database import Storage, user_key
from bot.storage.schema import LEGACY
from bot.storage.sealed import SealError, scrubbing, seal, unseal
from handlers.common import CHANNEL  # user data under the same key as user_of gives handlers

log = logging.getLogger(__name__)
CONVERSATION = "telegram-conversation"  # user_key's channel for a conversation's key
USER_CACHE = 100_000  # users whose stored JSON is kept in memory (as REGION_CACHE's regions)


class SQLitePersistence(BasePersistence):
    """Keeps user_data and conversation states; chat/bot/callback data are not used by this bot."""

    def __init__(self, storage: Storage, secret: str, cache_size: int = USER_CACHE):
        super().__init__(
            PersistenceInput(bot_data=False, chat_data=False, user_data=True, callback_data=False)
        )
        self.db = storage.db  # ptb_user_data, ptb_conversations: bot/storage/schema.py
        self.secret = secret  # [privacy] user_salt: the hashes and the seal's key
        # user id -> the JSON in the database (None: no row), once read: unchanged data is not
        # written again, and a user's row is read once while they stay in it. The least recently
        # used go first when it is full: never a user whose update is under way (PTB refreshes
        # their data as it starts), and one who comes back is read again (refresh_user_data).
        self._stored: OrderedDict[int, str | None] = OrderedDict()
        self._cache_size = cache_size
        self._seal_legacy()

    def _user(self, user_id: int) -> str:
        return user_key(self.secret, CHANNEL, user_id)

    def _remember(self, user_id: int, stored: str | None) -> None:
        self._stored[user_id] = stored
        self._stored.move_to_end(user_id)
        if len(self._stored) > self._cache_size:
            self._stored.popitem(last=False)

    def _conversation(self, key: tuple) -> str:
        return user_key(self.secret, CONVERSATION, json.dumps(list(key)))

    def _seal_legacy(self) -> None:
        """Rows stored before m004_sealed_ids hold raw ids: hash and seal them into the new
        tables and drop the old tables, in one transaction (a crash converts all or nothing)."""
        # m004 kept either table only if it had rows (a missing one has no rows to read)
        legacy = [self.db.table(LEGACY + t) for t in ("ptb_user_data", "ptb_conversations")]
        if not any(t.exists() and t.count for t in legacy):
            return
        users, conversations = legacy
        with scrubbing(self.db):
            for r in list(users.rows):
                self.db.table("ptb_user_data").upsert(
                    {"user_key": self._user(r["user_id"]), "data": r["data"]}, pk="user_key"
                )
            for r in list(conversations.rows):
                key = tuple(json.loads(r["key"]))
                self.db.table("ptb_conversations").upsert(
                    {"name": r["name"], "key_hash": self._conversation(key)}
                    | {"sealed_key": seal(self.secret, key), "state": r["state"]},
                    pk=("name", "key_hash"),
                )
            for table in legacy:
                if table.exists():  # emptied for good: nothing of it is needed again
                    table.drop()
        log.info("PTB data stored before m004_sealed_ids: Telegram ids hashed and sealed")

    async def get_user_data(self) -> dict:
        return {}  # read per user by refresh_user_data

    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        """PTB calls this before any handler callback or job gets a user's user_data
        (CallbackContext.refresh_data): the first call fills it from the database, and so does
        the first after the user left the cache. Data PTB already holds is kept: the row is
        written from it after every update (handlers/application.py), so it is never older."""
        if user_id in self._stored:
            self._stored.move_to_end(user_id)
            return  # read already: memory is newer than the row
        row = self.db.execute(
            "select data from ptb_user_data where user_key = ?", [self._user(user_id)]
        ).fetchone()
        self._remember(user_id, row[0] if row else None)
        if row and not user_data:
            user_data.update(json.loads(row[0]))

    async def get_chat_data(self) -> dict:
        return {}

    async def get_bot_data(self) -> dict:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def get_conversations(self, name: str) -> dict:
        states, unreadable = {}, 0
        for row in self.db["ptb_conversations"].rows_where("name = ?", [name]):
            try:
                key = unseal(self.secret, row["sealed_key"])
            except SealError:
                unreadable += 1  # kept: the salt may be put back (README, PRIVACY)
                continue
            assert isinstance(key, tuple)  # update_conversation sealed PTB's tuple key
            states[key] = json.loads(row["state"])
        if unreadable:
            log.warning(
                "%s %s conversations sealed under another user_salt: ignored", unreadable, name
            )
        return states

    async def update_conversation(self, name: str, key: tuple, new_state: object) -> None:
        where = [name, self._conversation(key)]
        with self.db.atomic():
            if new_state is None:
                self.db.execute(
                    "delete from ptb_conversations where name = ? and key_hash = ?", where
                )
                return
            state = json.dumps(new_state)
            changed = self.db.execute(
                "update ptb_conversations set state = ? where name = ? and key_hash = ?",
                [state, *where],
            ).rowcount
            if not changed:  # a new conversation: its key is sealed once, not at every step
                self.db.table("ptb_conversations").insert(
                    {"name": name, "key_hash": where[1], "sealed_key": seal(self.secret, key)}
                    | {"state": state}
                )

    async def update_user_data(self, user_id: int, data: dict) -> None:
        if not data:
            if self._stored.get(user_id) is not None:  # emptied (/forgetme, a guide's end)
                await self.drop_user_data(user_id)
            return  # else nothing was stored, or it was never read: nothing to drop
        encoded = json.dumps(data, ensure_ascii=False, sort_keys=True)
        if self._stored.get(user_id) != encoded:
            self.db.table("ptb_user_data").upsert(
                {"user_key": self._user(user_id), "data": encoded}, pk="user_key"
            )
            self._remember(user_id, encoded)

    async def drop_user_data(self, user_id: int) -> None:
        if user_id in self._stored and self._stored[user_id] is None:
            return  # known to have no row
        self.db.execute("delete from ptb_user_data where user_key = ?", [self._user(user_id)])
        self._remember(user_id, None)

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        pass

    async def update_bot_data(self, data: dict) -> None:
        pass

    async def update_callback_data(self, data: object) -> None:
        pass

    async def drop_chat_data(self, chat_id: int) -> None:
        pass

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        pass

    async def refresh_bot_data(self, bot_data: dict) -> None:
        pass

    async def flush(self) -> None:
        pass
