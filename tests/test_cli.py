"""The CLI contract (`courier-bot ask --json`, stdin mode, faq gaps) and config errors, as subprocesses."""

import json
import re
from pathlib import Path

import pytest

from tests.support.cli import run_cli as cli

KEYS = {"answered", "id", "score", "region", "answer", "source", "followups", "intent"}


@pytest.fixture
def cfg_file(tmp_path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        '[storage]\ndatabase = "bot.db"\n[privacy]\nuser_salt = "t"\n', encoding="utf-8"
    )
    return path


def test_ask_json_contract(cfg_file):
    out = cli("ask", "上班路上骑电动车被车撞了算工伤吗", "--json", config=cfg_file)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == KEYS
    assert data["answered"] is True and data["id"] and "第十四条" in data["source"]
    assert isinstance(data["score"], float) and data["region"] == "全国"


def test_ask_region_option(cfg_file):
    data = json.loads(
        cli("ask", "网点交多少钱", "--region", "济宁", "--json", config=cfg_file).stdout
    )
    assert data["region"] == "济宁" and "0.4%" in data["answer"]


REGION_COMMANDS = [  # every command with --region
    ("ask", "你好"),
    ("outlets", "lookup", "中通快递"),
    ("report", "--month", "2026-10"),
]


@pytest.mark.parametrize("command", REGION_COMMANDS)
def test_an_unknown_region_is_a_usage_error_everywhere(cfg_file, command):
    out = cli(*command, "--region", "火星", config=cfg_file)
    assert out.returncode == 2
    assert "'火星' is not a known region" in out.stderr
    assert out.stdout == ""


@pytest.mark.parametrize("command", REGION_COMMANDS)
def test_an_empty_region_is_no_region(cfg_file, command):
    """--region "$UNSET" in a script: everywhere, as without --region (the report's time of
    writing aside)."""
    empty = cli(*command, "--region", "", config=cfg_file)
    assert empty.returncode == 0, empty.stderr
    written = re.compile(r"\d{4}-\d\d-\d\dT[\d:]+\+00:00")
    assert written.sub("", empty.stdout) == written.sub("", cli(*command, config=cfg_file).stdout)


def test_ask_stdin_one_object_per_line_and_gaps_listed(cfg_file):
    out = cli(
        "ask",
        "-",
        "--json",
        stdin="今天天气怎么样\n派件途中摔伤算工伤吗\n\n今天天气怎么样\n",
        config=cfg_file,
    )
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["answered"] for r in rows] == [False, True, False]
    assert rows[0]["id"] is None and rows[0]["source"] == "" and "12333" in rows[0]["answer"]
    gaps = cli("faq", "gaps", config=cfg_file)
    assert "    2  今天天气怎么样" in gaps.stdout
    assert "派件" not in gaps.stdout


def test_run_without_token_falls_back_to_console(cfg_file):
    out = cli("run", stdin="/region 济宁\n济宁网点交多少钱\n", config=cfg_file)
    assert out.returncode == 0
    assert "No Telegram token" in out.stderr and "TELEGRAM_BOT_TOKEN" in out.stderr
    assert "0.4%" in out.stdout and "再见" in out.stdout


@pytest.mark.parametrize(
    "body, key",
    [
        ("[telegram]\ntoken = 5\n", "telegram.token"),
        ("[telegram]\nadmin_ids = ['x']\n", "telegram.admin_ids"),
        ("[faq]\ndefault_region = '火星'\n", "faq.default_region"),
        ("[storage]\ndatabse = 'x'\n", "storage.databse"),
        ("[telegram\n", "not valid TOML"),
        ("[telegram]\nnetwork_retries = -1\n", "telegram.network_retries"),
        ("[faq]\nthreshold = 150\n", "faq.threshold"),
        ("[webhook]\nsecret_token = '密钥'\n", "webhook.secret_token"),
    ],
)
def test_bad_config_is_one_line_naming_the_key(tmp_path, body, key):
    path = tmp_path / "bad.toml"
    path.write_text(body, encoding="utf-8")
    out = cli("faq", "check", config=path)
    assert out.returncode == 2
    assert key in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_missing_config_file(tmp_path):
    out = cli("faq", "check", config=tmp_path / "nope.toml")
    assert out.returncode == 2 and "not found" in out.stderr


def test_backup_is_a_complete_consistent_copy(cfg_file, tmp_path):
    cli("ask", "明天会下雨吗", config=cfg_file)
    out = cli("backup", "--output", str(tmp_path / "copy.db"), config=cfg_file)
    assert out.returncode == 0, out.stderr
    import sqlite3

    copy = sqlite3.connect(out.stdout.strip())
    assert copy.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert copy.execute("select text from gaps").fetchall() == [("明天会下雨吗",)]
    copy.close()


def test_telegram_is_not_served_with_the_example_salt(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[telegram]\ntoken = "1:X"\n[storage]\ndatabase = "b.db"\n', encoding="utf-8")
    out = cli("run", config=path)
    assert out.returncode == 2 and "privacy.user_salt" in out.stderr
