"""Outlet posters (issue 12, item 6): the printable page, the QR code's deep link, its Chromium
rendering, the CLI; `/start o<key>` from the QR code in Telegram and the console; and the sample
list off by default in a Telegram deployment (item 5)."""

from __future__ import annotations

import io
import re
import sqlite3
import struct
import zlib
from pathlib import Path

import pytest
import segno

from bench.fakeapi import TOKEN
from bot import browser
from bot import config as config_mod
from bot.assistant import Assistant
from bot.console import Console
from bot.outlets import posters
from bot.outlets.lookups import poster_key
from bot.outlets.registry import Registry
from bot.storage.database import Storage, user_key
from tests.support.cli import run_cli
from tests.support.telegram import buttons, step

BOT = "courier_test_bot"  # the fake Bot API's bot (bench/fakeapi.py BOT_USER)
COURIER = 987654321  # a Telegram id long enough to search the database for
PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")
REAL_LIST = (
    "网点名称,品牌,许可证号或备案号,省份,城市,区县,是否参保\n"
    "中通快递任城网点,中通,SD-T-01,山东,济宁市,任城区,是\n"
    "韵达快递兖州网点,韵达,SD-T-02,山东,济宁市,兖州区,否\n"
)


@pytest.fixture
def registry(tmp_path):
    storage = Storage(tmp_path / "posters.db")
    reg = Registry(storage)
    reg.ensure_sample()
    yield reg
    storage.close()


def outlet_named(registry: Registry, name: str) -> dict:
    (row,) = [o for o in posters.select(registry, None, None, None) if o["name"] == name]
    return row


def sample_poster(registry: Registry) -> posters.Poster:
    return posters.poster(outlet_named(registry, "中通快递城西网点"), BOT)


# --- the page ----------------------------------------------------------------------------------
def test_the_sample_poster_names_outlet_status_list_date_and_bot(registry):
    poster = sample_poster(registry)
    html = posters.page([poster])
    assert "中通快递城西网点" in html and "广西南宁市西乡塘区" in html
    assert "已参加工伤保险" in html and "截至2026-10" in html and "快递员工伤保险助手" in html
    assert "@page { size: A4" in html and html.count('class="page"') == 1
    # fictional: marked, and what the row says without a ✅/❌ verdict (M10)
    assert "示例数据（虚构）" in html and "示例名单里写的是：已参加工伤保险" in html
    assert "✅" not in html and "❌" not in html
    assert "人社局" in html and "工伤认定" in html  # what a courier can do if it is not insured
    assert f"https://t.me/{BOT}?start={poster.key}" in html


def test_real_outlets_get_the_verdict_the_list_gives_and_its_date(registry, tmp_path):
    csv = tmp_path / "jn.csv"
    csv.write_text(REAL_LIST, encoding="utf-8")
    registry.import_csv(csv, "济宁市邮政管理局", "2026-09")  # a real list removes the sample
    yes, no = posters.select(registry, None, None, None)
    assert (yes["name"], no["name"]) == ("中通快递任城网点", "韵达快递兖州网点")
    html = posters.page([posters.poster(yes, BOT), posters.poster(no, BOT)])
    assert html.count('class="page"') == 2
    assert "✅ 已参加工伤保险" in html and "❌ 名单上未参加工伤保险" in html
    assert html.count("名单来源：济宁市邮政管理局（截至2026-09）") == 2
    assert "示例" not in html and "虚构" not in html


# --- the QR code -------------------------------------------------------------------------------
def svg_matrix(html: str) -> list[list[bool]]:
    """The modules segno's inline SVG path draws (quiet zone included): each row is a run of
    "h" strokes at y+0.5 after absolute (M) or relative (m) moves."""
    (svg,) = re.findall(r'<svg viewBox="0 0 (\d+) (\d+)" class="qr">.*?</svg>', html, re.S)
    size = int(svg[0])
    (path,) = re.findall(r'<svg viewBox[^>]*class="qr">.*?\sd="([^"]+)"', html, re.S)
    grid = [[False] * size for _ in range(size)]
    x = y = 0.0
    for op, args in re.findall(r"([MmHh])([^MmHh]*)", path):
        nums = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", args)]
        if op == "M":
            x, y = nums
        elif op == "m":
            x, y = x + nums[0], y + nums[1]
        else:
            length = nums[0] if op == "h" else nums[0] - x
            for col in range(int(x), int(x + length)):
                grid[int(y)][col] = True
            x += length
    return grid


def segno_matrix(link: str) -> list[list[bool]]:
    code = segno.make(link, error="m", micro=False)
    return [[bool(v) for v in row] for row in code.matrix_iter(border=4)]


