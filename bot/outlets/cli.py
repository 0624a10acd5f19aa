"""`courier-bot outlets import|lookup` and `courier-bot report` (parsers are in bot/cli.py)."""

from __future__ import annotations

import getpass
import json
import re
import sys
from pathlib import Path

from bot import regions
from bot.console import inputs
from bot.outlets.lookups import china_month
from bot.outlets.reading import OutletImportError
from bot.outlets.registry import Registry
from bot.storage.database import Storage, user_key


def main(cfg, args) -> int:
    if args.command == "report":
        return _report(cfg, args)
    if args.outlets_command == "import":
        return _import(cfg, args)
    return _lookup(cfg, args)


def _registry(cfg) -> Registry:
    return Registry(Storage(cfg.database), cfg.lookup_retention_days)


def _region(name: str | None) -> str | None:
    if not name:
        return None
    region = regions.canonical(name)
    if region is None:
        raise SystemExit(f"courier-bot: --region {name!r} is not a known region")
    return region


def _import(cfg, args) -> int:
    registry = _registry(cfg)
    try:
        result = registry.import_csv(args.file, args.source, args.as_of, skip_bad=args.skip_bad)
    except FileNotFoundError:
        print(f"courier-bot: {args.file}: no such file", file=sys.stderr)
        return 1
    except OutletImportError as exc:
        print(f"courier-bot: {args.file}: {exc}", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(result.summary())
    for problem in result.skipped:
        print(f"  skipped {problem}")
    return 0


def _lookup(cfg, args) -> int:
    from bot.outlets.desk import reply_for
    from bot.render import plain

    registry = _registry(cfg)
    if cfg.load_sample_outlets:
        registry.ensure_sample()
    region = _region(args.region)
    user = user_key(cfg.user_salt, "cli", getpass.getuser())
    for q in inputs(args.query):
        result = registry.lookup(q, region)
        if not result.empty:
            registry.record(result, user, "cli")
        if args.json:
            print(json.dumps(result.as_json(), ensure_ascii=False), flush=True)
            continue
        reply = reply_for(registry, result)
        print(plain(reply.text), flush=True)
        for i, (label, _) in enumerate(reply.buttons, 1):
            print(f"  [{i}] {label}")
        print(flush=True)
    return 0


def _report(cfg, args) -> int:
    from bot.outlets import report

    month = args.month or china_month()
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        print(f"courier-bot: --month {month!r} is not a month like 2026-10", file=sys.stderr)
        return 2
    built = report.build(_registry(cfg), month, _region(args.region))
    text = report.to_csv(built) if args.format == "csv" else report.to_markdown(built) + "\n"
    if args.output:
        # Excel opens a CSV as UTF-8 only with a BOM.
        Path(args.output).write_text(
            text, encoding="utf-8-sig" if args.format == "csv" else "utf-8"
        )
        print(f"Wrote {args.output}")
    else:
        sys.stdout.write(text)
    return 0
