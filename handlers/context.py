"""What every handler shares, typed: PTB's `context.bot_data` is this class instead of a dict
(PTB's contexttypesbot.py example), so a handler reads `context.bot_data.assistant` and a typo is
an AttributeError at once rather than a KeyError in production. bot_data is not persisted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from telegram.ext import CallbackContext, ContextTypes, ExtBot

if TYPE_CHECKING:
    from bot.assistant import Assistant
    from bot.guides.flow import GuideFlow
    from bot.guides.reminders import Reminders
    from bot.pidfile import PidFile
    from handlers.health import HealthServer


@dataclass
class BotData:
    assistant: Assistant | None = None
    flow: GuideFlow | None = None  # the guides' steps (ConversationHandler callbacks)
    reminders: Reminders | None = None  # deadline reminders kept in SQLite
    health: HealthServer | None = None  # the /healthz server, when configured
    pidfile: PidFile | None = None  # held while the bot runs: `faq reload` signals it


CONTEXT_TYPES = ContextTypes(bot_data=BotData)

# The type handlers annotate `context` with: PTB's CallbackContext with our bot_data.
Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]
