"""`courier-bot web [--host] [--port]` and `courier-bot web hash-password` (parsers in bot/cli.py)."""

from __future__ import annotations

import getpass
import sys


def main(cfg, args) -> int:
    if args.web_command == "hash-password":
        return _hash_password()
    from bot.web.server import serve

    serve(cfg, args.host or cfg.web_host, args.port or cfg.web_port)
    return 0


def _hash_password() -> int:
    """Ask twice at a terminal; read one line from a pipe (for scripts). The hash is what
    datasette-auth-passwords checks the login against."""
    from datasette_auth_passwords.utils import hash_password  # type: ignore[import-untyped]

    if sys.stdin.isatty():
        password = getpass.getpass("Password for the web view: ")
        if getpass.getpass("Again: ") != password:
            print("courier-bot: the two passwords differ; nothing changed", file=sys.stderr)
            return 1
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        print("courier-bot: an empty password protects nothing", file=sys.stderr)
        return 1
    print(hash_password(password))
    print('Put it in your config file: [web] password_hash = "…"', file=sys.stderr)
    return 0
