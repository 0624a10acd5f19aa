"""Deadline reminders: the offer after a guide, JobQueue delivery, /reminders with cancel buttons."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

from telegram import Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application

from bot.dates import CHINA, Deadline
from bot.guides.reminders import Reminders, describe, due_at, last_day
from bot.render import label, render
from bot.reply import REMINDER, Reply
from handlers.common import send, user_of
from handlers.context import Context

log = logging.getLogger(__name__)
OFFERED = "offered_deadlines"  # user_data key: deadlines the last guide offered reminders for
ADD, NO, CANCEL = REMINDER + "add", REMINDER + "no", REMINDER + "cancel:"
RETRY_SECONDS = 60


def store(context: Context) -> Reminders:
    reminders = context.bot_data.reminders
    assert reminders is not None  # set by handlers.app.build before any update is handled
    return reminders


def remember_offer(context: Context, deadlines: list[Deadline]) -> None:
    assert context.user_data is not None  # guides run for a user: PTB makes their user_data
    context.user_data[OFFERED] = [[d.key, d.last_day.isoformat()] for d in deadlines]


async def offer(update: Update, context: Context, deadlines: list[Deadline]) -> None:
    remember_offer(context, deadlines)
    await send(
        update,
        Reply(
            render("reminders_offer", deadlines=deadlines),
            [(label("remind_yes"), ADD), (label("remind_no"), NO)],
        ),
    )


async def button(update: Update, context: Context) -> None:
    query, user_data = update.callback_query, context.user_data
    # A CallbackQueryHandler's update has a query, and a query always has a user (so user_data).
    assert query is not None and user_data is not None
    await query.answer()
    user = user_of(update, context)
    assert user is not None  # a query always has a user
    data = query.data
    assert data is not None  # our "rem:" buttons all carry data (a data-less query fails as before)
    if data == ADD and user_data.get(OFFERED):
        today = datetime.now(CHINA).date()
        deadlines = [
            Deadline(k, datetime.fromisoformat(d).date(), today) for k, d in user_data.pop(OFFERED)
        ]
        chat = update.effective_chat
        assert chat is not None  # the offer is a message in a chat: its buttons are too
        store(context).plan(deadlines, chat.id, user)
        rows = [r for r in store(context).pending(user)]
        for row in rows:
            schedule(context.application, row)
        await send(update, Reply(render("reminders_set", rows=[describe(r) for r in rows])))
    elif data == NO:
        user_data.pop(OFFERED, None)
        await send(update, Reply(render("reminders_declined")))
    elif data.startswith(CANCEL) and re.fullmatch(r"[0-9]{1,12}", data[len(CANCEL) :]):
        ok = store(context).cancel(int(data[len(CANCEL) :]), user)
        await send(update, Reply(render("reminder_cancelled", ok=ok)))
    else:
        await send(update, Reply(render("stale_button")))


def list_reply(update: Update, context: Context) -> Reply:
    rows = [describe(r) for r in store(context).pending(user_of(update, context))]
    buttons = [(label("remind_cancel", n=i), f"{CANCEL}{r['id']}") for i, r in enumerate(rows, 1)]
    return Reply(render("reminders_list", rows=rows), buttons)


async def list_command(update: Update, context: Context) -> None:
    await send(update, list_reply(update, context))


def schedule(app: Application, row: dict) -> None:
    """Queue one stored reminder; one already due (e.g. while the bot was down) fires at once."""
    name = f"reminder-{row['id']}"
    assert app.job_queue is not None  # the job-queue extra is a dependency
    if app.job_queue.get_jobs_by_name(name):
        return
    delay = max(0.0, (due_at(row) - datetime.now(UTC)).total_seconds())
    app.job_queue.run_once(deliver, when=delay, data=row["id"], name=name)


def schedule_all(app: Application) -> int:
    rows = app.bot_data.reminders.pending()
    for row in rows:
        schedule(app, row)
    return len(rows)


async def deliver(context: Context) -> None:
    reminders, job, jobs = store(context), context.job, context.job_queue
    assert job is not None and jobs is not None  # a job callback: PTB passes its job and queue
    assert isinstance(job.data, int)  # schedule() passes the reminder's id
    row = reminders.claim(job.data)
    if row is None:
        return  # cancelled, or already delivered
    days_left = (last_day(row) - datetime.now(CHINA).date()).days
    try:
        await context.bot.send_message(
            row["chat_id"], render("reminder", row=row, last=last_day(row), days_left=days_left)
        )
    except (Forbidden, BadRequest) as exc:  # blocked the bot, chat gone: retrying cannot help
        log.warning("reminder %s not deliverable (%s); dropped", row["id"], type(exc).__name__)
        reminders.fail(row["id"])
    except TelegramError:  # the network: try again later (the limiter retried)
        log.warning("reminder %s not delivered; retrying in %ss", row["id"], RETRY_SECONDS)
        reminders.release(row["id"])
        jobs.run_once(deliver, when=RETRY_SECONDS, data=row["id"], name=f"reminder-{row['id']}")
