"""Configuration from one TOML file; every key is documented in config.example.toml."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from bot import regions
from bot.faq.loader import DEFAULT_DIR
from bot.faq.matcher import THRESHOLD
from bot.outlets.premium import DEFAULT_RULES, PremiumConfigError, PremiumRule, parse_rules


class ConfigError(ValueError):
    """A missing or malformed config; the message names the key."""


@dataclass(frozen=True)
class Config:
    token: str | None = None
    base_url: str | None = None           # self-hosted Bot API server, e.g. http://127.0.0.1:8081/bot
    base_file_url: str | None = None
    rate_limiter: bool = True             # PTB's AIORateLimiter keeps us inside Telegram's limits
    sends_per_second: float = 30.0        # overall outgoing limit (Telegram's bulk limit)
    network_retries: int = 3              # retries of a call that failed in transit (5xx, time-out)
    request_timeout: float = 10.0         # seconds for one Bot API call (not the long poll)
    admin_ids: frozenset[int] = frozenset()
    database: Path = Path("data/courier-bot.db")
    faq_dir: Path = DEFAULT_DIR
    threshold: float = THRESHOLD
    default_region: str | None = None
    user_salt: str = "change-me"          # EXAMPLE_SALT: fine for the console, not for Telegram
    max_message_chars: int = 500
    questions_per_minute: int = 20        # per courier, questions and outlet lookups (0 = no limit)
    output_dir: Path = Path("out")
    lookup_retention_days: int = 180      # outlet lookups are deleted after this (0 = keep none)
    load_sample_outlets: bool = True      # load the fictional sample outlet list on first run
    premium: tuple[PremiumRule, ...] = DEFAULT_RULES   # per-region rate/base for /premium
    webhook_url: str | None = None        # public https URL Telegram posts updates to
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_path: str = "telegram"
    webhook_secret: str | None = None     # checked on every webhook request (required for webhooks)
    health_listen: str = "127.0.0.1"
    health_port: int = 0                  # GET /healthz on this port; 0 = off
    path: Path | None = field(default=None, compare=False)


_SCHEMA = {
    "telegram": {"token": str, "base_url": str, "base_file_url": str, "admin_ids": list,
                 "rate_limiter": bool, "sends_per_second": (int, float), "network_retries": int,
                 "request_timeout": (int, float)},
    "storage": {"database": str},
    "faq": {"dir": str, "threshold": (int, float), "default_region": str},
    "privacy": {"user_salt": str, "lookup_retention_days": int},
    "outlets": {"load_sample": bool},
    "premium": {},   # [premium.REGION] tables, checked by bot.premium.parse_rules
    "limits": {"max_message_chars": int, "questions_per_minute": int},
    "output": {"dir": str},
    "webhook": {"url": str, "listen": str, "port": int, "path": str, "secret_token": str},
    "health": {"listen": str, "port": int},
}


# Numeric keys and the smallest/largest value that makes sense for each.
_RANGES = {
    ("telegram", "sends_per_second"): (0.1, 1000), ("telegram", "network_retries"): (0, 20),
    ("telegram", "request_timeout"): (0.1, 600), ("faq", "threshold"): (0, 100),
    ("limits", "max_message_chars"): (1, 4096), ("limits", "questions_per_minute"): (0, 10_000),
    ("webhook", "port"): (1, 65535), ("health", "port"): (0, 65535),
}
EXAMPLE_SALT = "change-me"


def _check(data: dict) -> None:
    for section, value in data.items():
        if section not in _SCHEMA:
            raise ConfigError(f"unknown section [{section}]")
        if not isinstance(value, dict):
            raise ConfigError(f"[{section}] must be a table")
        if section == "premium":
            continue
        for key, item in value.items():
            kind = _SCHEMA[section].get(key)
            if kind is None:
                raise ConfigError(f"unknown key {section}.{key}")
            if not isinstance(item, kind) or (isinstance(item, bool) and kind is not bool):
                raise ConfigError(f"{section}.{key} has the wrong type ({type(item).__name__})")
            low, high = _RANGES.get((section, key), (None, None))
            if low is not None and not low <= item <= high:
                raise ConfigError(f"{section}.{key} must be between {low} and {high}")


def load(path: str | Path | None = None) -> Config:
    """Read the config file (argument, else $COURIER_BOT_CONFIG, else defaults) and the env token."""
    path = path or os.environ.get("COURIER_BOT_CONFIG")
    data: dict = {}
    if path:
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file {path} not found") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
        _check(data)
    base = path.parent if path else Path.cwd()
    tg, faq = data.get("telegram", {}), data.get("faq", {})
    admins = tg.get("admin_ids", [])
    if not all(isinstance(a, int) and not isinstance(a, bool) for a in admins):
        raise ConfigError("telegram.admin_ids must be a list of numeric Telegram user ids")
    region = faq.get("default_region")
    if region is not None and regions.canonical(region) is None:
        raise ConfigError(f"faq.default_region {region!r} is not a known region")
    salt = data.get("privacy", {}).get("user_salt", Config.user_salt)
    retention = data.get("privacy", {}).get("lookup_retention_days", Config.lookup_retention_days)
    if retention < 0:
        raise ConfigError("privacy.lookup_retention_days must be 0 (keep no lookups) or more")
    try:
        premium = parse_rules(data.get("premium", {}))
    except PremiumConfigError as exc:
        raise ConfigError(str(exc)) from None
    return Config(
        lookup_retention_days=retention,
        load_sample_outlets=data.get("outlets", {}).get("load_sample", Config.load_sample_outlets),
        premium=premium,
        token=os.environ.get("TELEGRAM_BOT_TOKEN") or tg.get("token") or None,
        base_url=tg.get("base_url") or None,
        base_file_url=tg.get("base_file_url") or None,
        rate_limiter=tg.get("rate_limiter", Config.rate_limiter),
        sends_per_second=float(tg.get("sends_per_second", Config.sends_per_second)),
        network_retries=tg.get("network_retries", Config.network_retries),
        request_timeout=float(tg.get("request_timeout", Config.request_timeout)),
        admin_ids=frozenset(admins),
        database=_path(base, data.get("storage", {}).get("database"), Config.database),
        faq_dir=_path(base, faq.get("dir"), Config.faq_dir),
        threshold=float(faq.get("threshold", Config.threshold)),
        default_region=regions.canonical(region) if region else None,
        user_salt=salt,
        max_message_chars=data.get("limits", {}).get("max_message_chars", Config.max_message_chars),
        questions_per_minute=data.get("limits", {}).get("questions_per_minute",
                                                        Config.questions_per_minute),
        output_dir=_path(base, data.get("output", {}).get("dir"), Config.output_dir),
        path=path,
        **_serving(data),
    )


def _serving(data: dict) -> dict:
    hook, health = data.get("webhook", {}), data.get("health", {})
    secret = hook.get("secret_token")
    if secret is not None and not (1 <= len(secret) <= 256 and secret.isascii()
                                   and secret.replace("_", "").replace("-", "").isalnum()):
        raise ConfigError("webhook.secret_token must be 1-256 characters: A-Z, a-z, 0-9, _ and -")
    return {
        "webhook_url": hook.get("url") or None, "webhook_secret": secret or None,
        "webhook_listen": hook.get("listen", Config.webhook_listen),
        "webhook_port": hook.get("port", Config.webhook_port),
        "webhook_path": hook.get("path", Config.webhook_path).strip("/"),
        "health_listen": health.get("listen", Config.health_listen),
        "health_port": health.get("port", Config.health_port),
    }


def _path(base: Path, value: str | None, default: Path) -> Path:
    p = Path(value) if value else default
    return p if p.is_absolute() else base / p
