"""Situation facets found in couriers' words (faq/facets.toml), short forms and pinyin typos included."""

from pathlib import Path

import pytest

from bot.faq import facets
from bot.faq.loader import DEFAULT_DIR


@pytest.fixture(scope="module")
def finder(kb):
    return facets.FacetFinder(*facets.load(DEFAULT_DIR / "facets.toml", set(kb.by_id())))


@pytest.mark.parametrize(
    "text, facet",
    [
        ("没签合同能报工伤吗", "no_contract"),
        ("我没签", "no_contract"),
        ("没前合同能报工伤吗", "no_contract"),  # pinyin typo: 前 for 签
        ("网点没给我交工伤保险", "not_insured"),
        ("老板没上保险", "not_insured"),
        ("我老公去世了", "death"),
        ("人没了", "death"),
        ("评了七级伤残", "grade"),
        ("退休了又去驿站打工 受伤了算工伤吗", "over_age"),
        ("9级工伤", "grade"),
        ("下班路上出的事", "commute"),
        ("被车撞了对方全责", "traffic"),
        ("肇事逃逸了", "traffic"),
        ("交警说我全责", "at_fault"),
        ("我负主要责任", "at_fault"),
        ("我是劳务派遣的", "dispatch"),
        ("外包公司招的我", "dispatch"),
        ("我们是加盟网点", "franchise"),
        ("老板不给报", "employer_refuses"),
        ("公司不承认是工伤", "employer_refuses"),
        ("受伤都过了一年了", "deadline_passed"),
    ],
)
def test_facet_is_found(finder, text, facet):
    assert facet in [f.name for f in finder.find(text)]


@pytest.mark.parametrize(
    "text",
    [
        "快递丢了怎么办",
        "今天派件量好大",
        "电动车被偷了",
    ],
)
def test_no_facet_in_unrelated_text(finder, text):
    assert finder.find(text) == []


def test_retirement_as_a_date_is_not_working_past_it(finder):
    found = [f.name for f in finder.find("领伤残津贴到退休年龄以后怎么办")]
    assert "over_age" not in found


def test_facets_come_in_data_order(finder):
    names = [f.name for f in finder.find("我没签合同，下班路上被车撞了")]
    assert names == sorted(names, key=[f.name for f in finder.facets].index)


def test_guide_from_facet_first_then_topic(finder):
    found = finder.find("评了七级伤残")
    assert finder.guide(found, "injury.errand") == "assess"
    assert finder.guide([], "scope.outlets") == "outlet"
    assert finder.guide([], "rate") is None


def test_unknown_followup_id_is_refused(tmp_path: Path):
    bad = tmp_path / "facets.toml"
    bad.write_text(
        '[[facet]]\nname = "x"\nwords = ["没签"]\nfollowups = ["no.such.id"]\n', encoding="utf-8"
    )
    with pytest.raises(facets.FacetError, match="no.such.id"):
        facets.load(bad, {"national.apply.how"})
