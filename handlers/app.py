"""Wiring the Telegram Application: every handler is registered here, in order."""

from __future__ import annotations

from typing import Any

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    filters,
)

from bot.assistant import Assistant
from bot.config import EXAMPLE_SALT, Config, ConfigError
from bot.guides.engine import Engine, load_guides
from bot.guides.flow import GuideFlow
from bot.guides.reminders import Reminders
from bot.render import label
from bot.reply import FEEDBACK, HANDOFF
from bot.storage.database import Storage
from handlers import feedback, groups, guide, handoff, outlets, privacy, qa, reload, reminders
from handlers.application import CourierApplication
from handlers.commands import ADVERTISED
from handlers.context import CONTEXT_TYPES, Context
from handlers.health import HealthServer
from handlers.jsonrequest import JsonRequest
from handlers.ordering import PerChatOrder
from handlers.persistence import SQLitePersistence
from handlers.polling import GetUpdatesRequest, withhold_update_content
from handlers.ratelimit import RetryingRateLimiter

RETENTION_EVERY = 3600  # seconds between purges of lookups older than the retention period


async def _post_init(app: Application) -> None:
    await app.bot.set_my_commands([BotCommand(c, label("cmd_" + c)) for c in ADVERTISED])
    reminders.schedule_all(app)  # JobQueue jobs are not persisted: rebuild them from SQLite
    handoff.schedule(app)  # unanswered tickets: the courier is told; old ones close
    assert app.job_queue is not None  # the job-queue extra is a dependency
    app.job_queue.run_repeating(_purge_lookups, interval=RETENTION_EVERY, first=0)
    reload.watch(app)  # the pid file, and SIGHUP from `courier-bot faq reload`
    config: Config = app.bot_data.assistant.config
    if config.health_port:
        assert isinstance(app, CourierApplication)  # build() makes one: it keeps the stats
        app.bot_data.health = await HealthServer(
            lambda: app.stats, config.health_listen, config.health_port
        ).start()


async def _purge_lookups(context: Context) -> None:
    core = context.bot_data.assistant
    assert core is not None  # set by build() before the job queue starts
    core.outlets.registry.purge(force=True)


async def _post_shutdown(app: Application) -> None:
    reload.unwatch(app)
    if app.bot_data.health is not None:
        await app.bot_data.health.stop()
    app.bot_data.assistant.storage.close()


POOL = 256  # connections for sending, PTB's own default


def build(config: Config, assistant: Assistant | None = None) -> Application:
    """The Application for `config`; `assistant` may be passed in (tests share one)."""
    assistant = assistant or Assistant(config, Storage(config.database))
    assert config.token is not None  # bot.cli runs the bot only when a token is set
    # Any: rate_limiter() changes the builder's bot type (ExtBot[None] to ExtBot[int]).
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .application_class(CourierApplication)
        .context_types(CONTEXT_TYPES)
        .persistence(SQLitePersistence(assistant.storage, config.user_salt))
        .token(config.token)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
            )
        )
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if config.base_url:
        builder = builder.base_url(config.base_url)
    if config.base_file_url:
        builder = builder.base_file_url(config.base_file_url)
    if config.rate_limiter:
        builder = builder.rate_limiter(
            RetryingRateLimiter(
                network_retries=config.network_retries,
                overall_max_rate=config.sends_per_second,
                max_retries=config.network_retries,
            )
        )
    timeout = config.request_timeout
    # Replies as JSON bodies (handlers/jsonrequest.py: measured cheaper than PTB's form encoding).
    builder = builder.request(
        JsonRequest(
            connection_pool_size=POOL,
            connect_timeout=timeout,
            read_timeout=timeout,
            write_timeout=timeout,
        )
    )
    # One update PTB cannot parse must not stop polling for everyone, nor reach the log in full.
    withhold_update_content()
    builder = builder.get_updates_request(GetUpdatesRequest(connection_pool_size=1))
    builder = builder.concurrent_updates(PerChatOrder(config.concurrent_updates))
    app = builder.build()
    app.bot_data.assistant = assistant
    app.bot_data.flow = GuideFlow(Engine(load_guides(config.faq_dir)))
    app.bot_data.reminders = Reminders(assistant.storage, config.user_salt)
    register(app)
    return app


