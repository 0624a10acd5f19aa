"""Outlet coverage: /outlet (lookup flow), the answer to its prompt, /stats (admins), /premium.

Picking a candidate ("ol:<id>" buttons) and the menu's "查网点参保" go through qa.button and
Assistant.callback like every other button.
"""

from __future__ import annotations

import time

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.reply import Reply
from handlers import groups
from handlers.common import CHANNEL, PROMPT, assistant, send, user_of
from handlers.context import Context


def outlet_reply(update: Update, context: Context) -> Reply:
    """/outlet [name or number]: look it up now, or ask for it."""
    desk, user = assistant(context).outlets, user_of(update, context)
    text = " ".join(context.args or []).strip()
    return desk.lookup(text, user, CHANNEL) if text else desk.prompt(user)


async def outlet(update: Update, context: Context) -> None:
    if not groups.private(update):
        await groups.to_private(update, context, "outlet")
        return
    await send(update, outlet_reply(update, context), context)


async def pending(update: Update, context: Context) -> None:
    """Runs before the other handlers (group -1) on every text: the answer to the outlet prompt
    is looked up and goes no further. The prompt is used up either way: a command or a question
    instead (上班路上被车撞了算工伤吗) goes on to its own handler and is never logged as a lookup."""
    if not groups.private(update):  # the prompt was asked in the private chat: answered there
        return
    prompt = context.user_data.pop(PROMPT, None) if context.user_data is not None else None
    if not prompt or prompt.get("until", 0) < time.time():
        return
    message = update.effective_message
    assert message is not None and message.text is not None  # a MessageHandler(TEXT) update
    desk = assistant(context).outlets
    if desk.answers_prompt(message.text):
        await send(
            update, desk.lookup(message.text.strip(), user_of(update, context), CHANNEL), context
        )
        raise ApplicationHandlerStop


async def drop_prompt(update: Update, context: Context) -> None:
    """Any button press (group -1) ends a waiting prompt: the courier moved on."""
    if context.user_data is not None:
        context.user_data.pop(PROMPT, None)


def stats_reply(update: Update, context: Context) -> Reply:
    """/stats: coverage and lookups this month, for the officials in config admin_ids only."""
    core = assistant(context)
    user = update.effective_user
    return core.outlets.stats(user is not None and user.id in core.config.admin_ids)


def premium_reply(update: Update, context: Context) -> Reply:
    """/premium HEADCOUNT [BASE] [RATE%] [REGION]: the outlet's yearly premium estimate."""
    core = assistant(context)
    return core.outlets.premium(" ".join(context.args or []), user_of(update, context))


async def stats(update: Update, context: Context) -> None:
    await send(update, stats_reply(update, context))


async def premium(update: Update, context: Context) -> None:
    await send(update, premium_reply(update, context))