def test_the_qr_code_holds_the_deep_link_and_the_key_finds_the_outlet(registry):
    poster = sample_poster(registry)
    html = posters.page([poster])
    expected = f"https://t.me/{BOT}?start={poster.key}"
    assert poster.link == expected and PAYLOAD.fullmatch(poster.key)
    assert svg_matrix(html) == segno_matrix(expected)
    other = posters.poster(outlet_named(registry, "中通快递城东网点"), BOT)
    assert svg_matrix(html) != segno_matrix(other.link)  # the comparison can tell links apart
    assert registry.by_poster_key(poster.key)["name"] == "中通快递城西网点"


@pytest.mark.parametrize(
    "payload",
    ["outlet", "o1", "o1-", "o0-aaaaaa", "o99999-aaaaaa", "o1-AAAAAA", "o1-aaaaaa", "o１-aaaaaa"],
)
def test_a_key_that_names_no_outlet_finds_none(registry, payload):
    key = poster_key(outlet_named(registry, "中通快递城西网点"))
    assert key.startswith("o1-") and payload != key
    assert registry.by_poster_key(payload) is None


def test_the_check_makes_an_id_from_another_database_find_nothing(registry):
    real = outlet_named(registry, "中通快递城西网点")
    stranger = dict(real, key="no:OTHER-0001")  # the same id given to another outlet elsewhere
    assert registry.by_poster_key(poster_key(stranger)) is None
    assert registry.by_poster_key(poster_key(real))["id"] == real["id"]


# --- Chromium ----------------------------------------------------------------------------------
BROWSER = browser.find_chromium()
needs_chromium = pytest.mark.skipif(
    BROWSER is None, reason="no Chromium on PATH (Debian: apt-get install chromium)"
)


