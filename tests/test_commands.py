"""Commands and button prefixes are declared once (handlers/commands.py, bot/reply.py); the
registered handlers, the command menu, /help and the update log agree with the declarations."""

import json

from telegram import Update
from telegram.ext import CommandHandler, ConversationHandler

from bot.render import label, plain, render
from bot.reply import BUTTON_PREFIXES
from handlers import app as app_mod
from handlers.application import kind_of
from handlers.commands import ADVERTISED, NAMES


def _registered(app) -> set[str]:
    names: set[str] = set()

    def walk(handlers):
        for h in handlers:
            if isinstance(h, CommandHandler):
                names.update(h.commands)
            elif isinstance(h, ConversationHandler):
                walk(h.entry_points)
                walk(h.fallbacks)
                for state in h.states.values():
                    walk(state)

    for group in app.handlers.values():
        walk(group)
    return names


def test_every_declared_command_has_a_handler_and_no_other(config, assistant):
    app = app_mod.build(config, assistant)
    assert _registered(app) == NAMES


def test_every_advertised_command_has_a_menu_text_and_is_in_help():
    help_text = plain(render("help"))
    for name in ADVERTISED:
        assert label("cmd_" + name).strip(), name
        assert f"/{name}" in help_text, name
    assert "stats" not in ADVERTISED  # officials' command, not in everyone's menu


async def test_the_command_menu_is_the_declared_list(telegram):
    [call] = await telegram.wait_for("setMyCommands")
    sent = [c["command"] for c in json.loads(call.params["commands"])]
    assert sent == list(ADVERTISED)


def test_the_source_button_is_logged_by_its_prefix():
    assert {"faq", "menu", "region", "src", "ol", "g", "rem", "forget", "fb", "ho"} == set(
        BUTTON_PREFIXES
    )
    update = Update.de_json(
        {
            "update_id": 1,
            "callback_query": {
                "id": "1",
                "from": {"id": 1, "is_bot": False, "first_name": "x"},
                "chat_instance": "1",
                "data": "src:national.apply.how",
            },
        },
        None,
    )
    assert kind_of(update) == "button:src"
