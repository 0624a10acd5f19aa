"""PTB persistence in the project's SQLite file, written at once (a crash loses no conversation)."""

from __future__ import annotations

import json

from telegram.ext import BasePersistence, PersistenceInput

from bot.storage.database import Storage


class SQLitePersistence(BasePersistence):
    """Keeps user_data and conversation states; chat/bot/callback data are not used by this bot."""

    def __init__(self, storage: Storage):
        super().__init__(
            PersistenceInput(bot_data=False, chat_data=False, user_data=True, callback_data=False)
        )
        self.db = storage.db  # ptb_user_data, ptb_conversations: bot/storage/schema.py
        self._stored: dict[int, str] = {}  # user id -> JSON last written: skip unchanged writes

    async def get_user_data(self) -> dict:
        self._stored = {r["user_id"]: r["data"] for r in self.db["ptb_user_data"].rows}
        return {user: json.loads(data) for user, data in self._stored.items()}

    async def get_chat_data(self) -> dict:
        return {}

    async def get_bot_data(self) -> dict:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def get_conversations(self, name: str) -> dict:
        rows = self.db["ptb_conversations"].rows_where("name = ?", [name])
        return {tuple(json.loads(r["key"])): json.loads(r["state"]) for r in rows}

    async def update_conversation(self, name: str, key: tuple, new_state: object) -> None:
        pk = (name, json.dumps(list(key)))
        if new_state is None:
            self.db.table("ptb_conversations").delete_where("name = ? and key = ?", list(pk))
        else:
            self.db.table("ptb_conversations").upsert(
                {"name": pk[0], "key": pk[1], "state": json.dumps(new_state)}, pk=("name", "key")
            )

    async def update_user_data(self, user_id: int, data: dict) -> None:
        if not data:
            await self.drop_user_data(user_id)
            return
        encoded = json.dumps(data, ensure_ascii=False, sort_keys=True)
        if self._stored.get(user_id) != encoded:
            self.db.table("ptb_user_data").upsert(
                {"user_id": user_id, "data": encoded}, pk="user_id"
            )
            self._stored[user_id] = encoded

    async def drop_user_data(self, user_id: int) -> None:
        if self._stored.pop(user_id, None) is not None:
            self.db.table("ptb_user_data").delete_where("user_id = ?", [user_id])

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        pass

    async def update_bot_data(self, data: dict) -> None:
        pass

    async def update_callback_data(self, data: object) -> None:
        pass

    async def drop_chat_data(self, chat_id: int) -> None:
        pass

    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        pass

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        pass

    async def refresh_bot_data(self, bot_data: dict) -> None:
        pass

    async def flush(self) -> None:
        pass
