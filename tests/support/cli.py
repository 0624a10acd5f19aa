"""Running `courier-bot` in a subprocess as an operator would: `python -m bot.cli`, with no token
or config file coming from the environment the tests run in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

_FROM_ENVIRONMENT = ("TELEGRAM_BOT_TOKEN", "COURIER_BOT_CONFIG")


def run_cli(
    *args: str, config: Path | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _command(args, config), input=stdin, capture_output=True, text=True, env=_env(), timeout=60
    )


def start_cli(*args: str, config: Path | None = None, **options) -> subprocess.Popen:
    """`courier-bot` started in the background (a server), as run_cli runs it; `options` are
    Popen's (where its output goes)."""
    return subprocess.Popen(_command(args, config), env=_env(), **options)


def _command(args: tuple[str, ...], config: Path | None) -> list[str]:
    return [sys.executable, "-m", "bot.cli", *(["--config", str(config)] if config else []), *args]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in _FROM_ENVIRONMENT}
