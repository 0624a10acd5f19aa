"""Configuration from one TOML file. Each key is declared once, on its Config field: where it sits
in the file, its type, its allowed range and how it is read; loading, checking and the test that
config.example.toml documents every key all work from these declarations."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from bot import regions
from bot.faq.loader import DEFAULT_DIR
from bot.faq.matcher import THRESHOLD
from bot.outlets.premium import DEFAULT_RULES, PremiumConfigError, PremiumRule, parse_rules

EXAMPLE_SALT = "change-me"
SECTIONS = (
    "telegram",
    "storage",
    "faq",
    "privacy",
    "limits",
    "output",
    "outlets",
    "premium",
    "webhook",
    "health",
    "handoff",
    "web",
)


class ConfigError(ValueError):
    """A missing or malformed config; the message names the key."""


def setting(
    key: str,
    default: Any,
    kind: type | tuple[type, ...],
    *,
    within: tuple[float, float] | None = None,
    read: Callable | None = None,
) -> Any:
    """A Config field read from `key` ("section.name"): checked against `kind` and `within`, then
    turned into the field's value by `read` (value, folder of the config file)."""
    return field(
        default=default, metadata={"key": key, "kind": kind, "within": within, "read": read}
    )


def _or_none(value: str, _base: Path) -> str | None:
    return value or None


def _path(value: str, base: Path) -> Path:
    p = Path(value)
    return p if p.is_absolute() else base / p


def _float(value: float, _base: Path) -> float:
    return float(value)


def _admins(value: list, _base: Path) -> frozenset[int]:
    if not all(isinstance(a, int) and not isinstance(a, bool) for a in value):
        raise ConfigError("telegram.admin_ids must be a list of numeric Telegram user ids")
    return frozenset(value)


def _region(value: str, _base: Path) -> str | None:
    if value and regions.canonical(value) is None:
        raise ConfigError(f"faq.default_region {value!r} is not a known region")
    return regions.canonical(value) if value else None


def bot_username(value: str, _base: Path | None = None) -> str | None:
    """A Telegram bot username (a leading @ dropped), checked: it goes into t.me links."""
    name = value.strip().removeprefix("@")
    if name and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{4,31}", name):
        raise ConfigError(
            "telegram.bot_username (--bot-username) must be 5-32 characters: A-Z, a-z, 0-9 and _"
        )
    return name or None


def _secret(value: str, _base: Path) -> str | None:
    if value and not (
        len(value) <= 256 and value.isascii() and value.replace("_", "").replace("-", "").isalnum()
    ):
        raise ConfigError("webhook.secret_token must be 1-256 characters: A-Z, a-z, 0-9, _ and -")
    return value or None


def _webhook_path(value: str, _base: Path) -> str:
    return value.strip("/")


def _chat(value: int, _base: Path) -> int | None:
    return value or None  # 0: no officials' chat, so no handoff


def _password_hash(value: str, _base: Path) -> str | None:
    """A hash from `courier-bot web hash-password`, never the password itself."""
    if value and not re.fullmatch(r"pbkdf2_sha256\$\d+\$[^$]+\$[A-Za-z0-9+/=]+", value):
        raise ConfigError(
            "web.password_hash must be a hash made by `courier-bot web hash-password`"
            " (pbkdf2_sha256$…), not the password itself"
        )
    return value or None


