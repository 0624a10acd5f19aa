"""Outlet coverage: /outlet (lookup flow), the answer to its prompt, /stats (admins), /premium.

Picking a candidate ("ol:<id>" buttons) and the menu's "查网点参保" go through qa.button and
Assistant.callback like every other button.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from handlers.common import assistant, send, user_of
from handlers.context import Context

CHANNEL = "telegram"


async def outlet(update: Update, context: Context) -> None:
    """/outlet [name or number]: look it up now, or ask for it."""
    desk, user = assistant(context).outlets, user_of(update, context)
    text = " ".join(context.args or []).strip()
    await send(update, desk.lookup(text, user, CHANNEL) if text else desk.prompt(user))


async def pending(update: Update, context: Context) -> None:
    """Runs before the other handlers (group -1): a text answering the outlet prompt is looked
    up and goes no further; any other command drops the prompt."""
    desk = assistant(context).outlets
    if not desk.waiting():
        return
    message = update.effective_message
    assert message is not None  # a MessageHandler(TEXT) update
    user, text = user_of(update, context), message.text or ""
    if text.startswith("/"):
        if not text.startswith("/outlet"):
            desk.cancel(user)
        return
    if desk.take_pending(user):
        await send(update, desk.lookup(text, user, CHANNEL))
        raise ApplicationHandlerStop


async def stats(update: Update, context: Context) -> None:
    """/stats: coverage and lookups this month, for the officials in config admin_ids only."""
    core = assistant(context)
    user = update.effective_user
    admin = user is not None and user.id in core.config.admin_ids
    await send(update, core.outlets.stats(admin))


async def premium(update: Update, context: Context) -> None:
    """/premium HEADCOUNT [BASE] [RATE%] [REGION]: the outlet's yearly premium estimate."""
    core = assistant(context)
    await send(update, core.outlets.premium(" ".join(context.args or []), user_of(update, context)))
