"""Regions a courier types: labels the bot shows, cities, 省+市 forms, traditional script, and
the names that must be asked about rather than guessed (walkthrough M2, L16)."""

import pytest

from bot import regions
from bot.render import label
from bot.reply import MENU, REGION_BUTTONS, region_label

MAINLAND = [p for p in regions.PROVINCES if p not in ("香港", "澳门", "台湾")]


@pytest.mark.parametrize(
    "typed, region",
    [
        # walkthrough M2: the bot's own labels, cities, traditional script, 省+市
        ("山东济宁", "济宁"),
        ("山西长治", "长治"),
        ("深圳", "广东"),
        ("深圳市", "广东"),
        ("南京", "江苏"),
        ("南宁", "广西"),
        ("柳州", "广西"),
        ("廣東", "广东"),
        ("广东省深圳市", "广东"),
        ("广东 深圳", "广东"),
        ("廣東省深圳市", "广东"),
        ("山西省长治市", "长治"),
        # what already worked keeps working
        ("济宁", "济宁"),
        ("济宁市", "济宁"),
        ("长治市", "长治"),
        ("江苏省", "江苏"),
        ("北京", "北京"),
        ("全国", "全国"),
        # 地区, 自治州, 盟, and directly administered county-level cities
        ("大兴安岭地区", "黑龙江"),
        ("大兴安岭", "黑龙江"),
        ("延边州", "吉林"),
        ("延边朝鲜族自治州", "吉林"),
        ("西双版纳", "云南"),
        ("兴安盟", "内蒙古"),
        ("阿里", "西藏"),
        ("湖北仙桃", "湖北"),
        ("广西壮族自治区南宁市", "广西"),
        # a district after the city, or in a municipality
        ("深圳市南山区", "广东"),
        ("济宁任城区", "济宁"),
        ("北京市朝阳区", "北京"),
        ("上海浦东", "上海"),
        # 吉林 is a province and one of its cities; 海南 a province and a 自治州 of 青海: the
        # province wins the bare name, the 自治州 needs its 州
        ("吉林市", "吉林"),
        ("吉林吉林市", "吉林"),
        ("海南", "海南"),
        ("海南州", "青海"),
        ("海南藏族自治州", "青海"),
    ],
)
def test_typed_place_becomes_its_region(typed, region):
    assert regions.canonical(typed) == region


@pytest.mark.parametrize(
    "typed",
    ["火星", "guangdong", "南京路", "广东话", "朝阳区", "", "   ", "其他省份", "山东深圳"],
)
def test_unknown_or_unclear_names_are_not_a_region(typed):
    assert regions.canonical(typed) is None


@pytest.mark.parametrize("typed", ["其他省份", "其它省份", "其他"])
def test_other_province_asks_which(typed):
    assert regions.resolve(typed).ask


def test_a_city_outside_the_province_typed_asks_with_both_readings():
    found = regions.resolve("山东深圳")
    assert found.region is None and found.choices == ("山东", "广东深圳")
    assert [regions.canonical(c) for c in found.choices] == ["山东", "广东"]


def test_a_city_name_in_two_provinces_is_asked_not_guessed():
    places = regions.load_places({"prefecture": {"山东省": ["新华市"], "河北省": ["新华市"]}})
    found = regions.resolve("新华", places)
    assert found.region is None and set(found.choices) == {"山东新华", "河北新华"}
    assert regions.resolve("河北新华市", places).region == "河北"


def test_the_only_clash_with_a_province_name_is_hainan():
    """No city name is in two provinces; only 海南 (青海's 自治州) clashes with a province."""
    clashes = {
        name
        for name, places in regions.PLACES.items()
        if len({p.province for p in places}) > 1
        or (name in regions.ALIASES and all(p.region != regions.ALIASES[name] for p in places))
    }
    assert clashes == {"海南"}


def test_every_label_the_bot_shows_for_a_region_is_accepted():
    for region in REGION_BUTTONS:
        assert regions.canonical(region_label(region)) == region
        assert regions.canonical(regions.full_name(region)) == region
    for province in MAINLAND:
        assert regions.canonical(regions.full_name(province)) == province
    assert regions.resolve(label("region_other")).ask


def test_city_table_covers_every_mainland_province():
    table = regions.CITY_TABLE["prefecture"]
    assert sorted(regions.ALIASES[name] for name in table) == sorted(MAINLAND)
    municipalities = {"北京", "天津", "上海", "重庆"}
    assert {regions.ALIASES[name] for name, cities in table.items() if not cities} == municipalities
    assert sum(len(cities) for cities in table.values()) == 333  # 293 市, 7 地区, 30 自治州, 3 盟


def test_every_city_resolves_by_each_of_its_names():
    for places in regions.CITY_TABLE.values():
        for province_name, cities in places.items():
            province = regions.ALIASES[province_name]
            for city in cities:
                short = regions.short_name(city)
                assert "族" not in short and "自治" not in short, city
                (place,) = regions.PLACES[city]
                assert place.province == province
                bare = {short} - {"海南"}  # the province wins it (test above)
                for typed in {city, province + short, province_name + city} | bare:
                    assert regions.canonical(typed) == place.region, typed


def test_document_cities_keep_their_own_region():
    assert regions.PLACES["济宁市"][0].region == "济宁"
    assert regions.PLACES["长治"][0].region == "长治"
    assert regions.PLACES["菏泽"][0].region == "山东"


# --- the replies ----------------------------------------------------------------------------


def test_other_province_button_and_label_ask_which_province(assistant):
    pressed = assistant.callback(MENU + "region_other", "u1").text
    typed = assistant.set_region("u1", label("region_other")).text
    assert pressed == typed
    assert "没认出" not in pressed and "/region 江苏" in pressed
    assert assistant.region_of("u1") is None


def test_a_city_is_saved_as_its_province_and_says_so(assistant):
    text = assistant.set_region("u1", "深圳").text
    assert "广东省" in text and "深圳市属于广东省" in text
    assert assistant.region_of("u1") == "广东"
    assert "山东省济宁市" in assistant.set_region("u1", "山东济宁").text
    assert assistant.region_of("u1") == "济宁"


def test_an_unclear_name_lists_what_to_type_and_saves_nothing(assistant):
    text = assistant.set_region("u1", "山东深圳").text
    assert "/region 山东" in text and "/region 广东深圳" in text
    assert assistant.region_of("u1") is None


def test_an_unknown_name_is_still_refused(assistant):
    assert "没认出“火星”" in assistant.set_region("u1", "火星").text
