"""What every handler needs: the core from bot_data, the hashed user key, sending a Reply."""

from __future__ import annotations

import functools
import time
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler

from bot.assistant import Assistant
from bot.reply import FEEDBACK, PROMPT_TTL, SOURCE, Reply
from bot.storage.database import user_key
from handlers.context import Context

CONVERSATION = "guide"  # the guides' ConversationHandler name (its persistence key)
PROMPT = "prompt"  # user_data key: what the next text answers, and until when
BUTTONS_PER_ROW = 2
WIDE_LABEL = 9  # characters: a longer label gets a row of its own, or a phone cuts off its end


def assistant(context: Context) -> Assistant:
    core = context.bot_data.assistant
    assert core is not None  # set by handlers.app.build before any update is handled
    return core


def user_of(update: Update, context: Context) -> str | None:
    user = update.effective_user
    if user is None:
        return None
    return user_key(assistant(context).config.user_salt, "telegram", user.id)


def for_another_bot(update: Update, context: Context) -> bool:
    """/cmd@another_bot (in a group): not ours to answer."""
    text = update.effective_message.text if update.effective_message else None
    if not text or not text.startswith("/"):
        return False
    _, at, bot_name = text.split()[0].partition("@")
    return bool(at) and bot_name.lower() != (context.bot.username or "").lower()


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    return _markup(tuple(reply.buttons)) if reply.buttons else None


class Keyboard(InlineKeyboardMarkup):
    """An inline keyboard that turns itself into the request's dict once. PTB does it anew for
    every message sent (measured: a twentieth of a reply's cost), but a keyboard, like every
    TelegramObject, cannot change after it is made, and _markup() makes each one once."""

    __slots__ = ("_as_dict",)

    def to_dict(self, recursive: bool = True) -> dict[str, Any]:
        if not recursive:
            return super().to_dict(recursive)
        try:
            return self._as_dict
        except AttributeError:
            with self._unfrozen():
                self._as_dict: dict[str, Any] = super().to_dict()
            return self._as_dict


@functools.lru_cache(maxsize=1024)
def _markup(pairs: tuple[tuple[str, str], ...]) -> InlineKeyboardMarkup:
    """Markups are immutable and the same few recur (related topics, menus): build each once."""
    rows: list[list[InlineKeyboardButton]] = []
    for label, data in pairs:
        button = InlineKeyboardButton(label, callback_data=data)
        last = rows[-1] if rows else []
        if data.startswith(FEEDBACK) and last and str(last[0].callback_data).startswith(SOURCE):
            last.append(button)  # one row under an answer: 📄 查看原文 👍 👎
        elif (
            0 < len(last) < BUTTONS_PER_ROW
            and _short(label)
            and _short(last[0].text)
            and not data.startswith(SOURCE)
        ):
            last.append(button)
        else:
            rows.append([button])
    return Keyboard(rows)


def _short(label: str) -> bool:
    """Whether a label shares a row: the differing end of a long one (同等责任) must show."""
    return len(label) <= WIDE_LABEL


async def send(update: Update, reply: Reply, context: Context | None = None) -> None:
    """Send a reply; with `context`, a reply that asks for something (the outlet's name) is
    remembered in the courier's user_data, persisted with an expiry (handlers/outlets.pending)."""
    if update.effective_chat is None:  # a button on an inline message: no chat to answer in
        return
    await update.effective_chat.send_message(reply.text, reply_markup=keyboard(reply))
    if context is not None and reply.expects and context.user_data is not None:
        context.user_data[PROMPT] = {"expects": reply.expects, "until": time.time() + PROMPT_TTL}


async def checkpoint(update: Update, context: Context, state: object) -> None:
    """Write the courier's user data and guide state before the reply goes out. PTB persists them
    only once the handler has returned, i.e. after the courier has seen the reply: a crash (kill -9)
    in between would forget what the courier saw taken. PTB writes the same values again later."""
    persistence = context.application.persistence
    user, chat = update.effective_user, update.effective_chat
    if persistence is None or user is None or chat is None:
        return
    assert context.user_data is not None  # PTB makes it for every update with a user
    await persistence.update_user_data(user.id, dict(context.user_data))
    # The ConversationHandler's key is (chat, user); None deletes an ended conversation.
    await persistence.update_conversation(
        CONVERSATION, (chat.id, user.id), None if state == ConversationHandler.END else state
    )
