"""The officials' web view (issue 13): Datasette over a real fixture database, through Datasette's
own in-process client — every canned query and chart, the privacy rules, the login beyond
localhost — and the dashboard in headless Chromium.

`COURIER_BOT_SCREENSHOT=docs/dashboard.png pytest tests/test_web.py -k chromium` also saves the
README's screenshot of the dashboard (the fixture is fictional)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from datasette_auth_passwords.utils import hash_password, verify_password

from bot import browser
from bot import config as config_mod
from bot.config import Config
from bot.dates import china_month
from bot.storage.database import remember_entry
from bot.web import metadata, server
from tests.support import outlet_lists
from tests.support.cli import run_cli, start_cli

CHROMIUM = browser.find_chromium()
WAIT_FOR_CHARTS = "--virtual-time-budget=10000"  # ms of page time for the charts' scripts
PASSWORD = "网点看板-测试口令"
# What must never reach an official: Telegram chat and user ids, hashed users.
SECRETS = ("5550001234", "5550009876", "5550004321", "prefs-secret-key", "lookup-secret-key")
PRIVATE_TABLES = (
    "prefs",
    "reminders",
    "handoff_chats",
    "ptb_user_data",
    "ptb_conversations",
    "lookups",
)
# More fictional outlets, so that every city's bar shows: (province, city, county, outlets, insured)
MORE_OUTLETS = (
    ("广西", "南宁市", "青秀区", 12, 9),
    ("广西", "柳州市", "城中区", 10, 4),
    ("吉林", "长春市", "朝阳区", 8, 5),
    ("上海", "上海市", "浦东新区", 6, 2),
    ("山西", "长治市", "潞州区", 9, 6),
)
BRANDS = ("中通", "圆通", "韵达", "申通", "极兔")
TITLED = ("jining.rate", "national.injury.commute", "national.apply.how")  # in faq_entries
GONE = "national.removed.entry"  # voted on, not in faq_entries
QUERIES = sorted(metadata.fixed()["databases"][metadata.DATABASE]["queries"])
CHARTS = metadata.fixed()["plugins"]["datasette-dashboards"][metadata.DASHBOARD]["charts"]


def _at(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _lookup(db, at: str, month: str, outlet_id: int | None, result: str) -> None:
    db.table("lookups").insert(
        {
            "at": at,
            "month": month,
            "channel": "telegram",
            "user_key": "lookup-secret-key-0001",
            "region": "济宁",
            "query": "网点",
            "outlet_id": outlet_id,
            "score": 90.0,
            "result": result,
            "via": "text",
        }
    )


def _more_outlets() -> list[str]:
    rows = []
    for n, (province, city, county, outlets, insured) in enumerate(MORE_OUTLETS):
        for i in range(outlets):
            brand, yes = BRANDS[i % len(BRANDS)], i < insured
            rows.append(
                f"{brand}快递{city[:-1]}虚构{i + 1}号网点,{brand},,XG-{n}-{i + 1:04d},许可,{province},"
                f"{city},{county},虚构路{i + 1}号,{'是,2024-05,' + str(3 + i % 5) if yes else '否,,'}"
            )
    return rows


def _fill(database: Path, kb) -> int:
    """Fictional data: the test outlet list, lookups in March 2025 (exact expectations), this
    month and the weeks before it (for the charts), gaps, 👍/👎 and the titles of the entries
    voted on, tickets, and private rows. Returns how many lookups count in this month (China's)."""
    storage = outlet_lists.registry(
        database,
        (outlet_lists.ROWS, "济宁市邮政管理局（测试数据）", "2025-02"),
        (_more_outlets(), "某省邮政管理局（测试数据）", "2025-02"),
        retention_days=36500,
    ).storage
    db = storage.db
    ids = {number: oid for oid, number in db.execute("select id, number from outlets")}
    # A fictional sample list left in place: never counted in coverage.
    sample = db.table("import_batches").insert({"source": "示例数据（虚构）", "sample": 1}).last_pk
    db.table("outlets").insert(
        {"key": "demo", "name": "示例网点", "province": "河北", "city": "示例市", "insured": 1}
        | {"batch_id": sample}
    )
    east, jd, baishi, west, second = (
        ids[n] for n in ("JN-YZ-0002", "JN-YZ-0006", "JN-BA-0012", "JN-YZ-0001", "JN-YZ-0008")
    )
    march = [  # (UTC time, outlet, result); China is 8 hours ahead
        ("2025-03-04T02:00:00", east, "not_insured"),
        ("2025-03-05T02:00:00", east, "not_insured"),
        ("2025-03-11T02:00:00", east, "not_insured"),
        ("2025-03-09T17:30:00", jd, "not_insured"),  # Monday 10 March 01:30 in China
        ("2025-03-12T02:00:00", jd, "not_insured"),
        ("2025-03-06T02:00:00", baishi, "not_insured"),
        ("2025-03-13T02:00:00", baishi, "not_insured"),
        ("2025-03-03T02:00:00", west, "insured"),
        ("2025-03-07T02:00:00", west, "insured"),
        ("2025-03-09T15:00:00", west, "insured"),  # Sunday 9 March 23:00 in China
        ("2025-03-10T02:00:00", west, "insured"),
        ("2025-03-08T02:00:00", None, "unknown"),
        ("2025-03-14T02:00:00", None, "unknown"),
    ]
    for at, oid, result in march:
        _lookup(db, at + "+00:00", "2025-03", oid, result)
    _lookup(db, "2025-03-31T17:00:00+00:00", "2025-04", second, "not_insured")
    now, this_month = datetime.now(UTC), china_month()
    for oid in (east, east, east, jd, jd, baishi, west):  # this month
        _lookup(db, _at(now), this_month, oid, "not_insured" if oid != west else "insured")
    counted = 7
    for weeks_ago, count in enumerate((9, 12, 7, 10, 6, 8, 4, 5), start=1):
        moment = now - timedelta(weeks=weeks_ago)
        month = (moment + timedelta(hours=8)).strftime("%Y-%m")
        # earlier months only: this month's uninsured outlets stay the three above
        uninsured = (second, "not_insured") if month != this_month else (None, "unknown")
        for i in range(count):
            _lookup(db, _at(moment), month, *(uninsured if i % 3 == 0 else (west, "insured")))
        counted += count if month == this_month else 0
    for text, region, times in (
        ("单位不给报销医药费怎么办", "济宁", 3),
        ("我电话13812345678，送件摔了老板不管", "广西", 1),
    ):
        for _ in range(times):
            storage.record_gap(text, region)
    votes = [
        ("jining.rate", -1, "unanswered"),
        ("jining.rate", -1, "unclear"),
        ("jining.rate", -1, "unclear"),
        ("jining.rate", 1, None),
        ("national.injury.commute", -1, "different"),
        ("national.injury.commute", 1, None),
        ("national.apply.how", 1, None),
        ("national.apply.how", 1, None),
        (GONE, -1, "unanswered"),  # an entry since removed from the FAQ: no title known
    ]
    for i, (entry, vote, reason) in enumerate(votes):
        db.table("feedback").insert(
            {"at": f"2025-03-0{i + 1}T02:00:00+00:00", "month": "2025-03", "entry_id": entry}
            | {"region": "济宁", "vote": vote, "reason": reason}
        )
    for entry in map(kb.by_id().get, TITLED):  # as the bot writes them when votes come in
        remember_entry(db, entry.id, entry.title, entry.region)
    for ticket, created, status in (
        ("A3F", "2025-03-05T01:00:00+00:00", "open"),
        ("B7K", "2025-03-04T09:00:00+00:00", "open"),
        ("C2M", "2025-03-03T09:00:00+00:00", "answered"),
        ("D9P", "2025-03-02T09:00:00+00:00", "closed"),
    ):
        tid = (
            db.table("handoff_tickets")
            .insert(
                {"ticket": ticket, "created_at": created, "region": "济宁", "status": status}
                | {"closest_entry": "national.apply.how", "question": f"工单{ticket}的问题"}
            )
            .last_pk
        )
        db.table("handoff_chats").insert({"ticket_id": tid, "chat_id": 5550001234})
    db.table("prefs").insert({"user_key": "prefs-secret-key-0001", "region": "济宁"})
    db.table("reminders").insert({"chat_id": 5550009876, "user_key": "prefs-secret-key-0001"})
    db.table("ptb_user_data").insert({"user_key": "5550004321", "data": "{}"})
    storage.close()
    return counted


@pytest.fixture(scope="module")
def filled(tmp_path_factory, kb) -> tuple[Path, int]:
    database = tmp_path_factory.mktemp("web") / "bot.db"
    return database, _fill(database, kb)


@pytest.fixture
def database(filled) -> Path:
    return filled[0]


async def _datasette(cfg: Config, host: str = "127.0.0.1"):
    ds = server.build(cfg, host)
    await ds.invoke_startup()
    return ds


@pytest.fixture
async def ds(database):
    return await _datasette(Config(database=database))


async def _rows(ds, path: str, **params) -> list[dict]:
    response = await ds.client.get(f"{path}.json?{urlencode({**params, '_shape': 'objects'})}")
    assert response.status_code == 200, response.text[:300]
    return response.json()["rows"]


def _by(rows: list[dict], key: str) -> dict:
    return {row[key]: row for row in rows}


# --- canned queries -----------------------------------------------------------------------------


async def test_uninsured_outlets_most_looked_up_in_a_month(ds):
    rows = await _rows(ds, "/courier/uninsured_looked_up", month="2025-03")
    assert [(r["网点"], r["查询次数"]) for r in rows] == [
        ("中通快递城东网点", 3),
        ("京东物流古槐路站", 2),  # a tie: by name
        ("百世快递琵琶山路网点", 2),
    ]
    assert rows[0]["许可证号或备案号"] == "JN-YZ-0002" and rows[0]["区县"] == "任城区"
    assert [r["网点"] for r in await _rows(ds, "/courier/uninsured_looked_up")] == [
        "中通快递城东网点",
        "京东物流古槐路站",
        "百世快递琵琶山路网点",
    ]  # without a month: this month in China (3, 2, 1 lookups)


async def test_coverage_by_city_and_county(ds):
    cities = _by(await _rows(ds, "/courier/coverage_by_city"), "地区")
    assert set(cities) == {
        "山东济宁市",
        "广西柳州市",
        "广西南宁市",
        "吉林长春市",
        "吉林吉林市",
        "上海上海市",
        "山西长治市",
    }  # not the fictional sample's 河北示例市
    jn = cities["山东济宁市"]
    assert (jn["网点数"], jn["已参保"], jn["未参保"], jn["覆盖率"], jn["参保人数"]) == (
        14,
        10,
        4,
        71.4,
        140,
    )
    assert cities["吉林吉林市"]["覆盖率"] == 100.0
    lz = cities["广西柳州市"]  # one outlet from the first list, ten from the second
    assert (lz["网点数"], lz["已参保"], lz["覆盖率"]) == (11, 4, 36.4)
    counties = {
        (r["城市"], r["区县"]): (r["网点数"], r["已参保"], r["参保人数"])
        for r in await _rows(ds, "/courier/coverage_by_county")
    }
    assert counties[("济宁市", "任城区")] == (10, 6, 73)
    assert counties[("济宁市", "兖州区")] == (2, 2, 51)
    assert counties[("济宁市", "高新区")] == (1, 1, 6)
    assert counties[("柳州市", "柳北区")] == (1, 0, None)
    assert len(counties) == 11


async def test_lookups_per_week_in_china_time(ds):
    weeks = {r["周一"]: r for r in await _rows(ds, "/courier/lookups_per_week")}
    march = {k: v for k, v in weeks.items() if k.startswith("2025-")}
    assert sorted(march) == ["2025-03-03", "2025-03-10", "2025-03-31"]
    first, second = march["2025-03-03"], march["2025-03-10"]
    assert (first["查询次数"], first["已参保"], first["未参保"], first["名单里没有"]) == (
        7,
        3,
        3,
        1,
    )
    assert (second["查询次数"], second["已参保"], second["未参保"], second["名单里没有"]) == (
        6,
        1,
        4,
        1,
    )
    assert march["2025-03-31"]["查询次数"] == 1


async def test_unanswered_questions_by_frequency(ds):
    rows = await _rows(ds, "/courier/gaps_by_frequency")
    assert [(r["问题"], r["次数"], r["地区"]) for r in rows] == [
        ("单位不给报销医药费怎么办", 3, "济宁"),
        ("我电话###########,送件摔了老板不管", 1, "广西"),
    ]


async def test_open_handoff_tickets_oldest_first(ds):
    rows = await _rows(ds, "/courier/open_tickets")
    assert [(r["工单号"], r["提交时间"], r["相近的回答"], r["问题"]) for r in rows] == [
        ("B7K", "2025-03-04 17:00:00", "怎么报工伤", "工单B7K的问题"),
        ("A3F", "2025-03-05 09:00:00", "怎么报工伤", "工单A3F的问题"),
    ]


async def test_answers_with_most_thumbs_down_by_title(ds):
    rows = await _rows(ds, "/courier/most_downvoted")
    assert (
        [tuple(r.values())[:7] for r in rows]
        == [
            ("工伤保险费率多少", "济宁", 3, 1, 1, 2, 0),
            ("上下班路上出车祸算工伤吗", "全国", 1, 1, 0, 0, 1),
            (GONE, None, 1, 0, 1, 0, 0),  # no title known: the id stands in
        ]
    )  # 回答, 适用地区, 差评, 好评, 没回答我的问题, 看不懂, 和我了解的不一样; none for national.apply.how
    assert [r["条目编号"] for r in rows] == ["jining.rate", "national.injury.commute", GONE]


async def test_every_canned_query_is_tested():
    tested = {
        "uninsured_looked_up",
        "coverage_by_city",
        "coverage_by_county",
        "lookups_per_week",
        "gaps_by_frequency",
        "open_tickets",
        "most_downvoted",
    }
    assert set(QUERIES) == tested


async def test_every_chart_fetches_its_rows_while_other_sql_is_refused(ds, filled):
    """The charts fetch /courier.json?sql=… as the plugin's JavaScript does; the same SQL with
    one character changed, or any other SQL, is refused."""
    got = {}
    for slug, chart in CHARTS.items():
        got[slug] = await _rows(ds, "/courier", sql=chart["query"])
        changed = await ds.client.get(f"/courier.json?{urlencode({'sql': chart['query'] + ' '})}")
        assert changed.status_code == 403, slug
    assert got["open-tickets"] == [{"工单": 2}]
    assert got["lookups-month"] == [{"次数": filled[1]}]
    assert [r["网点"] for r in got["uninsured-top"]][:2] == ["中通快递城东网点", "京东物流古槐路站"]
    assert got["downvoted-top"] == [
        {"回答": "工伤保险费率多少（济宁）", "差评": 3},
        {"回答": "上下班路上出车祸算工伤吗（全国）", "差评": 1},
        {"回答": GONE, "差评": 1},
    ]
    assert {r["地区"] for r in got["coverage-city"]} >= {"山东济宁市"}
    assert len(got["lookups-week"]) >= 3


# --- privacy ------------------------------------------------------------------------------------


@pytest.mark.parametrize("table", PRIVATE_TABLES)
async def test_private_tables_are_refused(ds, table):
    for path in (f"/courier/{table}", f"/courier/{table}.json", f"/courier/{table}/1.json"):
        assert (await ds.client.get(path)).status_code == 403, path


@pytest.mark.parametrize(
    "path",
    [
        "/courier?sql=select+*+from+prefs",
        "/courier.json?sql=select+user_key+from+lookups",
        "/courier.json?sql=select+1",
        "/courier/outlets.json?_where=id+in+(select+rowid+from+prefs)",
        "/courier.db",  # the whole file
    ],
)
async def test_arbitrary_sql_and_downloads_are_refused(ds, path):
    assert (await ds.client.get(path)).status_code == 403


async def test_a_charts_sql_is_no_pass_for_other_sql(ds):
    """A table page given a chart's sql= still refuses its own _where= clause."""
    chart = urlencode({"sql": CHARTS["open-tickets"]["query"]})
    where = urlencode({"_where": "exists (select 1 from prefs)"})
    for path in ("/courier/outlets", "/courier/outlets.json"):
        assert (await ds.client.get(f"{path}?{chart}&{where}")).status_code == 403, path
    assert (await ds.client.get(f"/courier.json?{chart}")).status_code == 200


async def test_every_table_is_shown_to_officials_or_denied(ds, database):
    """A table a later migration adds is denied until it is added to OFFICIAL_TABLES."""
    index = (await ds.client.get("/courier.json")).json()
    shown = {t["name"] for t in index["tables"] if not t["hidden"]}
    assert shown == set(metadata.OFFICIAL_TABLES)
    tables = server._tables(database)
    for table in sorted(set(tables) - metadata.OFFICIAL_TABLES):
        assert (await ds.client.get(f"/courier/{table}.json")).status_code == 403, table


async def test_no_page_shows_a_telegram_id_or_hashed_user(ds):
    paths = ["/", "/courier", "/-/metadata.json", f"/-/dashboards/{metadata.DASHBOARD}"]
    for table in sorted(metadata.OFFICIAL_TABLES):
        paths += [f"/courier/{table}", f"/courier/{table}.json?_size=max"]
    for query in QUERIES:
        paths += [f"/courier/{query}", f"/courier/{query}.json"]
    paths += [f"/courier.json?{urlencode({'sql': c['query']})}" for c in CHARTS.values()]
    for path in paths:
        response = await ds.client.get(path)
        assert response.status_code == 200, path
        assert not [s for s in SECRETS if s in response.text], path


async def test_the_dashboard_page_loads_with_its_charts(ds):
    response = await ds.client.get(f"/-/dashboards/{metadata.DASHBOARD}")
    assert response.status_code == 200
    assert "快递网点工伤保险看板" in response.text
    for slug in CHARTS:
        assert f'id="chart-{slug}"' in response.text
    # vega, vega-lite and vega-embed come from the plugin's own static files, not a CDN
    scripts = re.findall(r'<script src="([^"]+)"', response.text)
    assert scripts and all(src.startswith("/-/static") for src in scripts), scripts
    for src in scripts:
        assert (await ds.client.get(src)).status_code == 200, src


# --- who may look -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host, local",
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("0.0.0.0", False),
        ("192.168.1.20", False),
        ("bot.example.org", False),
    ],
)
def test_which_hosts_are_local(host, local):
    assert server.is_local(host) is local