@needs_chromium
def test_chromium_prints_the_poster_on_one_a4_page(registry, tmp_path):
    assert BROWSER is not None
    html = posters.write([sample_poster(registry)], tmp_path / "out")
    pdf = posters.print_pdf(BROWSER, html, tmp_path / "poster.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 5_000
    assert len(re.findall(rb"/Type\s*/Page\b", data)) == 1
    # A4 in points (595.28 x 841.89), as the @page rule asks
    box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert box and round(float(box[1])) == 595 and round(float(box[2])) == 842


def png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB(A) rows of an 8-bit, non-interlaced PNG (as Chromium writes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        header = body if kind == b"IHDR" else header
        idat += body if kind == b"IDAT" else b""
        pos += 12 + length
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and color in (2, 6) and interlace == 0
    bpp = 3 if color == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for r in range(height):
        start = r * (stride + 1)  # each row: its filter type, then its bytes
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, rows


@needs_chromium
def test_the_qr_code_chromium_draws_on_the_page_is_the_deep_links(registry, tmp_path):
    """The poster as Chromium lays it out, with everything but the QR code made invisible (the
    layout stays): its dark modules, read at their centres, are segno's for the deep link."""
    assert BROWSER is not None
    poster = sample_poster(registry)
    only_qr = (
        "<style>body * { visibility: hidden } svg.qr, svg.qr * { visibility: visible }</style>"
    )
    page = tmp_path / "qr.html"
    page.write_text(posters.page([poster]).replace("</head>", only_qr + "</head>"), "utf-8")
    shot = tmp_path / "qr.png"
    browser.screenshot(
        BROWSER,
        page.resolve().as_uri(),
        shot,
        "--force-device-scale-factor=1",
        size="794,1123",  # A4 at 96 dpi
        timeout=60,
    )
    width, height, rows = png_pixels(shot)
    bpp = len(rows[0]) // width

    def dark(x: int, y: int) -> bool:
        return sum(rows[y][x * bpp : x * bpp + 3]) < 3 * 128

    dark_px = [(x, y) for y in range(height) for x in range(0, width) if dark(x, y)]
    left, right = min(x for x, _ in dark_px), max(x for x, _ in dark_px)
    top, bottom = min(y for _, y in dark_px), max(y for _, y in dark_px)
    expected = segno_matrix(poster.link)
    n = len(expected) - 8  # the symbol without its quiet zone (the finder patterns bound it)
    module = (right - left + 1) / n
    assert module > 4 and abs((bottom - top + 1) / n - module) < 0.5  # square, big enough
    seen = [
        [dark(int(left + (c + 0.5) * module), int(top + (r + 0.5) * module)) for c in range(n)]
        for r in range(n)
    ]
    assert seen == [row[4:-4] for row in expected[4:-4]]


# --- the CLI -----------------------------------------------------------------------------------
def write_config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(  # a command loads the sample list only when told to
        f'[storage]\ndatabase = "bot.db"\n[outlets]\nload_sample = true\n{extra}', encoding="utf-8"
    )
    return path


def test_cli_writes_one_poster_per_outlet_filtered_by_city_and_county(tmp_path):
    config = write_config(tmp_path)
    out = run_cli(
        "outlets",
        "posters",
        "--out",
        str(tmp_path / "nn"),
        "--city",
        "南宁",
        "--bot-username",
        "@" + BOT,
        "--no-pdf",
        config=config,
    )
    assert out.returncode == 0, out.stderr
    pages = sorted(p.name for p in (tmp_path / "nn").glob("o*.html"))
    names = {"中通快递城西网点", "中通快递城东网点", "圆通速递民族大道营业部"}
    assert len(pages) == 3 and all(n in out.stdout for n in names) and "柳州" not in out.stdout
    every = (tmp_path / "nn" / "posters.html").read_text("utf-8")
    assert every.count('class="page"') == 3 and f"t.me/{BOT}?start=o" in every
    out = run_cli(
        "outlets",
        "posters",
        "--out",
        str(tmp_path / "rc"),
        "--city",
        "济宁市",
        "--county",
        "任城",
        "--bot-username",
        BOT,
        "--no-pdf",
        config=config,
    )
    assert out.returncode == 0, out.stderr
    (page,) = (tmp_path / "rc").glob("o*.html")
    assert "京东物流古槐路站" in page.read_text("utf-8") and "兖州" not in out.stdout


def test_cli_takes_the_username_from_config_limits_and_says_what_of_the_pdf(tmp_path):
    config = write_config(tmp_path, f'[telegram]\nbot_username = "{BOT}"\n')
    out = run_cli(
        "outlets", "posters", "--out", str(tmp_path / "one"), "--limit", "1", config=config
    )
    assert out.returncode == 0, out.stderr
    (page,) = (tmp_path / "one").glob("o*.html")
    assert f"https://t.me/{BOT}?start=o" in page.read_text("utf-8")
    pdf = tmp_path / "one" / "posters.pdf"
    if pdf.exists():  # Chromium and a Chinese font are installed
        assert "PDF:" in out.stdout and pdf.read_bytes().startswith(b"%PDF")
    else:
        assert "No PDF:" in out.stdout


@pytest.mark.parametrize(
    "args, code, message",
    [
        ([], 2, "bot_username"),
        (["--bot-username", "no spaces"], 2, "must be 5-32 characters"),
        (["--bot-username", BOT, "--city", "拉萨"], 1, "no outlet matches"),
        (["--bot-username", BOT, "--limit", "0"], 2, "--limit must be 1 or more"),
        (["--bot-username", BOT], 2, "which outlets? pass --city, --county or --limit, or --all"),
    ],
)
def test_cli_stops_with_a_clear_message(tmp_path, args, code, message):
    out = run_cli(
        "outlets",
        "posters",
        "--out",
        str(tmp_path / "x"),
        "--no-pdf",
        *args,
        config=write_config(tmp_path),
    )
    assert out.returncode == code and message in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "x").exists()  # stopped before writing anything


@pytest.mark.parametrize("where", ["a file", "under a file"])
def test_cli_out_that_is_no_folder_is_a_clear_error(tmp_path, where):
    taken = tmp_path / "posters.txt"
    taken.write_text("not a folder", encoding="utf-8")
    out_dir = taken if where == "a file" else taken / "posters"
    out = run_cli(
        "outlets", "posters", "--out", str(out_dir), "--limit", "1", "--no-pdf",
        "--bot-username", BOT, config=write_config(tmp_path),
    )  # fmt: skip
    assert out.returncode in (1, 2) and "Traceback" not in out.stderr, out.stderr
    assert f"--out {out_dir}" in out.stderr
    assert taken.read_text(encoding="utf-8") == "not a folder"


def test_cli_all_streams_every_poster_and_skips_a_pdf_too_big(tmp_path, monkeypatch, capsys):
    """--all writes every outlet (the sample's 12); above PDF_MAX_PAGES no PDF job is started."""
    from bot.cli import main
    from bot.outlets import cli as outlet_cli

    monkeypatch.setattr(outlet_cli, "PDF_MAX_PAGES", 5)
    monkeypatch.setattr(outlet_cli, "_poster_pdf", lambda *_: pytest.fail("PDF job started"))
    config = write_config(tmp_path)
    out_dir = tmp_path / "all"
    code = main(["outlets", "posters", "--all", "--out", str(out_dir), "--bot-username", BOT,
                 "--config", str(config)])  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0
    assert len(list(out_dir.glob("o*.html"))) == 12 and "Wrote 12 posters" in printed
    every = (out_dir / "posters.html").read_text("utf-8")
    assert every.count('class="page"') == 12 and every.rstrip().endswith("</html>")
    assert "No PDF: 12 posters are more than 5 for one PDF" in printed


# --- /start o<key> -----------------------------------------------------------------------------
def lookups(config) -> list[dict]:
    with sqlite3.connect(config.database) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("select * from lookups order by id")]


