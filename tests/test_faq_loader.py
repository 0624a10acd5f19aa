"""The FAQ is data: it loads, it is complete enough, and a broken entry names its file and id."""

import re
import shutil
from pathlib import Path

import pytest

from bot.faq.loader import DEFAULT_DIR, FaqError, load
from bot.regions import DOC_REGIONS

GOOD = """
[[entry]]
id = "t.one"
topic = "t"
region = "全国"
title = "测试"
questions = ["问一", "问二", "问三"]
answer = "答。"
short = "答。"
cites = ["tiaoli:10"]
"""

SOURCES = """
[[document]]
key = "tiaoli"
cite_as = "《工伤保险条例》"
title = "工伤保险条例"
issuer = "国务院"
region = "全国"
origin = "test"

[[document.passage]]
ref = "10"
label = "第十条"
text = "用人单位应当按时缴纳工伤保险费。职工个人不缴纳工伤保险费。"
"""


def test_real_faq_loads_with_enough_entries(kb):
    assert len(kb.entries) >= 60
    assert {e.region for e in kb.entries} == set(DOC_REGIONS)


def test_every_national_entry_cites_an_article(kb):
    for e in kb.entries:
        if e.region == "全国":
            assert "条" in e.source and "《" in e.source, e.id


def test_regional_entries_name_their_document(kb):
    for e in kb.entries:
        if e.region != "全国":
            assert e.region in e.source or "济宁" in e.source or "上海" in e.source, e.id


def test_every_entry_has_a_short_line_backed_by_its_answer():
    """'short' stands alone under another answer: one line, ≤45 chars, no number the answer lacks."""
    for e in load().entries:
        assert e.short.strip(), e.id
        assert len(e.short) <= 45, (e.id, len(e.short))
        answer_numbers = set(re.findall(r"\d+", e.answer))
        for number in re.findall(r"\d+", e.short):
            assert number in answer_numbers, (e.id, number)


def test_platform_scheme_is_not_called_work_injury_insurance(kb):
    """职业伤害保障 entries must say the schemes are different, never that they are one."""
    for e in kb.entries:
        if "职业伤害" in e.answer:
            assert (
                "不是" in e.answer or "不同" in e.answer or "两" in e.answer or "区别" in e.answer
            ), e.id


def _write(tmp_path: Path, body: str) -> Path:
    (tmp_path / "entries").mkdir()
    (tmp_path / "entries" / "x.toml").write_text(body, encoding="utf-8")
    (tmp_path / "sources.toml").write_text(SOURCES, encoding="utf-8")
    return tmp_path


def test_minimal_valid_file_loads(tmp_path):
    assert [e.id for e in load(_write(tmp_path, GOOD)).entries] == ["t.one"]


@pytest.mark.parametrize(
    "change, message",
    [
        (('answer = "答。"', 'answer = ""'), "'answer'"),
        (('region = "全国"', 'region = "火星"'), "region"),
        (('questions = ["问一", "问二", "问三"]', 'questions = ["问一"]'), "at least 3"),
        (
            ('questions = ["问一", "问二", "问三"]', 'questions = ["问一", "问一", "问三"]'),
            "duplicate",
        ),
        (('title = "测试"', 'title = "这是一个非常非常非常非常长的按钮标题文字"'), "title"),
        (('cites = ["tiaoli:10"]', 'cites = ["tiaoli:10"]\nsauce = "x"'), "unknown field"),
        (('cites = ["tiaoli:10"]', "cites = []"), "'cites'"),
        (('cites = ["tiaoli:10"]', 'cites = ["tiaoli:99"]'), "no passage '99'"),
        (('answer = "答。"', 'answer = "30日内答。"'), "['30'] in the answer occur in none"),
        (('short = "答。"\n', ""), "'short'"),
        (('short = "答。"', 'short = "  "'), "'short'"),
        (('short = "答。"', 'short = "' + "长" * 46 + '"'), "short longer than 45"),
        (('short = "答。"', 'short = "30日内报。"'), "['30']"),
        (('id = "t.one"', 'id = "Bad Id"'), "id must be"),
        (('topic = "t"', 'topic = "t"\nrelated = ["nope"]'), "related id 'nope'"),
    ],
)
def test_broken_entry_names_file_and_id(tmp_path, change, message):
    body = GOOD.replace(*change)
    with pytest.raises(FaqError) as err:
        load(_write(tmp_path, body))
    assert "x.toml" in str(err.value) and message in str(err.value)


def test_duplicate_id_across_files_is_rejected(tmp_path):
    _write(tmp_path, GOOD)
    (tmp_path / "entries" / "y.toml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(FaqError, match="already used in x.toml"):
        load(tmp_path)


def test_bad_toml_is_reported_with_file_name(tmp_path):
    with pytest.raises(FaqError, match="x.toml: not valid TOML"):
        load(_write(tmp_path, "[[entry]\nid = "))


def test_shipped_extras_are_valid(tmp_path):
    shutil.copytree(DEFAULT_DIR, tmp_path / "faq")
    kb = load(tmp_path / "faq")
    assert kb.synonyms and kb.out_of_scope and kb.domain_words
