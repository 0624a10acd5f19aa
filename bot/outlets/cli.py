"""`courier-bot outlets import|lookup|posters` and `courier-bot report` (parsers are in
bot/cli.py)."""

from __future__ import annotations

import getpass
import itertools
import json
import re
import subprocess
import sys
from pathlib import Path

from bot.config import bot_username
from bot.console import inputs
from bot.dates import china_month
from bot.outlets.reading import OutletImportError
from bot.outlets.registry import Registry
from bot.storage.database import Storage, user_key

PDF_MAX_PAGES = 500  # posters in one Chromium PDF job; more: print posters.html instead


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


def _shown(cfg) -> Registry:
    """The registry for a command that shows outlets: the fictional sample list loaded only when
    the config says `load_sample = true` (an operator's shell lacks the service's token, and a
    production database must not fill up with made-up outlets)."""
    registry = _registry(cfg)
    registry.keep_sample(cfg.sample_outlets(chat=False))
    return registry


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
    except IsADirectoryError:
        print(f"courier-bot: {args.file}: a folder, not a CSV or Excel file", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"courier-bot: {args.file}: cannot be read ({exc.strerror or exc})", file=sys.stderr)
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

    registry = _shown(cfg)
    region = args.region  # canonical: bot.cli.known_region
    user = user_key(cfg.user_salt, "cli", getpass.getuser())
    for q in inputs(args.query):
        result, home = registry.find(q, region)  # as the chat: the region first, then wider
        if not result.empty:
            registry.record(result, user, "cli")
        if args.json:
            print(json.dumps(result.as_json(), ensure_ascii=False), flush=True)
            continue
        reply = reply_for(registry, result, outside=home)
        print(plain(reply.text), flush=True)
        for i, (label, _) in enumerate(reply.buttons, 1):
            print(f"  [{i}] {label}")
        print(flush=True)
    return 0


def _posters(cfg, args) -> int:
    from bot.outlets import posters

    username = bot_username(args.bot_username or "") or cfg.bot_username
    problem = _posters_problem(args, username)
    if problem:
        print(f"courier-bot: {problem}", file=sys.stderr)
        return 2
    registry = _shown(cfg)
    outlets = posters.select(registry, args.city, args.county, args.limit)
    first = next(outlets, None)
    if first is None:
        none = (
            "no outlet matches --city/--county"
            if args.city or args.county
            else "no outlets in the database; import a list first (courier-bot outlets import)"
        )
        print(f"courier-bot: {none}", file=sys.stderr)
        return 1
    out, count = Path(args.out), 0

    def written(p: posters.Poster) -> None:
        nonlocal count
        count += 1
        o = p.outlet
        flag = "  [示例数据（虚构）]" if o["sample"] else ""
        print(f"  {p.file_name}  {o['name']}（{o['province']}{o['city'] or ''}）{flag}")

    print(f"Writing posters (one A4 page each) to {out}:")
    items = (posters.poster(o, username) for o in itertools.chain([first], outlets))
    try:
        every = posters.write(items, out, written)
    except OSError as exc:
        print(
            f"courier-bot: --out {out}: cannot write there ({exc.strerror or exc})", file=sys.stderr
        )
        return 1
    print(f"Wrote {count} posters; all of them in {every}")
    if args.no_pdf:
        return 0
    if count > PDF_MAX_PAGES:
        print(
            f"No PDF: {count} posters are more than {PDF_MAX_PAGES} for one PDF; print"
            " posters.html from a browser, or pick fewer with --city/--county/--limit."
        )
        return 0
    return _poster_pdf(every, count)


def _posters_problem(args, username: str | None) -> str | None:
    """Why the posters cannot be written as asked, or None."""
    if not username:
        return (
            "the posters' QR codes link to the bot: set [telegram] bot_username in the config or"
            " pass --bot-username"
        )
    if args.limit is not None and args.limit < 1:
        return "--limit must be 1 or more"
    if not (args.city or args.county or args.limit or args.all):
        return (
            "which outlets? pass --city, --county or --limit, or --all for every outlet in the"
            " database (one page each)"
        )
    if Path(args.out).exists() and not Path(args.out).is_dir():
        return f"--out {args.out}: a file, not a folder"
    return None


def _poster_pdf(html: Path, pages: int) -> int:
    """posters.pdf beside posters.html, or why not (the HTML prints from any browser too)."""
    from bot.browser import find_chromium
    from bot.outlets import posters

    browser = find_chromium()
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
    built = report.build(_registry(cfg), month, args.region)
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
