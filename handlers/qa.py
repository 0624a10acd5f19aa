"""Policy questions: /start, /help, /region, free text, buttons, non-text messages, errors."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.feedback import without_votes
from bot.outlets.lookups import POSTER_PREFIX
from bot.render import render
from bot.reply import MENU, OUTLET, Reply
from handlers import groups, privacy, reminders
from handlers.application import kind_of
from handlers.common import assistant, for_another_bot, send, user_of
from handlers.context import Context

log = logging.getLogger(__name__)


def start_reply(update: Update, context: Context) -> Reply:
    """/start, /start outlet|reminders|forgetme from the private-chat link a group reply gave, or
    /start o<key> from an outlet poster's QR code."""
    core, user = assistant(context), user_of(update, context)
    link = (context.args or [""])[0]
    if link == "outlet":
        return core.outlets.prompt(user)
    if link == "reminders":
        return reminders.list_reply(update, context)
    if link == "forgetme":
        return privacy.ask_reply()
    if link.startswith(POSTER_PREFIX):
        return core.outlets.from_poster(link, user, core.welcome(user))
    return core.welcome(user)


def help_reply(update: Update, context: Context) -> Reply:
    return assistant(context).help()


def region_reply(update: Update, context: Context) -> Reply:
    core, user = assistant(context), user_of(update, context)
    name = " ".join(context.args or []).strip()
    return core.set_region(user, name) if name else core.region_menu(user)


def benefit_reply(update: Update, context: Context) -> Reply:
    return assistant(context).benefit(" ".join(context.args or []))


async def start(update: Update, context: Context) -> None:
    link = (context.args or [""])[0]
    if link and not groups.private(update):  # /start outlet|reminders typed in a group
        await groups.to_private(update, context, link)
        return
    await send(update, start_reply(update, context), context)


async def help_(update: Update, context: Context) -> None:
    await send(update, help_reply(update, context), context)


async def region(update: Update, context: Context) -> None:
    await send(update, region_reply(update, context), context)


async def benefit(update: Update, context: Context) -> None:
    await send(update, benefit_reply(update, context), context)


async def question(update: Update, context: Context) -> None:
    """Free text: in a group it reached here only when addressed to the bot (handlers/groups.py),
    and an unanswered one is not kept as a gap there."""
    await _answer(update, context, groups.addressed_text(update, context))


async def _answer(update: Update, context: Context, text: str) -> None:
    in_group = not groups.private(update)
    reply = assistant(context).ask(text, user_of(update, context), in_group=in_group)
    if reply.private:  # a group's lookup: the core asks for it in private
        await groups.to_private(update, context, reply.private)
        return
    await send(update, reply, context)


async def button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None  # a CallbackQueryHandler's update has a query
    await query.answer()
    data, private = query.data or "", groups.private(update)
    if (data == MENU + "outlet" or data.startswith(OUTLET)) and not private:
        await groups.to_private(update, context, "outlet")
        return
    reply = assistant(context).callback(data, user_of(update, context))
    if not private:  # nothing is stored from a group: no 👍/👎 there
        reply = without_votes(reply)
    await send(update, reply, context)


async def no_guide(update: Update, context: Context) -> None:
    """/back or /cancel with no guide running: say so, rather than print the whole /help."""
    await send(update, Reply(render("guide_none")))


async def not_text(update: Update, context: Context) -> None:
    """A photo with a caption is answered by its caption (这是我的诊断书，算工伤吗); anything else,
    a voice message included, gets a kind request for text."""
    message = update.effective_message
    caption = groups.addressed_text(update, context) if message and message.caption else ""
    if caption:
        await _answer(update, context, caption)
        return
    voice = message is not None and message.voice is not None
    await send(update, Reply(render("not_text", voice=voice)))


async def unknown_command(update: Update, context: Context) -> None:
    if for_another_bot(update, context):
        return  # ignored on purpose: another bot's command in a group
    await send(update, assistant(context).help())


async def ignore(update: Update, context: Context) -> None:
    """Edited messages are ignored on purpose, everywhere: re-running an edited command, or
    taking an edit of an earlier answer as the answer to the guide's current step, would
    confuse more than help. Nothing after this handler sees the update."""
    raise ApplicationHandlerStop


async def error(update: object, context: Context) -> None:
    """Log the failure with the update's kind only (no personal data) and tell the courier."""
    log.error("update failed (%s)", kind_of(update), exc_info=context.error)
    if isinstance(update, Update):
        failed: set[int] = getattr(context.application, "failed_updates", set())
        failed.add(update.update_id)
    if isinstance(update, Update) and update.effective_chat:
        try:
            await send(update, Reply(render("error")))
        except Exception:  # the network may be what failed; the log above has the cause
            log.warning("could not send the error reply")
