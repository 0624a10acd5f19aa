"""Deadline reminders: the offer after a guide, JobQueue delivery, /reminders with cancel buttons."""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime

from telegram import Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application

from bot.dates import CHINA, Deadline
from bot.guides import reminders as plans
from bot.guides.reminders import Reminders, describe, due_at, last_day
from bot.render import label, render
from bot.reply import REMINDER, Reply
from handlers import groups
from handlers.common import send, user_of
from handlers.context import Context

log = logging.getLogger(__name__)
# user_data key: the latest offer, {"token": …, "deadlines": [[key, last day], …]} (persisted).
OFFERED = "offered_deadlines"
ADD, NO, CANCEL = REMINDER + "add", REMINDER + "no", REMINDER + "cancel:"
# rem:add:<token>, rem:no:<token> (no token: a button sent before offers had one), rem:cancel:<id>
_BUTTON = re.compile(r"rem:(?:(add|no)(?::([0-9a-f]{8}))?|cancel:([0-9]{1,12}))")
RETRY_SECONDS = 60


def clock() -> datetime:
    """Now, for every reminder decision here: tests replace it to fix the time."""
    return datetime.now(UTC)


def store(context: Context) -> Reminders:
    reminders = context.bot_data.reminders
    assert reminders is not None  # set by handlers.app.build before any update is handled
    return reminders


def remember_offer(context: Context, deadlines: list[Deadline]) -> plans.Offer:
    """Keep the deadlines that will really get a reminder; a deadline too near is not offered."""
    assert context.user_data is not None  # guides run for a user: PTB makes their user_data
    o = plans.offer(deadlines, clock())
    if o.remindable:
        context.user_data[OFFERED] = {
            "token": o.token,
            "deadlines": [[d.key, d.last_day.isoformat()] for d in o.remindable],
        }
    else:
        context.user_data.pop(OFFERED, None)
    return o


async def offer(update: Update, context: Context, deadlines: list[Deadline]) -> None:
    """Offer the reminders that will be sent; with none left (a deadline today), say so instead."""
    o = remember_offer(context, deadlines)
    if not o.items:
        return
    yes_no = [(label("remind_yes"), f"{ADD}:{o.token}"), (label("remind_no"), f"{NO}:{o.token}")]
    await send(update, Reply(plans.text("reminders_offer", o=o), yes_no if o.remindable else []))


def _current(context: Context, token: str | None) -> list[Deadline] | None:
    """The deadlines of the offer this button belongs to, if it is still the latest offer."""
    assert context.user_data is not None  # a button press has a user
    offered = context.user_data.get(OFFERED)
    if isinstance(offered, list):  # kept by a version whose offers had no token
        offered = {"token": None, "deadlines": offered}
    if not offered or token not in (None, offered["token"]):
        return None
    today = clock().astimezone(CHINA).date()
    return [Deadline(k, date.fromisoformat(d), today) for k, d in offered["deadlines"]]


async def button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None  # a CallbackQueryHandler's update has a query
    await query.answer()
    user = user_of(update, context)
    assert user is not None  # a query always has a user
    m = _BUTTON.fullmatch(query.data or "")
    if m is None:
        reply = Reply(render("stale_button"))
    elif m[3]:
        reply = _cancel(context, int(m[3]), user)
    elif m[1] == "add":
        reply = _add(update, context, m[2], user)
    else:
        reply = _decline(context, m[2], user)
    await send(update, reply)


def _add(update: Update, context: Context, token: str | None, user: str) -> Reply:
    deadlines, chat = _current(context, token), update.effective_chat
    assert chat is not None  # the offer is a message in a chat: its buttons are too
    if deadlines is None:
        return _stale(context, user)
    assert context.user_data is not None  # _current() found the offer there
    context.user_data.pop(OFFERED)
    moment = clock()
    pending = store(context).plan(deadlines, chat.id, user, moment)
    for row in pending:
        schedule(context.application, row)
    offered = {(d.key, d.last_day.isoformat()) for d in deadlines}
    rows = [describe(r) for r in pending if (r["deadline_key"], r["last_day"]) in offered]
    o = plans.offer(deadlines, moment)  # the press may come late: a reminder may be past now
    return Reply(plans.text("reminders_set", rows=rows, others=len(pending) - len(rows), o=o))


def _decline(context: Context, token: str | None, user: str) -> Reply:
    if _current(context, token) is None:
        return _stale(context, user)
    # The offer stays: its "好，提醒我" still works if the courier changes their mind.
    return Reply(plans.text("reminders_declined", pending=len(store(context).pending(user))))


def _stale(context: Context, user: str) -> Reply:
    """A button of an offer taken up or replaced: tell what is really set (walkthrough M7)."""
    assert context.user_data is not None  # a button press has a user
    return Reply(
        plans.text(
            "reminders_stale",
            newer=bool(context.user_data.get(OFFERED)),
            pending=len(store(context).pending(user)),
            yes=label("remind_yes"),
        )
    )


def _cancel(context: Context, reminder_id: int, user: str) -> Reply:
    reminders = store(context)
    row = reminders.own(reminder_id, user)  # read first: the reply names what was cancelled
    ok = reminders.cancel(reminder_id, user)
    return Reply(
        plans.text(
            "reminder_cancelled",
            ok=ok,
            r=describe(row) if row else None,
            remaining=len(reminders.pending(user)),
        )
    )


def list_reply(update: Update, context: Context) -> Reply:
    rows = [describe(r) for r in store(context).pending(user_of(update, context))]
    buttons = [(label("remind_cancel", n=i), f"{CANCEL}{r['id']}") for i, r in enumerate(rows, 1)]
    return Reply(plans.text("reminders_list", rows=rows), buttons)


async def list_command(update: Update, context: Context) -> None:
    if not groups.private(update):  # a courier's own deadlines are not for the group
        await groups.to_private(update, context, "reminders")
        return
    await send(update, list_reply(update, context))


def schedule(app: Application, row: dict) -> None:
    """Queue one stored reminder; one already due (e.g. while the bot was down) fires at once."""
    name = f"reminder-{row['id']}"
    assert app.job_queue is not None  # the job-queue extra is a dependency
    if app.job_queue.get_jobs_by_name(name):
        return
    delay = max(0.0, (due_at(row) - clock()).total_seconds())
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
    chat = reminders.chat(row)
    if chat is None:  # sealed under another [privacy] user_salt: kept, never sent (README)
        log.warning("reminder %s sealed under another user_salt: not sent", row["id"])
        reminders.release(row["id"])
        return
    days_left = (last_day(row) - clock().astimezone(CHINA).date()).days
    try:
        await context.bot.send_message(
            chat, plans.text("reminder", row=row, last=last_day(row), days_left=days_left)
        )
    except (Forbidden, BadRequest) as exc:  # blocked the bot, chat gone: retrying cannot help
        log.warning("reminder %s not deliverable (%s); dropped", row["id"], type(exc).__name__)
        reminders.fail(row["id"])
    except TelegramError:  # the network: try again later (the limiter retried)
        log.warning("reminder %s not delivered; retrying in %ss", row["id"], RETRY_SECONDS)
        reminders.release(row["id"])
        jobs.run_once(deliver, when=RETRY_SECONDS, data=row["id"], name=f"reminder-{row['id']}")