def register(app: Application) -> None:
    private_or_group = filters.UpdateType.MESSAGE
    # Group -3, first of all: in groups, only commands, mentions and replies to the bot count.
    app.add_handler(
        MessageHandler(groups.GROUPS & ~filters.COMMAND & ~groups.ADDRESSED, groups.ignore),
        group=-3,
    )
    # Group -2, first of all: edited messages are ignored on purpose (handlers/qa.py ignore).
    app.add_handler(MessageHandler(filters.UpdateType.EDITED, qa.ignore), group=-2)
    # Group -2 too, with an officials' chat ([handoff]): an official's reply to a ticket there is
    # relayed, and a courier's answer back (after 回复工作人员) is posted; neither goes further.
    officials = app.bot_data.assistant.config.handoff_chat_id
    if officials:
        replies = filters.Chat(officials) & filters.REPLY & filters.TEXT & ~filters.COMMAND
        app.add_handler(
            MessageHandler(private_or_group & replies, handoff.official_reply), group=-2
        )
        app.add_handler(
            MessageHandler(
                private_or_group & filters.ChatType.PRIVATE & filters.TEXT, handoff.answer_back
            ),
            group=-2,
        )
        app.add_handler(CallbackQueryHandler(handoff.drop_answer_back), group=-2)
    # Group -1, before everything else: the answer to "which outlet?" (after /outlet or the menu's
    # 查网点参保) is looked up and stops there; other texts pass on to the handlers below.
    app.add_handler(MessageHandler(private_or_group & filters.TEXT, outlets.pending), group=-1)
    app.add_handler(CallbackQueryHandler(outlets.drop_prompt), group=-1)
    # The guide conversation first: while a courier is in a guide, it sees their messages.
    app.add_handler(guide.conversation())
    app.add_handler(CommandHandler("reminders", reminders.list_command))
    app.add_handler(CommandHandler("forgetme", privacy.forget_me))
    app.add_handler(CallbackQueryHandler(privacy.confirm, pattern=privacy.PATTERN))
    app.add_handler(CallbackQueryHandler(reminders.button, pattern="^rem:"))
    app.add_handler(CommandHandler("start", qa.start))
    app.add_handler(CommandHandler("help", qa.help_))
    app.add_handler(CommandHandler("region", qa.region))
    app.add_handler(CommandHandler("benefit", qa.benefit))
    # Outlet coverage: lookup (candidate buttons "ol:" go through qa.button), officials' stats
    # (admins only), and the premium estimate for outlet managers.
    app.add_handler(CommandHandler("outlet", outlets.outlet))
    app.add_handler(CommandHandler("stats", outlets.stats))
    app.add_handler(CommandHandler("premium", outlets.premium))
    app.add_handler(CommandHandler("reload", reload.reload))  # FAQ reload, admins only
    app.add_handler(CallbackQueryHandler(feedback.press, pattern=f"^{FEEDBACK}"))  # 👍/👎
    app.add_handler(CallbackQueryHandler(handoff.button, pattern=f"^{HANDOFF}"))  # 转给工作人员
    app.add_handler(CallbackQueryHandler(qa.button))
    app.add_handler(CommandHandler(["back", "cancel"], qa.no_guide))  # a guide catches them first
    app.add_handler(MessageHandler(private_or_group & filters.COMMAND, qa.unknown_command))
    app.add_handler(MessageHandler(private_or_group & filters.TEXT, qa.question))
    # Stickers, photos, voice, locations…: a kind reply asking for text.
    # Service messages (joins, leaves, pins, title changes in a group) get no reply on purpose.
    app.add_handler(
        MessageHandler(private_or_group & ~filters.TEXT & ~filters.StatusUpdate.ALL, qa.not_text)
    )
    app.add_error_handler(qa.error)


def run(config: Config, webhook: bool = False) -> None:
    """Serve until stopped: long polling, or a webhook Telegram posts updates to."""
    if config.user_salt == EXAMPLE_SALT:
        # Telegram ids are small numbers: with a known salt every stored hash could be reversed.
        raise ConfigError("privacy.user_salt is still the example value: set a secret one")
    app = build(config)
    if not webhook:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
        return
    if not (config.webhook_url and config.webhook_secret):
        raise ConfigError("webhook mode needs webhook.url and webhook.secret_token")
    app.run_webhook(
        listen=config.webhook_listen,
        port=config.webhook_port,
        url_path=config.webhook_path,
        webhook_url=f"{config.webhook_url.rstrip('/')}/{config.webhook_path}",
        secret_token=config.webhook_secret,
        allowed_updates=Update.ALL_TYPES,
    )
