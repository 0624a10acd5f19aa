"""Every slash command the bot answers, declared once: Telegram's command menu, the update log and
the tests are built from this list (the handlers are registered in handlers/app.py and
handlers/guide.py; tests/test_commands.py checks both agree with it). A command's menu text is
`cmd_<name>` in bot/templates/labels.j2."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    name: str
    advertised: bool = True  # shown in Telegram's command menu; admin-only ones are not


COMMANDS = (
    Command("start"),
    Command("help"),
    Command("region"),
    Command("injury"),
    Command("assess"),
    Command("reminders"),
    Command("back"),
    Command("cancel"),
    Command("forgetme"),
    Command("outlet"),
    Command("premium"),
    Command("benefit"),
    Command("stats", advertised=False),
    Command("reload", advertised=False),
)
NAMES = frozenset(c.name for c in COMMANDS)
ADVERTISED = tuple(c.name for c in COMMANDS if c.advertised)