def test_beyond_localhost_it_will_not_start_without_a_password(database):
    with pytest.raises(config_mod.ConfigError, match=r"refusing to serve on 0\.0\.0\.0"):
        server.build(Config(database=database), "0.0.0.0")


async def test_beyond_localhost_only_the_logged_in_official_gets_in(database, monkeypatch):
    password_hash = hash_password(PASSWORD, iterations=1000)  # fewer rounds: a quick test
    monkeypatch.setenv(metadata.PASSWORD_ENV, "")  # restored after the test
    ds = await _datasette(Config(database=database, web_password_hash=password_hash), "0.0.0.0")
    chart_sql = urlencode({"sql": CHARTS["open-tickets"]["query"]})
    anonymous = [
        "/",
        "/courier",
        "/courier/outlets",
        "/courier/open_tickets.json",
        f"/courier.json?{chart_sql}",
        f"/-/dashboards/{metadata.DASHBOARD}",
        "/-/metadata.json",
    ]
    for path in anonymous:
        response = await ds.client.get(path)
        assert (response.status_code, response.headers.get("location")) == (302, "/-/login"), path

    async def log_in(password: str):
        form = await ds.client.get("/-/login")
        token = re.search(r'name="csrftoken" value="([^"]+)"', form.text).group(1)
        return await ds.client.post(
            "/-/login",
            data={"username": metadata.LOGIN_USER, "password": password, "csrftoken": token},
            cookies={"ds_csrftoken": form.cookies["ds_csrftoken"]},
        )

    assert "ds_actor" not in (await log_in("猜的口令")).cookies
    response = await log_in(PASSWORD)
    assert response.status_code == 302
    cookies = {"ds_actor": response.cookies["ds_actor"]}
    for path in anonymous:
        assert (await ds.client.get(path, cookies=cookies)).status_code == 200, path
    assert (await ds.client.get("/courier/prefs", cookies=cookies)).status_code == 403
    assert (await ds.client.get("/courier.json?sql=select+1", cookies=cookies)).status_code == 403
    shown = (await ds.client.get("/-/metadata.json", cookies=cookies)).text
    assert password_hash not in shown and metadata.PASSWORD_ENV in shown


