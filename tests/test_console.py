"""The console channel drives the same core: commands, numbered buttons, questions, EOF."""

import io

from bot.console import Console


def test_console_session(assistant):
    out = io.StringIO()
    console = Console(assistant, out)
    console.run(io.StringIO("/region 吉林\n网点的工伤保险费率是多少\n1\n/quit\n"))
    text = out.getvalue()
    assert "吉林省" in text and "五类行业" in text
    assert text.count("依据") >= 2  # the answer, then the related topic picked by number
    assert text.rstrip().endswith("再见，注意安全！")


def test_console_numbers_outside_buttons_are_questions(assistant):
    console = Console(assistant, io.StringIO())
    reply = console.handle("99")
    assert "依据" not in reply.text
