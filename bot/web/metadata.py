"""The Datasette metadata of the officials' web view: the fixed part (labels, canned queries, the
dashboard) is data in metadata.yaml; this adds what depends on the database and the config.

Privacy is an allowlist: officials open only the tables in OFFICIAL_TABLES. Every other table of
the database, today's and any a later migration adds, is denied — prefs, reminders, handoff_chats
and the ptb_* tables hold hashed users and chats and sealed (encrypted) Telegram ids, and lookups
a hashed user per row (its counts reach officials through the canned queries). Arbitrary SQL is
off, so nothing denied can be read through a query either (see plugin.py for the dashboard's
charts).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datasette.utils import parse_metadata  # type: ignore[import-untyped]

DATABASE = "courier"  # the name in every URL: /courier/outlets
DASHBOARD = "coverage"  # /-/dashboards/coverage
OFFICIAL_TABLES = frozenset(
    {
        "outlets",
        "import_batches",
        "outlet_history",
        "gaps",
        "feedback",
        "handoff_tickets",
        "faq_entries",
    }
)
LOGIN_USER = "official"  # the one account when a password is configured
PASSWORD_ENV = "COURIER_BOT_WEB_PASSWORD_HASH"  # the hash reaches the plugin only via the env
SOURCE = Path(__file__).with_name("metadata.yaml")


def fixed() -> dict[str, Any]:
    """metadata.yaml as a dict (a fresh copy each call: Datasette's plugins change theirs)."""
    return parse_metadata(SOURCE.read_text(encoding="utf-8"))


def build(tables: list[str], login: bool) -> dict[str, Any]:
    """The whole metadata for a database holding `tables`; `login` asks for the password.

    With a login, the whole instance is allowed to the logged-in official only, and the password
    hash is named as {"$env": ...}: Datasette resolves it for the plugin but shows /-/metadata as
    written, so the hash is never served."""
    data = fixed()
    described = data["databases"][DATABASE]["tables"]
    for table in tables:
        if table not in OFFICIAL_TABLES:
            described[table] = {"allow": False}
    if login:
        data["allow"] = {"id": LOGIN_USER}
        data["plugins"]["datasette-auth-passwords"] = {
            f"{LOGIN_USER}_password_hash": {"$env": PASSWORD_ENV}
        }
    return data


def chart_queries(dashboards: dict[str, Any] | None) -> frozenset[tuple[str, str]]:
    """(database, SQL) of every chart of the dashboards: the only SQL the view runs that is not a
    canned query."""
    return frozenset(
        (chart["db"], chart["query"])
        for dashboard in (dashboards or {}).values()
        for chart in dashboard.get("charts", {}).values()
        if "query" in chart
    )
