"""`courier-bot` command line: run, console, ask, faq gaps/check/reload, bench."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys

from bot import config as config_mod
from bot import regions
from bot.faq.loader import FaqError


def known_region(name: str) -> str | None:
    """--region as a region's canonical name; an unknown one is a usage error (exit 2). An empty
    one (--region "$UNSET") means none, as it always did."""
    if not name:
        return None
    region = regions.canonical(name)
    if region is None:
        raise argparse.ArgumentTypeError(f"{name!r} is not a known region")
    return region


def _parser() -> argparse.ArgumentParser:
    # --config works before or after the sub-command; SUPPRESS keeps a later default from erasing it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        default=argparse.SUPPRESS,
        help="TOML config file (default: $COURIER_BOT_CONFIG)",
    )
    p = argparse.ArgumentParser(
        prog="courier-bot", description="快递员工伤保险助手", parents=[common]
    )
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser(
        "run",
        parents=[common],
        help="serve Telegram (falls back to the console when no token is set)",
    )
    run.add_argument(
        "--webhook",
        action="store_true",
        help="receive updates on a webhook ([webhook] in the config) instead of polling",
    )
    sub.add_parser("console", parents=[common], help="chat with the bot in this terminal")
    ask = sub.add_parser(
        "ask", parents=[common], help="answer one question ('-' reads one per line from stdin)"
    )
    ask.add_argument("question")
    ask.add_argument("--region", type=known_region, help="e.g. 济宁, 吉林, 全国")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    faq = sub.add_parser("faq", parents=[common], help="FAQ maintenance")
    faq_sub = faq.add_subparsers(dest="faq_command", required=True)
    gaps = faq_sub.add_parser(
        "gaps", parents=[common], help="questions the bot could not answer, most frequent first"
    )
    gaps.add_argument("--limit", type=int, default=50)
    faq_sub.add_parser(
        "stats", parents=[common], help="answers by helpfulness (👍/👎 and why), most 👎 first"
    )
    faq_sub.add_parser(
        "check", parents=[common], help="validate the FAQ files and print entry counts"
    )
    faq_sub.add_parser(
        "reload",
        parents=[common],
        help="make the running bot re-read the FAQ now (checks it, then sends the bot SIGHUP)",
    )
    ev = faq_sub.add_parser(
        "eval", parents=[common], help="score matching on a labelled question set"
    )
    ev.add_argument("cases", nargs="?", help="TOML with [[case]] q/topic (default: tests/data)")
    ev.add_argument("--verbose", action="store_true", help="list every miss")
    back = sub.add_parser(
        "backup", parents=[common], help="copy the SQLite database safely while the bot runs"
    )
    back.add_argument("--output", help="backup file (default: backups/ beside the database)")
    bench = sub.add_parser("bench", parents=[common], help="print latency and throughput figures")
    bench.add_argument("--couriers", type=int, default=1000, help="simulated couriers at once")
    bench.add_argument("--each", type=int, default=2, help="messages per courier")
    bench.add_argument(
        "--outlets",
        type=int,
        default=0,
        metavar="N",
        help="instead: import a generated list of N outlets, time lookups (e.g. 500000)",
    )
    outlets = sub.add_parser(
        "outlets", parents=[common], help="outlet lists: import, lookup, posters"
    )
    outlets_sub = outlets.add_subparsers(dest="outlets_command", required=True)
    imp = outlets_sub.add_parser(
        "import",
        parents=[common],
        help="import an official outlet list (CSV in UTF-8 or GBK/GB18030, or .xlsx/.xls)",
    )
    imp.add_argument(
        "file", help="CSV or Excel file; columns are listed in README.md (Outlet lists)"
    )
    imp.add_argument("--source", required=True, help="who issued the list, e.g. 济宁市邮政管理局")
    imp.add_argument("--as-of", required=True, help="the list's date, e.g. 2026-10")
    imp.add_argument(
        "--skip-bad",
        action="store_true",
        help="import the valid rows and report the bad ones (default: reject the file)",
    )
    imp.add_argument("--sheet", help="the workbook's sheet to read (default: the first)")
    imp.add_argument(
        "--ignore-column",
        action="append",
        default=[],
        metavar="NAME",
        help="leave this column out (repeatable); any other unknown column stops the import",
    )
    look = outlets_sub.add_parser(
        "lookup",
        parents=[common],
        help="look an outlet up ('-' reads one query per line from stdin)",
    )
    look.add_argument("query", help="outlet name (fuzzy) or licence/filing number (exact)")
    look.add_argument(
        "--region",
        type=known_region,
        help="search this region first (as the chat does), e.g. 济宁, 广西",
    )
    look.add_argument("--json", action="store_true", help="print one JSON object per query")
    posters = outlets_sub.add_parser(
        "posters",
        parents=[common],
        help="one printable A4 poster per outlet with its status and a QR code to the bot",
    )
    posters.add_argument("--out", required=True, help="folder for the HTML (and PDF) files")
    posters.add_argument("--city", help="only outlets in this city, e.g. 济宁")
    posters.add_argument("--county", help="only outlets in this county/district, e.g. 任城区")
    posters.add_argument("--limit", type=int, help="at most this many posters")
    posters.add_argument(
        "--all",
        action="store_true",
        help="every outlet in the database (else --city/--county/--limit)",
    )
    posters.add_argument(
        "--bot-username",
        help="the bot's @username for the QR links (default: telegram.bot_username)",
    )
    posters.add_argument("--no-pdf", action="store_true", help="write HTML only")
    rep = sub.add_parser(
        "report",
        parents=[common],
        help="monthly coverage (调度表 columns) and the outlets couriers looked up",
    )
    rep.add_argument("--month", help="YYYY-MM (default: this month in China)")
    rep.add_argument("--region", type=known_region, help="e.g. 广西, 济宁 (default: everywhere)")
    rep.add_argument("--format", choices=["csv", "md"], default="md")
    rep.add_argument(
        "--output", help="write to this file instead of stdout (CSV with a BOM for Excel)"
    )
    web = sub.add_parser(
        "web", parents=[common], help="the officials' read-only web view with charts (Datasette)"
    )
    web.add_argument("--host", help="address to listen on (default: web.host, 127.0.0.1)")
    web.add_argument("--port", type=int, help="port to listen on (default: web.port, 8001)")
    web_sub = web.add_subparsers(dest="web_command")
    web_sub.add_parser(
        "hash-password", parents=[common], help="print the hash to put in [web] password_hash"
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        cfg = config_mod.load(getattr(args, "config", None))
        return _dispatch(args, cfg)
    except (config_mod.ConfigError, FaqError, FileNotFoundError) as exc:
        print(f"courier-bot: {exc}", file=sys.stderr)
        return 2


def _assistant(cfg, chat: bool = True):
    from bot.assistant import Assistant
    from bot.storage.database import Storage

    return Assistant(cfg, Storage(cfg.database), chat=chat)


def _dispatch(args, cfg) -> int:
    if args.command == "run":
        if not cfg.token:
            from bot.render import render

            print(render("no_token"), file=sys.stderr)
            return _console(cfg)
        from handlers.app import run

        run(cfg, webhook=args.webhook)
        return 0
    if args.command == "console":
        return _console(cfg)
    if args.command == "ask":
        return _ask(cfg, args)
    if args.command == "faq":
        return _faq(cfg, args)
    if args.command == "backup":
        from pathlib import Path

        from bot.storage.backup import backup

        print(backup(cfg.database, Path(args.output) if args.output else None))
        return 0
    if args.command == "bench" and args.outlets:
        from bench.outlets import outlets_main

        return outlets_main(cfg, args.outlets)
    if args.command == "bench":
        from bench.load import main as bench

        return bench(cfg, args.couriers, args.each)
    if args.command in ("outlets", "report"):
        from bot.outlets.cli import main as outlet_cli

        return outlet_cli(cfg, args)
    if args.command == "web":
        from bot.web.cli import main as web_cli

        return web_cli(cfg, args)
    return 2


def _console(cfg) -> int:
    from bot.console import Console

    Console(_assistant(cfg)).run()
    return 0


def _ask(cfg, args) -> int:
    from bot.assistant import as_json
    from bot.console import inputs
    from bot.render import plain
    from bot.storage.database import user_key

    assistant = _assistant(cfg, chat=False)  # a command: never loads the sample list unasked
    user = user_key(cfg.user_salt, "cli", getpass.getuser())
    for q in inputs(args.question):
        reply = assistant.ask(q, user, region=args.region, limited=False)
        if args.json:
            print(json.dumps(as_json(reply.match, reply), ensure_ascii=False), flush=True)
        else:
            print(plain(reply.text) + "\n", flush=True)
    return 0


def _faq(cfg, args) -> int:
    if args.faq_command == "check":
        from bot.faq.loader import load, summary

        print(summary(load(cfg.faq_dir)))
        return 0
    if args.faq_command == "eval":
        return _eval(cfg, args)
    if args.faq_command == "reload":
        return _reload(cfg)
    if args.faq_command == "stats":
        return _stats(cfg)
    from bot.faq.loader import load
    from bot.handoff import Tickets, drafts
    from bot.storage.database import Storage

    storage = Storage(cfg.database)
    rows = storage.gaps(args.limit)
    if not rows:
        print("No unanswered questions recorded.")
    for row in rows:
        print(f"{row['n']:5d}  {row['text']}  [{row['regions'] or '-'}]  last {row['last']}")
    answered = Tickets(storage.db, cfg.user_salt).answered(args.limit)  # FAQ drafts
    if answered:
        print("\n" + drafts(answered, load(cfg.faq_dir).by_id().get))
    return 0


def _stats(cfg) -> int:
    """`faq stats`: 👍/👎 per entry, most 👎 first."""
    from bot.faq.loader import load
    from bot.feedback import Feedback, report
    from bot.storage.database import Storage

    print(report(Feedback(Storage(cfg.database).db).stats(), load(cfg.faq_dir).by_id().get))
    return 0


def _reload(cfg) -> int:
    """Signal the bot running on this config's database (its pid file) to reload the FAQ, after
    checking the FAQ here first so a mistake shows in this terminal, not only in the bot's log."""
    import os
    import signal

    from bot import pidfile
    from bot.faq import live

    try:
        pid = pidfile.running(pidfile.beside(cfg.database))
    except pidfile.NotRunning as exc:
        print(
            f"courier-bot: {exc}; nothing to reload (start it with `courier-bot run`)",
            file=sys.stderr,
        )
        return 1
    problems = live.reread(cfg).problems
    if problems:
        print(
            "\n".join(["courier-bot: the FAQ has problems; the bot keeps the old one:", *problems]),
            file=sys.stderr,
        )
        return 2
    os.kill(pid, signal.SIGHUP)
    print(
        f"Sent SIGHUP to the bot (pid {pid}): it checks the FAQ again, swaps it and logs the result."
    )
    return 0


def _eval(cfg, args) -> int:
    """The understanding table for every labelled set (or one paraphrase-style file)."""
    import dataclasses
    import tempfile
    from pathlib import Path

    from bench import evaluation

    with tempfile.TemporaryDirectory() as tmp:  # nothing the eval asks may reach the real gaps
        core = _assistant(
            dataclasses.replace(cfg, database=Path(tmp) / "eval.db", load_sample_outlets=False)
        )
        try:
            if args.cases:
                reports = [
                    evaluation.paraphrases(core, evaluation.load_cases(args.cases), args.cases)
                ]
            else:
                reports = evaluation.all_sets(core)
        finally:
            core.storage.close()
    if args.verbose:
        for report in reports:
            for o in report.failures():
                print(
                    f"MISS [{report.name}] {o.q[:60]!r} got {o.got or 'declined'}"
                    f"{' (top 3 right)' if o.top3 else ''}"
                )
    print(evaluation.table(reports))
    for report in reports:
        if report.name.startswith("real"):
            row = report.row()
            print(
                f"{report.name}: {row['via_followups']} of {row['right']} right answers need "
                f"the 「接下来」 lines"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
