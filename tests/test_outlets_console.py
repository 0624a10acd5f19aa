"""The outlet commands in the console, and the issue's done-when on a fresh database: a console
lookup of "中通 城西 网点" finds the sample outlet and shows up in `courier-bot report`."""

import functools
import io

from bot.console import Console
from bot.dates import china_month
from tests.support.cli import run_cli


def test_console_outlet_flow(assistant):
    out = io.StringIO()
    Console(assistant, out).run(
        io.StringIO(
            "/outlet 中通 城西 网点\n/outlet\n城西\n2\n/premium 12 98000 济宁\n/stats\n/quit\n"
        )
    )
    text = out.getvalue()
    assert "中通快递城西网点" in text and "已参加工伤保险" in text
    assert "名单来源：示例数据（虚构）（截至2026-10）" in text
    assert "请点一下你所在的网点" in text and "[2]" in text
    assert "约4,704.00元/年" in text
    assert "网点参保统计" in text and "本月查询：3次" in text  # the console is the operator


def test_console_menu_button_starts_the_lookup(assistant):
    console = Console(assistant, io.StringIO())
    console.show(assistant.welcome(console.user))
    number = [data for _, data in console.buttons].index("menu:outlet") + 1
    assert "网点的" in console.handle(str(number)).text
    assert "百世快递鼓楼大街网点" in console.handle("百世 鼓楼大街").text
    assert "名单来源" not in console.handle("上班路上骑电动车被车撞了算工伤吗").text


def test_done_when_on_a_fresh_database(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[storage]\ndatabase = "fresh.db"\n', encoding="utf-8")
    run = functools.partial(run_cli, config=config)

    chat = run("console", stdin="/outlet 中通 城西 网点\n/outlet 火星快递月球网点\n")
    assert "中通快递城西网点" in chat.stdout and "已参加工伤保险" in chat.stdout
    assert "名单来源：示例数据（虚构）（截至2026-10）" in chat.stdout
    month = china_month()
    md = run("report", "--month", month, "--format", "md")
    assert md.returncode == 0, md.stderr
    assert "共2次：已参保1、未参保0、名单中没有1" in md.stdout
    assert (
        "| 1 | 名单中没有 | 火星快递月球网点 |" in md.stdout and "含示例数据（虚构）" in md.stdout
    )
