"""The source registry: every number an answer states is in a verbatim passage it cites, the
passages are verbatim in the stored texts, and 📄 查看原文 shows them (core, console, Telegram)."""

import io
import json
import re
import shutil

import pytest

from bot.console import Console
from bot.faq import loader as faq
from bot.faq import sources
from bot.render import plain
from bot.reply import SOURCE
from tests.support.cli import run_cli

TELEGRAM_LIMIT = 4096


@pytest.fixture
def faq_copy(tmp_path):
    target = tmp_path / "faq"
    shutil.copytree(faq.DEFAULT_DIR, target)
    return target


def _replace(path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _first_answer_line(path) -> str:
    return re.search(r'answer = """\n(.+)\n', path.read_text(encoding="utf-8")).group(1)


def test_the_real_faq_passes_the_strict_check():
    kb = faq.load()
    assert kb.entries and all(e.cites and e.source for e in kb.entries)
    for e in kb.entries:
        backed = kb.registry.numbers(e.cites)
        assert sources.numbers_in(e.answer) <= backed, e.id


def test_a_planted_unsupported_number_fails_the_check(faq_copy):
    national = faq_copy / "entries" / "national.toml"
    line = _first_answer_line(national)
    _replace(national, line, line + "最晚要在4567日内办。")
    with pytest.raises(faq.FaqError, match=r"4567.*occur in none of its cited passages"):
        faq.load(faq_copy)


def test_faq_check_command_fails_on_the_planted_number(faq_copy, tmp_path):
    national = faq_copy / "entries" / "national.toml"
    line = _first_answer_line(national)
    _replace(national, line, line + "打电话问 98765432。")
    config = tmp_path / "config.toml"
    config.write_text(
        f'[faq]\ndir = "{faq_copy.as_posix()}"\n[privacy]\nuser_salt = "t"\n', encoding="utf-8"
    )
    out = run_cli("faq", "check", config=config)
    assert out.returncode != 0
    assert "98765432" in out.stderr + out.stdout


def test_a_phone_number_needs_the_hotline_source(faq_copy):
    kb = faq.load(faq_copy)
    entry = next(e for e in kb.entries if "hotline12333:1" not in e.cites and e.region == "全国")
    path = faq_copy / "entries" / entry.file
    _replace(path, entry.answer.splitlines()[0], entry.answer.splitlines()[0] + "拿不准就打12333。")
    with pytest.raises(faq.FaqError, match="12333"):
        faq.load(faq_copy)


def test_an_unknown_cite_is_named(faq_copy):
    national = faq_copy / "entries" / "national.toml"
    _replace(national, 'cites = ["', 'cites = ["nosuchdoc:1", "')
    with pytest.raises(faq.FaqError, match="nosuchdoc"):
        faq.load(faq_copy)


def test_a_passage_that_drifts_from_its_stored_text_is_rejected(faq_copy):
    registry = faq_copy / "sources.toml"
    text = registry.read_text(encoding="utf-8")
    # 条例第十七条 as stored says 30日; a drifted quotation says 60日
    assert "自事故伤害发生之日或者被诊断、鉴定为职业病之日起30日内" in text
    registry.write_text(
        text.replace("鉴定为职业病之日起30日内", "鉴定为职业病之日起60日内", 1), encoding="utf-8"
    )
    with pytest.raises(faq.FaqError, match="not verbatim"):
        faq.load(faq_copy)


def test_numbers_are_digit_runs_without_leading_zeros():
    assert sources.numbers_in("2022-02-16，０.４%，第17条") == {"2022", "2", "16", "0", "4", "17"}


def test_every_answer_has_a_source_button_and_the_original_fits_one_message(assistant):
    for entry in assistant.matcher.kb.entries:
        reply = assistant.original(entry.id)
        assert len(reply.text) <= TELEGRAM_LIMIT, entry.id
        body = plain(reply.text)
        for cite in entry.cites:
            c = assistant.matcher.kb.registry.resolve(cite)
            assert c.passage.text[:40] in body, (entry.id, cite)
            assert c.document.title in body


def test_answer_carries_the_button_and_the_button_shows_article_17(assistant):
    reply = assistant.ask("网点不给我报工伤怎么办")
    data = [d for _, d in reply.buttons]
    assert SOURCE + reply.match.entry.id in data
    original = plain(assistant.callback(SOURCE + reply.match.entry.id, None).text)
    assert "《工伤保险条例》第十七条" in original
    assert "1年内，可以直接向用人单位所在地统筹地区社会保险行政部门提出工伤认定申请" in original
    assert "国务院" in original


def test_a_forged_source_button_gets_the_stale_reply(assistant):
    assert "按钮" in plain(assistant.callback(SOURCE + "no.such.entry", None).text)


def test_console_source_command_shows_the_last_answer(assistant):
    out = io.StringIO()
    console = Console(assistant, out=out)
    assert "先问一个问题" in plain(console.handle("/source").text)
    console.show(console.handle("网点不给我报工伤怎么办"))
    shown = plain(console.handle("/source").text)
    assert "第十七条" in shown and "30日内" in shown


async def test_source_button_through_telegram(telegram):
    telegram.message("网点不给我报工伤怎么办")
    [answer] = await telegram.wait_for("sendMessage")
    rows = json.loads(answer.params["reply_markup"])["inline_keyboard"]
    data = [b["callback_data"] for row in rows for b in row]
    source = next(d for d in data if d.startswith(SOURCE))
    telegram.callback(source)
    calls = await telegram.wait_for("sendMessage", count=2)
    text = calls[1].params["text"]
    assert "《工伤保险条例》第十七条" in text and "社会保险行政部门" in text


def test_a_followup_line_names_the_hotline_only_when_it_states_it(faq_copy):
    """The 12333 notice backs "打12333", not a rule: a 「接下来」 line (an entry's short) that does
    not say 12333 leaves it out of its 依据; the full answer still cites it."""
    kb = faq.load()
    hotline = kb.registry.documents["hotline12333"].cite_as
    citing = [e for e in kb.entries if "hotline12333:1" in e.cites]
    assert citing and all(hotline in e.source for e in citing)
    for e in citing:  # every other document stays, in the same order
        rest = tuple(c for c in e.cites if not c.startswith("hotline12333:"))
        assert e.short_source == kb.registry.cite_line(rest) and hotline not in e.short_source
    entry = next(e for e in citing if e.region == "全国")
    path = faq_copy / "entries" / entry.file
    _replace(path, f'short = "{entry.short}"', f'short = "{entry.short}不清楚打12333。"')
    again = faq.load(faq_copy).by_id()[entry.id]
    assert hotline in again.short_source


def test_a_short_needs_more_than_a_referral_behind_it(faq_copy):
    kb = faq.load(faq_copy)
    entry = next(e for e in kb.entries if "hotline12333:1" in e.cites and e.region == "全国")
    cites = "cites = [" + ", ".join(f'"{c}"' for c in entry.cites) + "]"
    _replace(faq_copy / "entries" / entry.file, cites, 'cites = ["hotline12333:1"]')
    with pytest.raises(faq.FaqError, match="nothing but referral"):
        faq.load(faq_copy)


def test_referral_must_be_true_or_false(faq_copy):
    _replace(faq_copy / "sources.toml", "referral = true", 'referral = "yes"')
    with pytest.raises(faq.FaqError, match="referral"):
        faq.load(faq_copy)
