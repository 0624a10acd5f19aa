"""/forgetme: a courier removes what the bot keeps about them."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ConversationHandler

from bot.render import render
from bot.reply import Reply
from handlers.common import assistant, checkpoint, send, user_of
from handlers.context import Context


async def forget_me(update: Update, context: Context) -> int:
    core, user = assistant(context), user_of(update, context)
    # A command comes from a user (so PTB makes their user_data); the job-queue extra is a
    # dependency.
    assert user is not None and context.user_data is not None and context.job_queue is not None
    removed = core.storage.forget(user)
    for reminder_id in removed["reminders"]:
        for job in context.job_queue.get_jobs_by_name(f"reminder-{reminder_id}"):
            job.schedule_removal()
    context.user_data.clear()  # guide progress, offered deadlines, a waiting outlet prompt
    await checkpoint(update, context, ConversationHandler.END)  # gone before we say so
    await send(update, Reply(render("forgotten", reminders=len(removed["reminders"]))))
    return ConversationHandler.END  # also leaves a guide in progress
