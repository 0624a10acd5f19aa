"""/forgetme: a courier removes what the bot keeps about them, after saying yes."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ConversationHandler

from bot.handoff_chats import chat_key
from bot.render import macro_lines, render
from bot.reply import FORGET, Reply
from handlers import groups
from handlers.common import assistant, checkpoint, send, user_of
from handlers.context import Context

YES, NO = f"{FORGET}yes", f"{FORGET}no"
PATTERN = f"^{FORGET}(yes|no)$"
# handlers.guide.SESSION, spelled out: guide imports this module (a test keeps the two equal).
GUIDE_SESSION = "guide"


def ask_reply() -> Reply:
    """Ask first: the command is one tap in Telegram's menu, and it takes deadline reminders."""
    buttons = list(zip(macro_lines("forget_ask", "buttons"), (YES, NO), strict=True))
    return Reply(render("forget_ask"), buttons=buttons)


async def forget_me(update: Update, context: Context) -> None:
    """In private only: what is forgotten (a guide's progress, reminders) lives in the private
    chat, and a group would see the question."""
    if not groups.private(update):
        await groups.to_private(update, context, "forgetme")
        return
    await send(update, ask_reply())
    # None keeps a guide in progress where it was (the guide registers this handler too).


async def confirm(update: Update, context: Context) -> int | None:
    """The answer to "确定要删除吗？". A second or stale "yes" finds nothing and says so."""
    query = update.callback_query
    assert query is not None  # a CallbackQueryHandler's update has a query
    await query.answer()
    if query.data != YES:
        await send(update, Reply(render("forget_kept")))
        return None  # a guide in progress goes on
    if not groups.private(update):  # an old or forged button in a group: not there
        await groups.to_private(update, context, "forgetme")
        return None
    removed = _remove(update, context)
    await checkpoint(update, context, ConversationHandler.END)  # gone before we say so
    await send(update, Reply(render("forgotten", **removed)))
    return ConversationHandler.END  # also leaves a guide in progress


def _remove(update: Update, context: Context) -> dict:
    """Delete the stored records, the reminder jobs and the user data, and cut the courier's
    handoff tickets off their chat (held question included); return what the courier would have
    seen: their region, a guide in progress, pending reminders, linked lookups, open tickets."""
    core, user, person = assistant(context), user_of(update, context), update.effective_user
    # A button press comes from a user (so PTB makes their user_data); the job queue is a
    # dependency.
    assert user is not None and person is not None and context.user_data is not None
    assert context.job_queue is not None
    # Tickets are opened in the private chat only, whose id is the user's id.
    stored = core.storage.forget(user, chat_key(core.config.user_salt, person.id))
    if core.handoff is not None:
        core.handoff.forget(user)
    for reminder_id in stored["reminder_ids"]:
        for job in context.job_queue.get_jobs_by_name(f"reminder-{reminder_id}"):
            job.schedule_removal()
    guide = GUIDE_SESSION in context.user_data
    context.user_data.clear()  # guide progress, offered deadlines, a waiting outlet prompt
    return {
        "region": stored["region"],
        "guide": guide,
        "reminders": len(stored["pending"]),
        "lookups": stored["lookups"],
        "tickets": stored["tickets"],
    }
