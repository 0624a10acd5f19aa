"""Online backup of the SQLite file (SQLite's backup API: safe while the bot is running)."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path


def backup(database: Path, output: Path | None = None) -> Path:
    """Copy `database` to `output` (default: backups/ beside it, time-stamped) and verify the copy."""
    if not database.exists():
        raise FileNotFoundError(f"no database at {database}")
    if output is None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        output = database.parent / "backups" / f"{database.stem}-{stamp}.db"
    output.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(database)
    target = sqlite3.connect(output)
    try:
        with target:
            source.backup(target)
        if target.execute("pragma integrity_check").fetchone()[0] != "ok":
            raise RuntimeError(f"the backup at {output} failed its integrity check")
    finally:
        target.close()
        source.close()
    return output
