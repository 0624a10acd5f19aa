"""`courier-bot web`: the bot's database in Datasette, read-only, with the officials' metadata,
canned queries and dashboard (metadata.yaml), served by uvicorn the way `datasette serve` does.

The database is opened as a mutable Datasette database: every connection is `?mode=ro` (the bot
keeps writing; immutable mode would ignore its WAL and allow downloading the whole file).
"""

from __future__ import annotations

import ipaddress
import os
import sqlite3
from pathlib import Path

from datasette.app import Database, Datasette  # type: ignore[import-untyped]
from datasette.plugins import pm  # type: ignore[import-untyped]

from bot.config import Config, ConfigError
from bot.storage.database import Storage
from bot.web import metadata, plugin

SETTINGS = {
    "allow_download": False,
    "suggest_facets": False,  # each suggestion is a query over up to 500 000 outlets
    "default_page_size": 50,
    # coverage by county groups 500 000 outlets in about 1 s on 2 cores (Datasette's default limit);
    # readers never block the bot's writes (WAL)
    "sql_time_limit_ms": 5000,
}


def is_local(host: str) -> bool:
    """Only this machine can reach `host`."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def base_url(host: str, port: int) -> str:
    """The address to open in a browser; an IPv6 address goes in brackets (RFC 3986)."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _tables(path: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute("select name from sqlite_master where type in ('table', 'view')")
        return sorted(name for (name,) in rows)
    finally:
        conn.close()


def build(cfg: Config, host: str = "127.0.0.1") -> Datasette:
    """The Datasette instance for `cfg`'s database, as served on `host`."""
    if not is_local(host) and not cfg.web_password_hash:
        raise ConfigError(
            f"web: refusing to serve on {host} without a password: anyone who reaches it would"
            " see the officials' data. Set [web] password_hash (make one with"
            " `courier-bot web hash-password`), or serve on 127.0.0.1"
        )
    Storage(cfg.database).close()  # created or upgraded like the bot does, so every table exists
    login = cfg.web_password_hash is not None
    if cfg.web_password_hash:
        os.environ[metadata.PASSWORD_ENV] = cfg.web_password_hash
    if not pm.is_registered(plugin):
        pm.register(plugin, name="courier-bot-web")
    ds = Datasette(metadata=metadata.build(_tables(cfg.database), login=login), settings=SETTINGS)
    ds.add_database(Database(ds, path=str(cfg.database), is_mutable=True), name=metadata.DATABASE)
    return ds


def serve(cfg: Config, host: str, port: int) -> None:
    """Serve until interrupted (what `datasette serve` does after building its instance)."""
    import uvicorn
    from datasette.cli import check_databases, run_sync  # type: ignore[import-untyped]

    ds = build(cfg, host)
    run_sync(ds.invoke_startup)
    run_sync(lambda: check_databases(ds))
    print(f"Dashboard: {base_url(host, port)}/-/dashboards/{metadata.DASHBOARD}", flush=True)
    uvicorn.run(ds.app(), host=host, port=port, log_level="info", lifespan="on", workers=1)
