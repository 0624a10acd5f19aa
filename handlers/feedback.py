"""👍 / 👎 under answers and the reason after 👎 (the logic is in bot/feedback.py)."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError

from bot.feedback import DOWN, UP
from bot.reply import FEEDBACK
from handlers import groups
from handlers.common import assistant, send, user_of
from handlers.context import Context

log = logging.getLogger(__name__)


async def press(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None  # a CallbackQueryHandler's update has a query
    await query.answer()
    if not groups.private(update):  # nothing is stored from a group (answers there have no 👍/👎)
        return
    data, message = query.data or "", query.message
    # One vote per answer message: its chat and message id name it (kept in memory only).
    key = (message.chat.id, message.message_id) if message is not None else None
    reply = assistant(context).callback(data, user_of(update, context), key)
    if data.startswith((UP, DOWN)) and isinstance(message, Message):
        await _drop_votes(message)
    await send(update, reply)


async def _drop_votes(message: Message) -> None:
    """Take 👍/👎 off the answer once voted (its other buttons stay): the vote shows as taken,
    and a later press, after a restart emptied the memory of votes, cannot count twice."""
    markup = message.reply_markup
    if markup is None:
        return
    rows = [
        [b for b in row if not str(b.callback_data).startswith(FEEDBACK)]
        for row in markup.inline_keyboard
    ]
    try:
        await message.edit_reply_markup(InlineKeyboardMarkup([r for r in rows if r]))
    except TelegramError as exc:  # too old to edit, or already edited: the vote is counted
        log.info("answer keyboard not updated (%s)", type(exc).__name__)
