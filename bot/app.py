"""Wiring the Telegram Application: every handler is registered here, in order."""
from __future__ import annotations

from telegram import BotCommand, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter, Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler,
    Defaults, MessageHandler, filters,
)

from bot.assistant import Assistant
from bot.config import Config
from bot.storage import Storage
from handlers import qa
from handlers.common import ASSISTANT

COMMANDS = [
    BotCommand("start", "打开菜单"),
    BotCommand("help", "怎么用"),
    BotCommand("region", "设置所在地区"),
]


async def _post_init(app: Application) -> None:
    await app.bot.set_my_commands(COMMANDS)


async def _post_shutdown(app: Application) -> None:
    app.bot_data[ASSISTANT].storage.close()


def build(config: Config, assistant: Assistant | None = None) -> Application:
    """The Application for `config`; `assistant` may be passed in (tests share one)."""
    builder = (
        ApplicationBuilder()
        .token(config.token)
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if config.base_url:
        builder = builder.base_url(config.base_url)
    if config.base_file_url:
        builder = builder.base_file_url(config.base_file_url)
    if config.rate_limiter:
        builder = builder.rate_limiter(AIORateLimiter())
    app = builder.build()
    app.bot_data[ASSISTANT] = assistant or Assistant(config, Storage(config.database))
    register(app)
    return app


def register(app: Application) -> None:
    private_or_group = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("start", qa.start))
    app.add_handler(CommandHandler("help", qa.help_))
    app.add_handler(CommandHandler("region", qa.region))
    app.add_handler(CallbackQueryHandler(qa.button))
    app.add_handler(MessageHandler(private_or_group & filters.COMMAND, qa.unknown_command))
    app.add_handler(MessageHandler(private_or_group & filters.TEXT, qa.question))
    # Stickers, photos, voice, locations…: a kind reply asking for text.
    app.add_handler(MessageHandler(private_or_group & ~filters.TEXT, qa.not_text))
    app.add_error_handler(qa.error)


def run(config: Config) -> None:
    build(config).run_polling(allowed_updates=Update.ALL_TYPES)