async def test_start_from_a_poster_shows_that_outlet_and_logs_a_poster_lookup(
    telegram, assistant, config
):
    registry = assistant.outlets.registry
    poster = posters.poster(outlet_named(registry, "中通快递城东网点"), BOT)
    payload = poster.link.split("?start=", 1)[1]
    telegram.message(f"/start {payload}", chat_id=COURIER, user_id=COURIER)
    (reply,) = await telegram.wait_for("sendMessage", 1)
    text = reply.params["text"]
    assert "<b>中通快递城东网点</b>" in text and "名单来源：示例数据（虚构）（截至2026-10）" in text
    assert text.startswith("⚠️") and "❌" not in text  # fictional: warning first, no verdict
    (row,) = lookups(config)
    assert row["channel"] == "poster" and row["via"] == "poster" and row["result"] == "not_insured"
    assert row["outlet_id"] == poster.outlet["id"]
    assert row["user_key"] == user_key(config.user_salt, "telegram", COURIER)
    assert not any(str(COURIER) in str(v) for v in row.values())  # no raw id anywhere


async def test_start_with_an_unknown_key_says_so_and_welcomes(telegram, config):
    reply = await step(telegram, 1, "/start o99999-abcdef")
    text = reply.params["text"]
    assert text.startswith("⚠️ 没找到这个二维码对应的网点") and "/outlet" in text
    assert "我是<b>快递员工伤保险助手</b>" in text  # the normal welcome follows
    assert buttons(reply)  # with its menu
    assert lookups(config) == []  # nothing an official would read as a lookup


async def test_a_poster_link_typed_in_a_group_points_to_the_private_chat(
    telegram, assistant, config
):
    key = poster_key(outlet_named(assistant.outlets.registry, "中通快递城西网点"))
    telegram.message(f"/start {key}", chat_id=-100123, user_id=COURIER, chat_type="group")
    (reply,) = await telegram.wait_for("sendMessage", 1)
    assert f"https://t.me/{BOT}?start={key}" in reply.params["text"]
    assert "中通快递城西网点" not in reply.params["text"] and lookups(config) == []


def test_the_console_start_link_does_the_same(assistant, config):
    console = Console(assistant, out=io.StringIO())
    key = poster_key(outlet_named(assistant.outlets.registry, "京东物流古槐路站"))
    reply = console.handle(f"/start {key}")
    assert "<b>京东物流古槐路站</b>" in reply.text
    assert [r["channel"] for r in lookups(config)] == ["poster"]
    unknown = console.handle("/start o1-zzzzzz")
    assert "没找到这个二维码对应的网点" in unknown.text and "快递员工伤保险助手" in unknown.text
    assert "快递员工伤保险助手" in console.handle("/start").text  # plain /start: the welcome


# --- the sample list is off by default with a token (item 5) -----------------------------------
def core_for(tmp_path: Path, kb, body: str) -> Assistant:
    path = tmp_path / "c.toml"
    path.write_text(f'[storage]\ndatabase = "bot.db"\n{body}', encoding="utf-8")
    cfg = config_mod.load(path)
    return Assistant(cfg, Storage(cfg.database), kb)


@pytest.mark.parametrize(
    "body, loaded",
    [
        ("", True),  # the console demo on a fresh machine
        (f'[telegram]\ntoken = "{TOKEN}"\n', False),  # a Telegram deployment
        (f'[telegram]\ntoken = "{TOKEN}"\n[outlets]\nload_sample = true\n', True),
        ("[outlets]\nload_sample = false\n", False),
    ],
)
def test_the_sample_list_is_loaded_only_without_a_token_unless_set(tmp_path, kb, body, loaded):
    core = core_for(tmp_path, kb, body)
    try:
        assert (core.outlets.registry.count() > 0) is loaded
        reply = core.outlets.lookup("中通 城西 网点", "u", "test")
        assert ("中通快递城西网点" in reply.text) is loaded
    finally:
        core.storage.close()


def test_a_deployment_drops_the_sample_an_earlier_run_loaded(tmp_path, kb):
    core_for(tmp_path, kb, "").storage.close()  # first run as the demo: the sample is in
    core = core_for(tmp_path, kb, f'[telegram]\ntoken = "{TOKEN}"\n')
    try:
        assert core.outlets.registry.count() == 0 and core.outlets.registry.lists() == []
    finally:
        core.storage.close()


def test_bot_username_is_checked_and_the_at_dropped(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[telegram]\nbot_username = "@courier_bot"\n', encoding="utf-8")
    assert config_mod.load(path).bot_username == "courier_bot"
    path.write_text('[telegram]\nbot_username = "t.me/x"\n', encoding="utf-8")
    with pytest.raises(config_mod.ConfigError, match="telegram.bot_username"):
        config_mod.load(path)
