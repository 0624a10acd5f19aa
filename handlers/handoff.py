"""Questions passed to officials (the logic is in bot/handoff.py): the courier's consent, the
ticket in the officials' chat, an official's reply relayed to the courier, the courier's one
answer back, and the hourly sweep that tells couriers about unanswered tickets and closes old ones.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from telegram import ReplyParameters, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application, ApplicationHandlerStop

from bot.handoff import ANSWER_BACK, ANSWER_MAX, SEND, WORKING_DAYS, Handoff
from bot.handoff_chats import seal_legacy
from bot.render import label, render
from bot.reply import PROMPT_TTL, Reply
from bot.storage.sealed import SealError
from handlers import groups
from handlers.common import assistant, keyboard_json, post_message, send, user_of
from handlers.context import Context

log = logging.getLogger(__name__)
# user_data: the ticket the courier's next text answers back, and until when (persisted).
ANSWERING = "handoff_answering"
SWEEP, SWEEP_EVERY, SWEEP_FIRST = "handoff-sweep", 3600, 60  # seconds


def clock() -> datetime:
    """Now, for every ticket time here: tests replace it to fix the date."""
    return datetime.now(UTC)


def desk(context: Context) -> Handoff | None:
    return assistant(context).handoff


# --- the courier's side ---------------------------------------------------------------------------
async def button(update: Update, context: Context) -> None:
    """转给工作人员 (consent) or 回复工作人员 (the one answer back)."""
    query = update.callback_query
    assert query is not None  # a CallbackQueryHandler's update has a query
    await query.answer()
    if not groups.private(update):  # never offered in a group, and nothing is stored from one
        return
    handoff, data = desk(context), query.data or ""
    ticket = data.removeprefix(ANSWER_BACK) if data.startswith(ANSWER_BACK) else ""
    if handoff is None:  # the button of an offer made before [handoff] was turned off
        await send(update, Reply(render("stale_button")))
    elif data == SEND:
        await _consent(update, context, handoff)
    elif ticket.isascii() and ticket.isdigit() and len(ticket) <= 12:  # a row id, else forged
        await send(update, _answer_back_prompt(update, context, handoff, int(ticket)))
    else:
        await send(update, Reply(render("stale_button")))


async def _consent(update: Update, context: Context, handoff: Handoff) -> None:
    """Post the held question as a ticket to the officials' chat; tell the courier its number."""
    chat = update.effective_chat
    assert chat is not None  # the offer is a message in this chat
    question = handoff.take(user_of(update, context))
    if question is None:  # pressed twice, or held past its time (or before a restart)
        await send(update, Reply(render("handoff_stale")))
        return
    row = handoff.tickets.create(question, chat.id, clock())
    officials = assistant(context).config.handoff_chat_id
    assert officials is not None  # a Handoff exists only with an officials' chat
    try:
        posted = await context.bot.send_message(officials, handoff.officials_text(row))
    except TelegramError as exc:  # the bot is not in that chat, or the network is down
        log.warning("handoff ticket not posted (%s)", type(exc).__name__)
        handoff.tickets.discard(row["id"])
        await send(update, Reply(render("handoff_failed")))
        return
    handoff.tickets.posted(row["id"], posted.message_id)
    await send(update, Reply(render("handoff_sent", ticket=row["ticket"], days=WORKING_DAYS)))


def _answer_back_prompt(
    update: Update, context: Context, handoff: Handoff, ticket_id: int
) -> Reply:
    chat = update.effective_chat
    assert chat is not None and context.user_data is not None  # a button press in a chat
    row = handoff.tickets.get(ticket_id)
    ok = (
        row is not None
        and row["status"] == "answered"
        and handoff.tickets.linked(ticket_id, chat.id)
    )
    if ok:
        context.user_data[ANSWERING] = {"ticket": ticket_id, "until": time.time() + PROMPT_TTL}
    return Reply(render("handoff_reply_prompt", ok=ok, ticket=row["ticket"] if row else ""))


async def answer_back(update: Update, context: Context) -> None:
    """Runs first on a private text (group -2): after 回复工作人员, the next text goes to the
    officials as a reply to the ticket, and the ticket closes. A command instead drops it."""
    waiting = context.user_data.pop(ANSWERING, None) if context.user_data is not None else None
    message, chat, handoff = update.effective_message, update.effective_chat, desk(context)
    if not waiting or waiting["until"] < time.time() or handoff is None:
        return
    assert message is not None and message.text is not None and chat is not None  # TEXT filter
    if message.text.startswith("/"):
        return
    row = handoff.tickets.answer_back(waiting["ticket"], chat.id, message.text, clock())
    if row is None:  # closed meanwhile (expired, or answered back already)
        await send(update, Reply(render("handoff_followup_sent", ok=False, ticket="")))
        raise ApplicationHandlerStop
    officials = assistant(context).config.handoff_chat_id
    assert officials is not None  # a Handoff exists only with an officials' chat
    try:
        await context.bot.send_message(
            officials,
            render("handoff_followup", ticket=row["ticket"], text=row["followup"]),
            reply_parameters=_replying_to(row["officials_message_id"]),
        )
    except TelegramError as exc:
        log.warning("answer back not posted (%s)", type(exc).__name__)
        await send(update, Reply(render("handoff_failed")))
        raise ApplicationHandlerStop from None
    await send(update, Reply(render("handoff_followup_sent", ok=True, ticket=row["ticket"])))
    raise ApplicationHandlerStop


