"""Headless Chromium, the one browser the project drives: outlet posters are printed to PDF with it
(bot/outlets/posters.py), and the tests take screenshots and read the DOM it built (the web
view's charts, a poster's QR code).

Every run starts a fresh, throw-away profile and keeps the browser offline and quiet: no
first-run, sync, update or network chatter.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")  # on PATH
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
WINDOW = "1280,1000"  # the default window of a screenshot or a DOM dump, in CSS pixels


def find_chromium() -> str | None:
    """The first Chromium (or Chrome) on PATH, else None."""
    return next((path for name in NAMES if (path := shutil.which(name))), None)


def run(browser: str, url: str, *args: str, timeout: float) -> str:
    """Open `url` once in headless `browser` with `args` (what to do with it); its standard
    output. Raises CalledProcessError when it fails, TimeoutExpired when it hangs."""
    with tempfile.TemporaryDirectory(prefix="courier-bot-chromium-") as profile:
        return subprocess.run(
            [browser, *FLAGS, f"--user-data-dir={profile}", *args, url],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        ).stdout


def print_pdf(browser: str, url: str, pdf: Path, timeout: float) -> Path:
    """Print the page to `pdf` as on paper (page size from its @page rule, no header or footer)."""
    args = ("--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    return _written(pdf, browser, url, *args, timeout=timeout)


def screenshot(
    browser: str, url: str, png: Path, *args: str, size: str = WINDOW, timeout: float = 120
) -> Path:
    """The page as shown in a window of `size` ("width,height"), saved as PNG."""
    args = (*_window(size), f"--screenshot={png}", *args)
    return _written(png, browser, url, *args, timeout=timeout)


def dump_dom(browser: str, url: str, *args: str, size: str = WINDOW, timeout: float = 120) -> str:
    """The page's DOM as serialised after its scripts ran (pass --virtual-time-budget=MS to let
    them finish)."""
    return run(browser, url, *_window(size), "--dump-dom", *args, timeout=timeout)


def _written(out: Path, browser: str, url: str, *args: str, timeout: float) -> Path:
    """`out`, as the run with `args` wrote it."""
    out.unlink(missing_ok=True)  # a file left by an earlier run must not pass for this one
    run(browser, url, *args, timeout=timeout)
    if not out.is_file():
        raise OSError(f"Chromium exited without writing {out}")
    return out


def _window(size: str) -> tuple[str, ...]:
    return (f"--window-size={size}", "--hide-scrollbars")
