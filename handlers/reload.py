"""Reloading the FAQ without a restart: /reload (admins only) and SIGHUP, which
`courier-bot faq reload` sends to the pid in the pid file (bot/pidfile.py) kept here.

Both run Assistant.reload on the event loop, between updates: reading faq/ again takes about
0.15 s, and no reply can ever mix the old FAQ with the new."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading

from telegram import Update
from telegram.ext import Application

from bot.pidfile import PidFile, beside
from bot.render import render
from bot.reply import Reply
from handlers.common import assistant, send
from handlers.context import Context

log = logging.getLogger(__name__)


def reload_reply(update: Update, context: Context) -> Reply:
    """/reload: for the officials in config admin_ids; it changes nothing for anyone else."""
    core, user = assistant(context), update.effective_user
    if user is None or user.id not in core.config.admin_ids:
        return Reply(render("reload_refused"))
    return core.reload()


async def reload(update: Update, context: Context) -> None:
    await send(update, reload_reply(update, context))


def on_hangup(app: Application) -> None:
    """SIGHUP: reload; nobody to reply to, so Assistant.reload's log line says how it went."""
    app.bot_data.assistant.reload()


def watch(app: Application) -> None:
    """On start: write the pid file and reload on SIGHUP. Only the main thread may own signals
    (a bot started in a worker thread, as a benchmark may, is reloaded with /reload)."""
    pidfile = PidFile(beside(app.bot_data.assistant.config.database))
    if pidfile.hold():
        app.bot_data.pidfile = pidfile
    else:
        log.warning("another bot holds %s: `faq reload` signals that one", pidfile.path)
    if threading.current_thread() is threading.main_thread():
        asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, on_hangup, app)


def unwatch(app: Application) -> None:
    """On shutdown: SIGHUP back to its default, the pid file gone."""
    if threading.current_thread() is threading.main_thread():
        asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
    if app.bot_data.pidfile is not None:
        app.bot_data.pidfile.release()
        app.bot_data.pidfile = None
