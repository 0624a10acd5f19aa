"""The 工伤认定 and 劳动能力鉴定 guides as one ConversationHandler over the core's GuideFlow."""

from __future__ import annotations

import logging
import re
import time
import warnings
from typing import Any

from telegram import InputFile, Update
from telegram.error import TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.guides.flow import (
    BACK,
    CANCEL,
    MENU_GUIDES,
    RESTART,
    RESUME,
    RETRY,
    GuideFlow,
    parse_callback,
    wants_resume,
)
from bot.render import label, render
from bot.reply import Reply
from bot.text import looks_like_question
from handlers import groups, outlets, privacy, qa, reload, reminders
from handlers.common import CONVERSATION, assistant, checkpoint, for_another_bot, send, user_of
from handlers.context import Context

log = logging.getLogger(__name__)
IN_GUIDE, PAUSED = 1, 2  # PAUSED: a command came mid-guide; texts are questions, buttons resume
SESSION = "guide"  # context.user_data key of the engine's session (persisted)
IDLE = 1800.0  # seconds: a guide left this long is over, and the next text is a question again
# Commands that work mid-guide too (the guide then waits: "继续指引？"); /cancel /back /injury
# /assess /forgetme act on the guide itself.
ELSEWHERE = {
    "help": qa.help_reply,
    "start": qa.start_reply,
    "region": qa.region_reply,
    "benefit": qa.benefit_reply,
    "outlet": outlets.outlet_reply,
    "premium": outlets.premium_reply,
    "stats": outlets.stats_reply,
    "reload": reload.reload_reply,
    "reminders": reminders.list_reply,
}


def flow(context: Context) -> GuideFlow:
    guides = context.bot_data.flow
    assert guides is not None  # set by handlers.app.build before any update is handled
    return guides


async def _reply(update: Update, context: Context, reply: Reply, session: dict | None) -> int:
    assert context.user_data is not None  # guides run for a user: PTB makes their user_data
    if session is None:
        context.user_data.pop(SESSION, None)
    else:
        session["at"] = time.time()  # persisted with it: idle guides end even across restarts
        context.user_data[SESSION] = session
    if reply.outcome:  # the guide's region becomes the courier's, if they had none (L16)
        region = reply.outcome.answers.get("region")
        note = assistant(context).adopt_region(user_of(update, context), region)
        reply.text += "\n\n" + note if note else ""
    if reply.outcome and reply.outcome.upcoming:
        reminders.remember_offer(context, reply.outcome.upcoming)
    state = ConversationHandler.END if session is None else IN_GUIDE
    await checkpoint(update, context, state)
    try:
        await send(update, reply)
    except TelegramError:
        # The step is already saved: keep PTB's state in step with it. The courier's next
        # message or button press is answered from this step.
        log.warning("guide reply not delivered", exc_info=True)
        return state
    if reply.document:
        name, content = reply.document
        assert update.effective_chat is not None  # guides run in a chat (send() above had one)
        await update.effective_chat.send_document(
            InputFile(content, filename=name), caption=label("file_caption")
        )
    if reply.outcome and reply.outcome.upcoming:
        await reminders.offer(update, context, reply.outcome.upcoming)
    return state


async def _start(update: Update, context: Context, guide_id: str, force: bool = False) -> int:
    if not groups.private(update):  # a courier's dates and deadlines are not for the group
        await groups.to_private(update, context, guide_id)
        return ConversationHandler.END
    current = context.user_data.get(SESSION) if context.user_data is not None else None
    answered = bool(current and current.get("history"))  # at step 1 nothing would be lost
    if (
        not force
        and answered
        and _active(context, current)
        and guide_id in flow(context).engine.guides
    ):
        assert current is not None  # _active() checked
        await send(update, flow(context).restart_offer(current, guide_id))
        return IN_GUIDE  # nothing thrown away until the courier says so (L11)
    reply, session = flow(context).start(guide_id)
    return await _reply(update, context, reply, session)


def _active(context: Context, session: dict | None) -> bool:
    """A guide in progress that is neither stale nor left idle for longer than IDLE."""
    if session is None or flow(context).resume(session) is None:
        return False
    return not _idle(session)


