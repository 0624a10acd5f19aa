"""`courier-bot web [--host] [--port]` and `courier-bot web hash-password` (parsers in bot/cli.py)."""

from __future__ import annotations

import getpass
import sys

from bot.config import ConfigError, settings


def main(cfg, args) -> int:
    if args.web_command == "hash-password":
        return _hash_password()
    from bot.web.server import serve

    host = args.host if args.host is not None else cfg.web_host
    port = args.port if args.port is not None else cfg.web_port
    # The option gets the range the config declares for [web] port: 0 would pick a random port,
    # 99999 fails deep inside the server.
    low, high = settings()["web.port"].metadata["within"]
    if not low <= port <= high:
        raise ConfigError(f"web --port must be a port number from {low} to {high}, not {port}")
    if not host.strip():
        raise ConfigError("web --host (or [web] host) must name an address, such as 127.0.0.1")
    serve(cfg, host, port)
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
