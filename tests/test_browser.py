"""bot/browser.py, the one Chromium launcher (posters' PDF, the tests' screenshots and DOM dumps):
found on PATH, started headless and offline with a fresh profile. A stand-in executable records
how it was started, so these run where no browser is installed; test_posters.py and test_web.py
drive the real Chromium through the same functions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot import browser

ROOT = Path(__file__).resolve().parent.parent
# A stand-in for Chromium: records its arguments, writes what --print-to-pdf / --screenshot name
# (unless told not to), prints a DOM for --dump-dom, and fails when asked to.
FAKE = """#!{python}
import json, pathlib, sys
args = sys.argv[1:]
pathlib.Path({log!r}).write_text(json.dumps(args))
profile = next(a.split("=", 1)[1] for a in args if a.startswith("--user-data-dir="))
assert pathlib.Path(profile).is_dir()
if "fail" in args[-1]:
    sys.exit(3)
for a in args:
    if a.startswith(("--print-to-pdf=", "--screenshot=")) and "silent" not in args[-1]:
        pathlib.Path(a.split("=", 1)[1]).write_bytes(b"made")
if "--dump-dom" in args:
    print("<html>dom</html>")
"""


def _executable(folder: Path, name: str, log: Path) -> Path:
    path = folder / name
    path.write_text(FAKE.format(python=sys.executable, log=str(log)), encoding="utf-8")
    path.chmod(0o755)
    return path


@pytest.fixture
def fake(tmp_path) -> tuple[str, Path]:
    log = tmp_path / "args.json"
    return str(_executable(tmp_path, "chromium", log)), log


def test_chromium_is_found_on_path_in_order(tmp_path, monkeypatch):
    log = tmp_path / "unused.json"
    for name in ("google-chrome", "chromium-browser"):
        _executable(tmp_path, name, log)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert browser.find_chromium() == str(tmp_path / "chromium-browser")
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    assert browser.find_chromium() is None


def test_every_run_is_headless_offline_with_a_fresh_profile(fake, tmp_path):
    chromium, log = fake
    pdf = browser.print_pdf(chromium, "file:///poster.html", tmp_path / "p.pdf", timeout=30)
    assert pdf.read_bytes() == b"made"
    args = json.loads(log.read_text())
    assert args[: len(browser.FLAGS)] == list(browser.FLAGS)
    assert {"--headless", "--no-first-run", "--disable-background-networking"} <= set(args)
    assert f"--print-to-pdf={pdf}" in args and args[-1] == "file:///poster.html"
    profile = Path(next(a for a in args if a.startswith("--user-data-dir=")).split("=", 1)[1])
    assert not profile.exists()  # thrown away after the run


def test_screenshot_and_dom_take_the_window_and_extra_flags(fake, tmp_path):
    chromium, log = fake
    png = browser.screenshot(chromium, "http://x/", tmp_path / "s.png", "--a=1", size="800,600")
    args = json.loads(log.read_text())
    assert png.is_file() and "--window-size=800,600" in args and "--hide-scrollbars" in args
    assert f"--screenshot={png}" in args and "--a=1" in args and args[-1] == "http://x/"
    assert browser.dump_dom(chromium, "http://x/", "--b=2").strip() == "<html>dom</html>"
    args = json.loads(log.read_text())
    assert "--dump-dom" in args and "--b=2" in args and f"--window-size={browser.WINDOW}" in args


def test_a_browser_that_fails_or_writes_nothing_is_an_error(fake, tmp_path):
    chromium, _log = fake
    with pytest.raises(subprocess.CalledProcessError):
        browser.print_pdf(chromium, "http://x/fail", tmp_path / "p.pdf", timeout=30)
    stale = tmp_path / "p.pdf"
    stale.write_bytes(b"from an earlier run")
    with pytest.raises(OSError, match="without writing"):
        browser.print_pdf(chromium, "http://x/silent", stale, timeout=30)
    with pytest.raises(OSError, match="without writing"):
        browser.screenshot(chromium, "http://x/silent", tmp_path / "s.png")


def test_the_launch_flags_are_written_once():
    """Posters and tests alike start Chromium through bot/browser.py (one flag list)."""
    flag = browser.FLAGS[-3]  # --disable-background-networking: no other code needs it
    holders = sorted(
        str(path.relative_to(ROOT))
        for folder in ("bot", "handlers", "bench", "tests")
        for path in (ROOT / folder).rglob("*.py")
        if path != Path(__file__).resolve() and flag in path.read_text(encoding="utf-8")
    )
    assert holders == ["bot/browser.py"]