@dataclass(frozen=True)
class Config:
    # [telegram] — the token may also come from $TELEGRAM_BOT_TOKEN (it wins)
    token: str | None = setting("telegram.token", None, str, read=_or_none)
    base_url: str | None = setting("telegram.base_url", None, str, read=_or_none)
    base_file_url: str | None = setting("telegram.base_file_url", None, str, read=_or_none)
    rate_limiter: bool = setting("telegram.rate_limiter", True, bool)
    sends_per_second: float = setting(
        "telegram.sends_per_second", 30.0, (int, float), within=(0.1, 1000), read=_float
    )
    network_retries: int = setting("telegram.network_retries", 3, int, within=(0, 20))
    concurrent_updates: int = setting("telegram.concurrent_updates", 8, int, within=(1, 4096))
    request_timeout: float = setting(
        "telegram.request_timeout", 10.0, (int, float), within=(0.1, 600), read=_float
    )
    admin_ids: frozenset[int] = setting("telegram.admin_ids", frozenset(), list, read=_admins)
    # the deep links on outlet posters (t.me/<bot_username>?start=…)
    bot_username: str | None = setting("telegram.bot_username", None, str, read=bot_username)
    # [storage], [faq], [privacy], [limits], [output], [outlets]
    database: Path = setting("storage.database", Path("data/courier-bot.db"), str, read=_path)
    faq_dir: Path = setting("faq.dir", DEFAULT_DIR, str, read=_path)
    threshold: float = setting(
        "faq.threshold", THRESHOLD, (int, float), within=(0, 100), read=_float
    )
    default_region: str | None = setting("faq.default_region", None, str, read=_region)
    user_salt: str = setting("privacy.user_salt", EXAMPLE_SALT, str)  # fine for the console only
    lookup_retention_days: int = setting(
        "privacy.lookup_retention_days", 180, int, within=(0, 36500)
    )  # 0 keeps no lookup log
    max_message_chars: int = setting("limits.max_message_chars", 500, int, within=(1, 4096))
    questions_per_minute: int = setting(
        "limits.questions_per_minute", 20, int, within=(0, 10_000)
    )  # per courier; 0 = no limit
    output_dir: Path = setting("output.dir", Path("out"), str, read=_path)
    # None (not set): only a chat without a Telegram token loads it (sample_outlets below)
    load_sample_outlets: bool | None = setting("outlets.load_sample", None, bool)
    # [webhook], [health]
    webhook_url: str | None = setting("webhook.url", None, str, read=_or_none)
    webhook_listen: str = setting("webhook.listen", "127.0.0.1", str)
    webhook_port: int = setting("webhook.port", 8443, int, within=(1, 65535))
    webhook_path: str = setting("webhook.path", "telegram", str, read=_webhook_path)
    webhook_secret: str | None = setting("webhook.secret_token", None, str, read=_secret)
    health_listen: str = setting("health.listen", "127.0.0.1", str)
    health_port: int = setting("health.port", 0, int, within=(0, 65535))  # 0 = off
    # [handoff] — questions passed to officials (bot/handoff.py); off without a chat
    handoff_chat_id: int | None = setting("handoff.chat_id", None, int, read=_chat)
    handoff_close_after_days: int = setting("handoff.close_after_days", 14, int, within=(1, 365))
    # [web] — the officials' read-only view (bot/web/); a password is required beyond localhost
    web_host: str = setting("web.host", "127.0.0.1", str)
    web_port: int = setting("web.port", 8001, int, within=(1, 65535))
    web_password_hash: str | None = setting("web.password_hash", None, str, read=_password_hash)
    # [premium."REGION"] tables, checked by bot/outlets/premium.parse_rules
    premium: tuple[PremiumRule, ...] = DEFAULT_RULES
    path: Path | None = field(default=None, compare=False)  # the file it was read from

    def sample_outlets(self, chat: bool) -> bool | None:
        """Whether the fictional sample list is loaded (True) or removed (False) at start, or
        left as it is (None). A chat (the console, `run`) does as set, else loads it where no
        Telegram token is configured (the demo on a fresh machine) and removes it where one is.
        A command (`ask`, `outlets lookup|posters`) loads it only when set to true and never
        removes it: an operator's shell lacks the token a service keeps in its environment, and
        must not fill the production database with made-up outlets."""
        if not chat:
            return True if self.load_sample_outlets else None
        if self.load_sample_outlets is not None:
            return self.load_sample_outlets
        return not self.token


def settings() -> dict[str, Any]:
    """ "section.name" -> the Config field that reads it, in declaration order."""
    return {f.metadata["key"]: f for f in fields(Config) if "key" in f.metadata}


def _check(data: dict) -> None:
    """Sections and keys must be known, of the right type and in range."""
    known = settings()
    for section, value in data.items():
        if section not in SECTIONS:
            raise ConfigError(f"unknown section [{section}]")
        if not isinstance(value, dict):
            raise ConfigError(f"[{section}] must be a table")
        if section == "premium":
            continue
        for key, item in value.items():
            spec = known.get(f"{section}.{key}")
            if spec is None:
                raise ConfigError(f"unknown key {section}.{key}")
            kind, within = spec.metadata["kind"], spec.metadata["within"]
            if not isinstance(item, kind) or (isinstance(item, bool) and kind is not bool):
                raise ConfigError(f"{section}.{key} has the wrong type ({type(item).__name__})")
            if within is not None and not within[0] <= item <= within[1]:
                raise ConfigError(f"{section}.{key} must be between {within[0]} and {within[1]}")


def load(path: str | Path | None = None) -> Config:
    """Read the config file (argument, else $COURIER_BOT_CONFIG, else defaults) and the env token."""
    given = path or os.environ.get("COURIER_BOT_CONFIG")
    path = Path(given) if given else None
    data: dict = {}
    if path:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file {path} not found") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
        _check(data)
    base = path.parent if path else Path.cwd()
    values: dict[str, Any] = {}
    for key, spec in settings().items():
        section, name = key.split(".")
        if name in data.get(section, {}):
            read = spec.metadata["read"]
            raw = data[section][name]
            values[spec.name] = read(raw, base) if read else raw
        elif isinstance(spec.default, Path):  # a default folder is relative to the config too
            values[spec.name] = _path(str(spec.default), base)
    values["token"] = os.environ.get("TELEGRAM_BOT_TOKEN") or values.get("token")
    try:
        values["premium"] = parse_rules(data.get("premium", {}))
    except PremiumConfigError as exc:
        raise ConfigError(str(exc)) from None
    if values.get("handoff_chat_id") and not values.get("admin_ids"):
        # only admins' replies reach couriers: with none, every question would go unanswered
        raise ConfigError("handoff.chat_id needs telegram.admin_ids (the officials who answer)")
    return Config(**values, path=path)
