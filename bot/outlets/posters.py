"""Outlet posters: one printable A4 page per outlet, to hang at the outlet itself (the seeds ask
that coverage be made known there). Each names the outlet, its status and the date of the list
it came from, and carries a QR code with the bot's deep link t.me/<bot>?start=o<key> that opens
that outlet's status in the chat (bot/outlets/lookups.py reads the key back).

HTML from poster.html.j2 (QR codes as inline SVG by segno, no image library), and one PDF of all
pages through headless Chromium when it and a CJK font are installed (without the font every
Chinese character would print as a box).
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import segno
from markupsafe import Markup

from bot import browser as chromium
from bot.outlets.lookups import poster_key
from bot.outlets.names import city_key, county_key
from bot.outlets.registry import Registry
from bot.outlets.search import SELECT
from bot.render import render, stream

PDF_SECONDS = 60  # one Chromium run prints every page: this, plus PAGE_SECONDS a page
PAGE_SECONDS = 1.0  # generous: 12 pages print in under a second on 2 cores


@dataclass(frozen=True)
class Poster:
    outlet: dict
    key: str  # the /start payload: o<id>-<check>
    link: str  # https://t.me/<bot>?start=<key>

    @property
    def file_name(self) -> str:
        return f"{self.key}.html"


def deep_link(bot_username: str, key: str) -> str:
    return f"https://t.me/{bot_username}?start={key}"


def qr_svg(link: str) -> Markup:
    """The link as an inline SVG QR code (regular QR, never Micro QR: phones read it; error
    level M or better: a poster on a wall gets dirty). Sized by the page's CSS (viewBox)."""
    code = segno.make(link, error="m", micro=False)
    return Markup(code.svg_inline(omitsize=True, border=4, svgclass="qr", lineclass=None))


def select(
    registry: Registry, city: str | None, county: str | None, limit: int | None
) -> Iterator[dict]:
    """The outlets to print, one at a time in a stable order (place, then name): those in
    `city` (济宁, 济宁市) and `county` (任城, 任城区) when given, at most `limit`."""
    where, args = "", []
    if city:
        where, args = " where o.city_key = ?", [city_key(city)]
    rows = registry.db.query(
        SELECT + where + " order by o.province, o.city_key, o.county, o.name, o.id", args
    )
    wanted = county_key(county) if county else None
    fitting = (r for r in rows if wanted is None or county_key(r["county"] or "") == wanted)
    return itertools.islice(fitting, limit)


def poster(outlet: dict, bot_username: str) -> Poster:
    key = poster_key(outlet)
    return Poster(outlet, key, deep_link(bot_username, key))


def page(items: list[Poster]) -> str:
    """One HTML document with an A4 page per poster."""
    return _html([_page(p) for p in items])


def _page(p: Poster) -> dict:
    return {"o": p.outlet, "link": p.link, "qr": qr_svg(p.link)}


def _html(pages: list[dict]) -> str:
    title = pages[0]["o"]["name"] if len(pages) == 1 else None
    return render("poster.html", pages=pages, title=title)


def write(
    items: Iterable[Poster], folder: Path, each: Callable[[Poster], None] | None = None
) -> Path:
    """One HTML file per poster (<key>.html) and all of them in posters.html, for printing in
    one go; returns the latter. Written as the posters come (`each` is told of every one), so
    thousands of them never sit in memory at once."""
    folder.mkdir(parents=True, exist_ok=True)

    def pages() -> Iterator[dict]:
        for p in items:
            entry = _page(p)  # its QR code drawn once, for its own file and for posters.html
            (folder / p.file_name).write_text(_html([entry]), encoding="utf-8")
            if each:
                each(p)
            yield entry

    every = folder / "posters.html"
    with every.open("w", encoding="utf-8") as out:
        out.writelines(stream("poster.html", pages=pages(), title=None))
    return every


def has_cjk_font() -> bool:
    """Whether fontconfig knows a Chinese font (else Chromium prints boxes for every 汉字)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    found = subprocess.run(
        [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=30, check=False
    )
    return bool(found.stdout.strip())


def print_pdf(browser: str, html: Path, pdf: Path, pages: int = 1) -> Path:
    """Print an HTML file of `pages` pages to PDF as on paper (A4 from its @page rule)."""
    timeout = PDF_SECONDS + PAGE_SECONDS * pages
    return chromium.print_pdf(browser, html.resolve().as_uri(), pdf, timeout=timeout)