async def drop_answer_back(update: Update, context: Context) -> None:
    """Any button press (group -2) ends a waiting answer back: the courier moved on."""
    if context.user_data is not None:
        context.user_data.pop(ANSWERING, None)


# --- the officials' side --------------------------------------------------------------------------
async def official_reply(update: Update, context: Context) -> None:
    """A text reply in the officials' chat (group -2). A reply to a ticket from an admin is
    relayed to the courier; anyone else's is ignored. Replies to the bot never go on to be
    answered as questions there."""
    message, user, handoff = update.effective_message, update.effective_user, desk(context)
    assert message is not None and message.text is not None  # a MessageHandler(REPLY & TEXT)
    replied = message.reply_to_message
    if handoff is None or replied is None or replied.from_user is None:
        return
    if replied.from_user.id != context.bot.id:
        return  # a reply between officials: the group rules apply
    row = handoff.tickets.by_message(replied.message_id)
    if row is None or user is None or user.id not in assistant(context).config.admin_ids:
        raise ApplicationHandlerStop  # not a ticket, or not an official: nothing is relayed
    status = (
        await _relay(context, handoff, row, message.text)
        if row["status"] == "open"
        else row["status"]
    )
    await send(update, Reply(render("handoff_relayed", status=status, ticket=row["ticket"])))
    raise ApplicationHandlerStop


async def _relay(context: Context, handoff: Handoff, row: dict, text: str) -> str:
    """Send the official's reply to the courier with 回复工作人员; "sent", or why not."""
    try:
        chat = handoff.tickets.chat_of(row["id"])
    except SealError:  # the link is kept, open, in case the salt is put back (README, PRIVACY)
        log.warning("ticket %s sealed under another user_salt: reply not relayed", row["id"])
        return "unreachable"
    if chat is None:
        return "closed"
    back = Reply("", [(label("handoff_reply"), f"{ANSWER_BACK}{row['id']}")])
    try:
        await post_message(
            context.bot,
            chat,
            render("handoff_answer", ticket=row["ticket"], answer=text[:ANSWER_MAX]),
            keyboard_json(back),
        )
    except TelegramError as exc:  # blocked, or the network: the ticket stays open
        log.warning("official's reply not relayed (%s)", type(exc).__name__)
        return "unreachable"
    handoff.tickets.answer(row["id"], text, clock())
    return "sent"


def _replying_to(message_id: int | None) -> ReplyParameters | None:
    if message_id is None:
        return None
    return ReplyParameters(message_id, allow_sending_without_reply=True)


# --- unanswered and old tickets ---------------------------------------------------------------------
def schedule(app: Application) -> None:
    """At every start-up: seal the chat ids stored before m005_sealed_handoff_chats (even with
    [handoff] off now: they must not stay raw), then start the hourly sweep (JobQueue jobs are
    not persisted)."""
    core = app.bot_data.assistant
    seal_legacy(core.storage.db, core.config.user_salt)
    if core.handoff is None:
        return
    assert app.job_queue is not None  # the job-queue extra is a dependency
    app.job_queue.run_repeating(sweep, interval=SWEEP_EVERY, first=SWEEP_FIRST, name=SWEEP)


async def sweep(context: Context) -> None:
    """Tell couriers whose ticket went unanswered WORKING_DAYS working days (once), then close
    the tickets past close_after_days — whatever went wrong with the notices."""
    handoff, now = desk(context), clock()
    if handoff is None:
        return
    try:
        for row in handoff.tickets.overdue(now):
            try:
                await _tell_overdue(context, handoff, row, now)
            except Exception:  # a bug or a busy database: the other tickets still get theirs
                log.exception("overdue notice failed for one ticket")
    finally:
        handoff.tickets.expire(now)


async def _tell_overdue(context: Context, handoff: Handoff, row: dict, now: datetime) -> None:
    """The overdue notice for one ticket; marked as told unless the network failed (the next
    sweep tries again)."""
    tickets = handoff.tickets
    try:
        chat = tickets.chat_of(row["id"])
    except SealError:  # cannot be told: like a blocked chat
        log.warning("ticket %s sealed under another user_salt: no overdue notice", row["id"])
        chat = None
    if chat is not None:
        text = render("handoff_overdue", ticket=row["ticket"], days=WORKING_DAYS)
        try:
            await context.bot.send_message(chat, text)
        except (Forbidden, BadRequest) as exc:  # blocked the bot, chat gone: cannot help
            log.warning("overdue notice not deliverable (%s)", type(exc).__name__)
        except TelegramError as exc:  # the network: the next sweep tries again
            log.warning("overdue notice not sent (%s)", type(exc).__name__)
            return
    tickets.notified(row["id"], now)
