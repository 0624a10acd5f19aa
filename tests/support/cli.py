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
    env = {k: v for k, v in os.environ.items() if k not in _FROM_ENVIRONMENT}
    command = [
        sys.executable,
        "-m",
        "bot.cli",
        *(["--config", str(config)] if config else []),
        *args,
    ]
    return subprocess.run(command, input=stdin, capture_output=True, text=True, env=env, timeout=60)