def _idle(session: dict) -> bool:
    """Left alone for longer than IDLE (the time of its last step is stored with it)."""
    return time.time() - session.get("at", time.time()) > IDLE


async def start_linked(update: Update, context: Context) -> int:
    """/start injury|assess: the private-chat link a group reply gave."""
    return await _start(update, context, (context.args or [""])[0])


async def start_injury(update: Update, context: Context) -> int:
    return await _start(update, context, "injury")


async def start_assess(update: Update, context: Context) -> int:
    return await _start(update, context, "assess")


async def start_from_menu(update: Update, context: Context) -> int:
    query = update.callback_query
    assert query is not None  # a CallbackQueryHandler's update has a query
    await query.answer()
    # .get: PTB lets empty callback data match any pattern, and "$" matches before a final "\n";
    # an unknown guide gets the "no guide in progress" reply instead of a KeyError.
    return await _start(update, context, MENU_GUIDES.get(query.data or "", ""))


async def text(update: Update, context: Context) -> int:
    message, user_data = update.effective_message, context.user_data
    # filters.TEXT: a message with text; guides run for a user, so PTB makes their user_data.
    assert message is not None and message.text is not None and user_data is not None
    session = user_data.get(SESSION)
    if session is not None and _idle(session):
        return await _expired(update, context, session, message.text)
    reply, new = flow(context).answer(session, message.text)
    if session is not None and reply.intent == RETRY and looks_like_question(message.text):
        answered = await _as_question(update, context, session, message.text)
        if answered:
            return IN_GUIDE
    return await _reply(update, context, reply, new)


async def _as_question(update: Update, context: Context, session: dict, text: str) -> bool:
    """A question typed where the step wanted a choice or a date: answered, if the FAQ knows
    it, with a note of where the guide stands (the step is not changed)."""
    reply = assistant(context).ask(text, user_of(update, context))
    if reply.match is None or not reply.match.answered:
        return False
    title, number = flow(context).where(session)
    reply.text += "\n\n" + render("guide_still", title=title, number=number)
    await send(update, reply, context)
    return True


