"""`courier-bot outlets import|lookup|posters` and `courier-bot report` (parsers are in
bot/cli.py)."""

from __future__ import annotations

import getpass
import json
import re
import subprocess
import sys
from pathlib import Path

from bot import regions
from bot.config import bot_username
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
    if args.outlets_command == "posters":
        return _posters(cfg, args)
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
        result = registry.import_csv(
            args.file,
            args.source,
            args.as_of,
            skip_bad=args.skip_bad,
            sheet=args.sheet,
            ignore=args.ignore_column,
        )
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
    if cfg.sample_outlets:
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


def _posters(cfg, args) -> int:
    from bot.outlets import posters

    username = bot_username(args.bot_username or "") or cfg.bot_username
    if not username:
        print(
            "courier-bot: the posters' QR codes link to the bot: set [telegram] bot_username in"
            " the config or pass --bot-username",
            file=sys.stderr,
        )
        return 2
    if args.limit is not None and args.limit < 1:
        print("courier-bot: --limit must be 1 or more", file=sys.stderr)
        return 2
    registry = _registry(cfg)
    if cfg.sample_outlets:
        registry.ensure_sample()
    outlets = posters.select(registry, args.city, args.county, args.limit)
    if not outlets:
        print("courier-bot: no outlet matches --city/--county", file=sys.stderr)
        return 1
    items = posters.posters(outlets, username)
    every = posters.write(items, Path(args.out))
    print(f"Wrote {len(items)} posters (one A4 page each; all of them in {every}):")
    for p in items:
        o = p.outlet
        flag = "  [示例数据（虚构）]" if o["sample"] else ""
        print(f"  {p.file_name}  {o['name']}（{o['province']}{o['city'] or ''}）{flag}")
    return 0 if args.no_pdf else _poster_pdf(every, len(items))


def _poster_pdf(html: Path, pages: int) -> int:
    """posters.pdf beside posters.html, or why not (the HTML prints from any browser too)."""
    from bot.outlets import posters

    browser = posters.find_chromium()
    if browser is None:
        print("No PDF: Chromium is not installed (print posters.html from a browser instead).")
        return 0
    if not posters.has_cjk_font():
        print(
            "No PDF: no Chinese font is installed (`fc-list :lang=zh` finds none), so Chinese"
            " would print as boxes; install one (Debian: fonts-noto-cjk) or print posters.html"
            " from a browser."
        )
        return 0
    pdf = html.with_suffix(".pdf")
    try:
        posters.print_pdf(browser, html, pdf, pages)
    except (subprocess.SubprocessError, OSError) as exc:
        print(f"courier-bot: Chromium could not print the PDF: {exc}", file=sys.stderr)
        return 1
    print(f"PDF: {pdf} ({pages} pages)")
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
