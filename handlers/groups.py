"""In groups the bot speaks only when spoken to: a command, a mention of it, or a reply to one of
its messages. Other chatter is not read further, answered or stored (walkthrough M8). What needs a
courier's own situation — a guide, an outlet lookup, reminders — is moved to the private chat with
a link that starts it there."""

from __future__ import annotations

import re

from telegram import Message, Update
from telegram.ext import ApplicationHandlerStop, filters

from bot.render import render
from bot.reply import Reply
from handlers.common import send
from handlers.context import Context

GROUPS = filters.ChatType.GROUPS


def private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is None or chat.type == "private"


class _Addressed(filters.MessageFilter):
    """A group message that mentions the bot (@name) or replies to one of its messages."""

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        replied = message.reply_to_message
        if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
            return True
        name = f"@{bot.username}".lower() if bot.username else None
        return name is not None and name in (message.text or message.caption or "").lower()


ADDRESSED = _Addressed()


async def ignore(update: Update, context: Context) -> None:
    """Group chatter not addressed to the bot: nothing after this handler sees it."""
    raise ApplicationHandlerStop


def addressed_text(update: Update, context: Context) -> str:
    """A message's text (or a photo's caption) without the @mention of this bot, in any case:
    Telegram usernames are case-insensitive, and so is the filter above."""
    message = update.effective_message
    text = (message.text or message.caption or "") if message is not None else ""
    if context.bot.username:
        text = re.sub(rf"@{re.escape(context.bot.username)}\b", " ", text, flags=re.IGNORECASE)
    return text.strip()


async def to_private(update: Update, context: Context, what: str) -> None:
    """Guides and lookups carry a courier's own dates and outlet: not for the group."""
    link = f"https://t.me/{context.bot.username}?start={what}" if context.bot.username else ""
    await send(update, Reply(render("private_only", link=link)))
