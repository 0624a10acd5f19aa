"""The running bot's process id, in a file beside the database (data/courier-bot.db ->
data/courier-bot.pid), so that `courier-bot faq reload` can send it SIGHUP.

The bot keeps an exclusive lock on the file while it runs. A file left behind by a crash (kill -9)
is not locked, so it is never taken for a running bot, and a process that has since been given
the same id is never signalled."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import TextIO


class NotRunning(Exception):
    """No bot holds the pid file; the message says why."""


def beside(database: Path) -> Path:
    return database.with_suffix(".pid")


class PidFile:
    def __init__(self, path: Path):
        self.path = path
        self._file: TextIO | None = None

    def hold(self) -> bool:
        """Write our pid and keep the file locked; False when another bot already holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="ascii")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle
        return True

    def release(self) -> None:
        """Remove the file, then let go of the lock (closing it)."""
        if self._file is None:
            return
        self.path.unlink(missing_ok=True)
        self._file.close()
        self._file = None


def running(path: Path) -> int:
    """The pid of the bot holding `path`; NotRunning when no bot does."""
    try:
        handle = path.open(encoding="ascii")
    except FileNotFoundError:
        raise NotRunning(f"no bot is running: {path} does not exist") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:  # locked: a bot holds it
            text = handle.read().strip()
            if text.isdigit():
                return int(text)
            raise NotRunning(f"the bot is still starting ({path} is empty): try again") from None
    raise NotRunning(f"no bot is running: {path} is left over from one that stopped")