async def _expired(update: Update, context: Context, session: dict, text: str) -> int:
    """A guide idle for longer than IDLE is over: the text is answered as a question."""
    assert context.user_data is not None  # text() checked
    context.user_data.pop(SESSION, None)
    await checkpoint(update, context, ConversationHandler.END)
    title, _ = flow(context).where(session)
    reply = assistant(context).ask(text, user_of(update, context))
    command = "/" + str(session.get("guide", "injury"))
    note = render("guide_expired", title=title, minutes=int(IDLE // 60), command=command)
    reply.text = note + "\n\n" + reply.text
    await send(update, reply, context)
    return ConversationHandler.END


async def paused_text(update: Update, context: Context) -> int:
    """A text while the guide waits: 继续 resumes it; anything else is a question (and a guide
    left alone for IDLE is dropped, so its answers are not kept for ever)."""
    message, user_data = update.effective_message, context.user_data
    assert message is not None and message.text is not None and user_data is not None
    session = user_data.get(SESSION)
    if session is not None and wants_resume(message.text):
        current = flow(context).resume(session)
        if current is not None:
            return await _reply(update, context, current, session)
    if session is not None and _idle(session):
        return await _expired(update, context, session, message.text)
    await qa.question(update, context)
    return PAUSED


async def elsewhere(update: Update, context: Context) -> int:
    """/help, /region, /outlet … mid-guide: answered as anywhere else, in one message that also
    says the guide waits ("继续指引？"); until the courier picks, texts are questions again."""
    message = update.effective_message
    assert message is not None and message.text is not None  # a CommandHandler's update
    name = message.text.split()[0].split("@")[0].lstrip("/").lower()
    reply = ELSEWHERE[name](update, context)
    assert context.user_data is not None  # a command comes from a user
    session = context.user_data.get(SESSION)
    if session is None or flow(context).resume(session) is None:
        await send(update, reply, context)
        return ConversationHandler.END
    paused = flow(context).paused(session)
    reply.text += "\n\n" + paused.text
    reply.buttons += paused.buttons
    await send(update, reply, context)
    return PAUSED


async def button(update: Update, context: Context) -> int:
    query, user_data = update.callback_query, context.user_data
    # A CallbackQueryHandler's update has a query, and a query always has a user (so user_data).
    assert query is not None and user_data is not None
    await query.answer()
    session = user_data.get(SESSION)
    if (query.data or "").startswith(RESTART):
        return await _start(update, context, (query.data or "")[len(RESTART) :], force=True)
    if query.data == RESUME:
        current = flow(context).resume(session)
        if current is None:
            return await _reply(update, context, Reply(render("guide_none")), None)
        return await _reply(update, context, current, session)
    if query.data == BACK:
        return await back(update, context)
    if query.data == CANCEL:
        return await cancel(update, context)
    parsed = parse_callback(query.data or "")
    if parsed is None:
        await send(update, Reply(render("stale_button")))
        return IN_GUIDE
    reply, session = flow(context).answer(session, parsed[1], step_id=parsed[0])
    return await _reply(update, context, reply, session)


async def back(update: Update, context: Context) -> int:
    assert context.user_data is not None  # guides run for a user: PTB makes their user_data
    session = context.user_data.get(SESSION)
    first = session is not None and not session.get("history")
    reply = flow(context).back(session) if session else None
    if reply is None:
        return await _reply(update, context, Reply(render("guide_none")), None)
    if first:  # nothing to go back to: say so instead of silently asking step 1 again
        reply.text = render("guide_first") + "\n\n" + reply.text
    return await _reply(update, context, reply, session)


async def cancel(update: Update, context: Context) -> int:
    assert context.user_data is not None  # guides run for a user: PTB makes their user_data
    reply = flow(context).cancel(context.user_data.get(SESSION))
    return await _reply(update, context, reply, None)


async def busy(update: Update, context: Context) -> int:
    """Another command or a sticker mid-guide: say how to go on, and ask the step again."""
    if for_another_bot(update, context):
        return IN_GUIDE  # ignored on purpose: another bot's command in a group
    assert context.user_data is not None  # guides run for a user: PTB makes their user_data
    session = context.user_data.get(SESSION)
    current = flow(context).resume(session)
    if current is None:
        return await _reply(update, context, Reply(render("guide_none")), None)
    assert session is not None  # resume() found its step
    title = flow(context).title(session["guide"])
    current.text = render("guide_busy", title=title) + "\n\n" + current.text
    return await _reply(update, context, current, session)


def conversation() -> ConversationHandler:
    # per_message=False on purpose: a guide belongs to the courier in this chat, and old buttons are
    # caught by the step id in their callback data. PTB warns about that combination; we chose it.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        own: list[BaseHandler[Update, Any, object]] = [  # the guide's own commands, every state
            CommandHandler("forgetme", privacy.forget_me),
            CallbackQueryHandler(privacy.confirm, pattern=privacy.PATTERN),  # "yes" ends the guide
            CommandHandler("cancel", cancel),
            CommandHandler("back", back),
            CommandHandler("injury", start_injury),
            CommandHandler("assess", start_assess),
        ]
        return ConversationHandler(
            entry_points=[
                CommandHandler("injury", start_injury),
                CommandHandler("assess", start_assess),
                CallbackQueryHandler(
                    start_from_menu, pattern=f"^({'|'.join(map(re.escape, MENU_GUIDES))})$"
                ),
                CommandHandler(
                    "start", start_linked, filters.Regex(r"^/start(@\S+)?\s+(injury|assess)$")
                ),
            ],
            states={
                IN_GUIDE: [
                    CallbackQueryHandler(button, pattern="^g:"),
                    MessageHandler(filters.TEXT & ~filters.COMMAND, text),
                    CommandHandler(list(ELSEWHERE), elsewhere),
                    *own,
                    MessageHandler(~filters.StatusUpdate.ALL, busy),  # not joins, pins, titles…
                ],
                # Paused: the guide's buttons (and 继续/结束) still work; texts, other commands and
                # other buttons go to the other handlers as if no guide were running.
                PAUSED: [
                    CallbackQueryHandler(button, pattern="^g:"),
                    MessageHandler(filters.TEXT & ~filters.COMMAND, paused_text),
                ],
            },
            fallbacks=own,
            name=CONVERSATION,
            persistent=True,
            allow_reentry=True,
            per_message=False,
        )