async def test_on_localhost_no_login_is_asked(ds):
    assert (await ds.client.get("/courier/outlets")).status_code == 200


def test_the_config_takes_a_hash_never_a_password(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(f'[web]\npassword_hash = "{PASSWORD}"\n', encoding="utf-8")
    with pytest.raises(config_mod.ConfigError, match="web.password_hash must be a hash"):
        config_mod.load(path)
    good = hash_password(PASSWORD, iterations=1000)
    path.write_text(f'[web]\npassword_hash = "{good}"\nport = 8123\n', encoding="utf-8")
    cfg = config_mod.load(path)
    assert (cfg.web_password_hash, cfg.web_port, cfg.web_host) == (good, 8123, "127.0.0.1")


def _config(tmp_path: Path, database: Path) -> Path:
    """A config for `courier-bot web` on `database`."""
    config = tmp_path / "web.toml"
    config.write_text(f'[storage]\ndatabase = "{database}"\n', encoding="utf-8")
    return config


def test_cli_hashes_a_password_and_refuses_an_open_bind(tmp_path):
    made = run_cli("web", "hash-password", stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    assert verify_password(PASSWORD, made.stdout.strip())
    config = _config(tmp_path, tmp_path / "bot.db")
    refused = run_cli("web", "--host", "0.0.0.0", config=config)
    assert refused.returncode == 2
    assert "refusing to serve on 0.0.0.0 without a password" in refused.stderr
    assert "courier-bot web hash-password" in refused.stderr


@pytest.mark.parametrize("port", ["0", "99999", "-1"])
def test_cli_refuses_a_port_out_of_range(tmp_path, port):
    config = _config(tmp_path, tmp_path / "bot.db")
    refused = run_cli("web", "--port", port, config=config)
    assert refused.returncode == 2, refused.stderr
    assert f"web --port must be a port number from 1 to 65535, not {port}" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_cli_refuses_an_empty_host(tmp_path):
    config = _config(tmp_path, tmp_path / "bot.db")
    refused = run_cli("web", "--host", "", config=config)
    assert (
        refused.returncode == 2
        and "web --host (or [web] host) must name an address" in refused.stderr
    )


def test_cli_prints_an_ipv6_address_in_brackets(filled, tmp_path):
    """`web --host ::1` (local: no password needed) prints an address a browser opens."""
    config = _config(tmp_path, filled[0])
    port = _free_port()
    serve = ("web", "--host", "::1", "--port", str(port))
    with start_cli(
        *serve, config=config, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as proc:
        assert proc.stdout is not None
        try:
            first = proc.stdout.readline()
        finally:
            proc.terminate()
    assert first.strip() == f"Dashboard: http://[::1]:{port}/-/dashboards/{metadata.DASHBOARD}"


# --- the dashboard in a browser -----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_serving(url: str, proc: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text(encoding="utf-8")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def _card(dom: str, slug: str) -> str:
    """The DOM of one chart's card (up to the next card)."""
    start = dom.index(f'id="chart-{slug}"')
    end = dom.find('class="dashboard-card"', start)
    return dom[start : end if end > 0 else len(dom)]


@pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium on PATH (Debian: apt-get install chromium)"
)
def test_chromium_renders_the_dashboards_charts(filled, tmp_path):
    database, this_month = filled
    config = _config(tmp_path, database)
    port = _free_port()
    log = tmp_path / "web.log"
    with log.open("w", encoding="utf-8") as out:
        proc = start_cli(
            "web", "--port", str(port), config=config, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_serving(f"{base}/-/versions.json", proc, log)
        url = f"{base}/-/dashboards/{metadata.DASHBOARD}"
        assert CHROMIUM is not None
        dom = browser.dump_dom(CHROMIUM, url, WAIT_FOR_CHARTS)
        for slug in ("coverage-city", "lookups-week", "uninsured-top", "downvoted-top"):
            card = _card(dom, slug)
            assert "<svg" in card and 'class="marks"' in card, f"{slug} not drawn"
        assert "山东济宁市" in _card(dom, "coverage-city")  # the axis labels come from the rows
        assert "中通快递城东网点" in _card(dom, "uninsured-top")
        assert "工伤保险费率多少（济宁）" in _card(dom, "downvoted-top")
        assert "2 件" in _card(dom, "open-tickets")
        assert f"{this_month} 次" in _card(dom, "lookups-month")
        shot = os.environ.get("COURIER_BOT_SCREENSHOT")
        if shot:
            png = Path(shot).resolve()
            browser.screenshot(CHROMIUM, url, png, WAIT_FOR_CHARTS, size="1280,940")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
