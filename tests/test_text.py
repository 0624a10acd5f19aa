"""Normalisation: width, punctuation, script, synonyms, pinyin, regions named in a message."""

import pytest

from bot import regions
from bot.text import Synonyms, clean, mask_personal, pinyin


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("工伤？", "工伤"),
        ("ＡＢＣ１２３", "abc123"),
        ("工傷認定", "工伤认定"),
        ("  上 班 路 上！！ ", "上班路上"),
        ("😀工伤\u200b", "工伤"),
        ("", ""),
    ],
)
def test_clean(raw, expected):
    assert clean(raw) == expected


def test_synonyms_prefer_the_longest_variant():
    syn = Synonyms({"申请工伤认定": ["报工伤"], "工伤": ["公伤"], "网点": ["老板"]})
    assert syn.apply("老板不给报工伤") == "网点不给申请工伤认定"
    assert syn.apply("公伤咋算") == "工伤咋算"


def test_pinyin_makes_homophones_equal():
    assert pinyin("工伤") == pinyin("工商") == "gong shang"


@pytest.mark.parametrize(
    "text, region",
    [
        ("济宁网点交多少钱", "济宁"),
        ("吉林省的费率", "吉林"),
        ("山西长治", "长治"),
        ("全国都一样吗", "全国"),
        ("算工伤吗", None),
        ("广西壮族自治区", "广西"),
    ],
)
def test_region_named_in_text(text, region):
    found, rest = regions.find_in_text(text)
    assert found == region
    if region:
        assert region not in rest


def test_fallback_chain_goes_city_province_nation():
    assert regions.fallback_chain("济宁") == ["济宁", "山东", "全国"]
    assert regions.fallback_chain(None) == ["全国"]
    assert regions.canonical("山东省") == "山东" and regions.canonical("火星") is None


@pytest.mark.parametrize(
    "raw, masked",
    [
        ("电话13912345678", "电话###########"),
        ("139 1234 5678中通", "###########中通"),
        ("+86-139-1234-5678", "###########"),
        ("8613912345678", "###########"),
        ("身份证37088119900101123X", "身份证##################"),
        ("老身份证370881900101123", "老身份证##################"),
        ("许可证号2022001234567890123", "许可证号2022001234567890123"),  # other long numbers stay
        ("中通城西网点", "中通城西网点"),
    ],
)
def test_mask_personal(raw, masked):
    assert mask_personal(raw) == masked


def test_l12_control_characters_never_reach_storage():
    from bot.text import mask_personal

    stored = mask_personal("算工伤吗\x00\x07\x1b[31m\u200b\u202e吗")
    assert stored == "算工伤吗[31m吗"
    assert mask_personal("第一行\n第二行") == "第一行\n第二行"
