"""Benefits by disability grade (bot/benefits/, faq/benefits.toml): the data against the
articles of 《工伤保险条例》, what couriers type, the arithmetic, and the messages through the
real templates."""

import ast
import re
import tomllib
from pathlib import Path

import pytest

from bot import benefits
from bot.benefits import (
    DEFAULT_PATH,
    NUMERALS,
    BenefitsError,
    Request,
    cn_number,
    compute,
    load,
    number_text,
    parse,
    personal_wage,
    reply,
)
from bot.faq.loader import load as load_faq
from bot.render import _TAG, plain

ROOT = Path(__file__).resolve().parent.parent
RAW = tomllib.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
LAW = "《工伤保险条例》"


@pytest.fixture(scope="module")
def rules():
    return load()


def text_of(message: str) -> str:
    return plain(message)


# ------------------------------------------------------------------------------ the data

# grade: months of 一次性伤残补助金, 伤残津贴 % (None: none), who pays the 津贴, article
GRADES = [
    (1, 27, 90, "工伤保险基金", "第三十五条"),
    (2, 25, 85, "工伤保险基金", "第三十五条"),
    (3, 23, 80, "工伤保险基金", "第三十五条"),
    (4, 21, 75, "工伤保险基金", "第三十五条"),
    (5, 18, 70, "用人单位", "第三十六条"),
    (6, 16, 60, "用人单位", "第三十六条"),
    (7, 13, None, None, "第三十七条"),
    (8, 11, None, None, "第三十七条"),
    (9, 9, None, None, "第三十七条"),
    (10, 7, None, None, "第三十七条"),
]


@pytest.mark.parametrize("grade, months, percent, payer, article", GRADES)
def test_every_grade_against_its_article(rules, grade, months, percent, payer, article):
    g = rules.grades[grade]
    name = f"{NUMERALS[grade - 1]}级伤残"
    assert g.source == LAW + article
    assert (g.lump_sum_months, g.lump_sum_payer) == (months, "工伤保险基金")
    assert f"{name}为{months}个月的本人工资" in rules.articles[article]
    assert (g.allowance_percent, g.allowance_payer) == (percent, payer)
    if percent is not None:
        assert f"{name}为本人工资的{percent}%" in rules.articles[article]
        assert f"由{payer}" in g.allowance_topup  # who tops it up to the minimum wage


def test_allowance_wording_who_pays_and_when(rules):
    for grade in (1, 2, 3, 4):
        assert rules.grades[grade].allowance_when == "保留劳动关系，退出工作岗位"
        assert "从工伤保险基金按月支付伤残津贴" in rules.grades[grade].quote
    for grade in (5, 6):
        assert rules.grades[grade].allowance_when.endswith("难以安排工作的")
        assert "难以安排工作的，由用人单位按月发给伤残津贴" in rules.grades[grade].quote


@pytest.mark.parametrize(
    "grade, leaving, article",
    [
        *[(g, None, None) for g in (1, 2, 3, 4)],
        (5, "five_six", "第三十六条"),
        (6, "five_six", "第三十六条"),
        *[(g, "seven_ten", "第三十七条") for g in (7, 8, 9, 10)],
    ],
)
def test_ending_the_job_grades_5_to_10(rules, grade, leaving, article):
    assert rules.grades[grade].leaving == leaving
    if leaving:
        rule = rules.leaving[leaving]
        assert rule.source == LAW + article
        assert (
            rule.standard
            == "一次性工伤医疗补助金和一次性伤残就业补助金的具体标准由省、自治区、直辖市人民政府规定"
        )
        assert "工伤保险基金支付一次性工伤医疗补助金" in rule.medical_payer
        assert "用人单位支付一次性伤残就业补助金" in rule.employment_payer
        assert not re.search(r"\d", rule.when + rule.standard)  # the province sets the amounts


def test_care_leave_wage_and_death_figures(rules):
    assert [(lv.name, lv.percent) for lv in rules.care.levels] == [
        ("生活完全不能自理", 50),
        ("生活大部分不能自理", 40),
        ("生活部分不能自理", 30),
    ]
    assert rules.care.base == "统筹地区上年度职工月平均工资"
    assert rules.care.source == LAW + "第三十四条"
    assert (rules.leave.months, rules.leave.extension_months) == (12, 12)
    assert rules.leave.pay == "原工资福利待遇不变，由所在单位按月支付"
    assert rules.leave.source == LAW + "第三十三条"
    w = rules.wage
    assert (w.months, w.floor_percent, w.cap_percent, w.source) == (12, 60, 300, LAW + "第六十四条")
    assert w.definition == "工伤职工因工作遭受事故伤害或者患职业病前12个月平均月缴费工资"
    d = rules.death
    assert (d.funeral.months, d.funeral.base) == (6, "统筹地区上年度职工月平均工资")
    p = d.pension
    assert (p.spouse_percent, p.other_percent, p.extra_percent) == (40, 30, 10)
    assert d.pension.extra_for == "孤寡老人或者孤儿"
    assert (d.lump_sum.times, d.lump_sum.base) == (20, "上一年度全国城镇居民人均可支配收入")
    assert {d.source, d.funeral.source, d.pension.source, d.lump_sum.source} == {LAW + "第三十九条"}


def rule_tables(table, inherited=None, where="benefits"):
    """(where, table, the quote that backs it) for every table below `table`."""
    quote = table.get("quote", inherited)
    yield where, table, quote
    for key, value in table.items():
        if isinstance(value, dict):
            yield from rule_tables(value, quote, f"{where}.{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    yield from rule_tables(item, quote, f"{where}.{key}[{i}]")


def test_every_number_in_the_data_is_in_its_quote():
    checked = 0
    for where, table, quote in rule_tables(RAW):
        for key, value in table.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            assert quote is not None, f"{where}.{key}: a number outside any quoted rule"
            if key == "grade":  # written in Chinese numerals in the article
                assert f"{NUMERALS[value - 1]}级伤残" in quote, where
            else:
                assert number_text(value) in quote, f"{where}.{key} = {value}"
            checked += 1
    # grades, months, %, care, leave, wage, death
    assert checked >= 10 + 10 + 6 + 3 + 2 + 3 + 1 + 3 + 1


def test_every_quote_is_verbatim_text_of_its_cited_article(rules):
    articles = {k: re.sub(r"\s+", "", v) for k, v in rules.articles.items()}
    quoted = 0
    for where, table, _ in rule_tables(RAW):
        if "quote" in table:
            article = re.fullmatch(r"《工伤保险条例》(第.+条)", table["source"]).group(1)
            assert re.sub(r"\s+", "", table["quote"]) in articles[article], where
            quoted += 1
    assert quoted == 10 + 2 + 1 + 1 + 1 + 4


def test_the_articles_are_the_registry_s_2010_text(rules):
    registry = load_faq().registry
    assert rules.articles == registry.articles("tiaoli")
    origin = registry.documents["tiaoli"].origin
    assert "LawRefBook/Laws@6ef77b0a" in origin and "工伤保险条例(2010-12-20).md" in origin
    # the 2010 revision, not the 2003 text: 社会保险行政部门, and 20倍 of national income
    assert "全国城镇居民人均可支配收入的20倍" in rules.articles["第三十九条"]


@pytest.mark.parametrize(
    "old, new, message",
    [
        (
            "七级伤残为13个月的本人工资，八级",
            "七级伤残为14个月的本人工资，八级",
            "not a verbatim passage",
        ),
        ("lump_sum_months = 13", "lump_sum_months = 14", "is not in its quote"),
        ("spouse_percent = 40", "spouse_percent = 45", "spouse_percent = 45 is not in its quote"),
        ('extra_for = "孤寡老人或者孤儿"', 'extra_for = "孤儿"', None),
        (
            'allowance_payer = "用人单位"',
            'allowance_payer = "工伤保险基金的钱"',
            "not in its quote",
        ),
        (
            'source = "《工伤保险条例》第三十四条"',
            'source = "《工伤保险条例》第四十条"',
            "not a verbatim passage of 《工伤保险条例》第四十条",
        ),
        (
            'source = "《工伤保险条例》第三十四条"',
            'source = "《工伤保险条例》第九十条"',
            "source must be",
        ),
        ("grade = 10\n", "grade = 9\n", "each once"),
        ('leaving = "seven_ten"', 'leaving = "nowhere"', "not a [leaving.*] table"),
    ],
)
def test_load_refuses_data_the_articles_do_not_back(tmp_path, old, new, message):
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "benefits.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    if message is None:  # still a verbatim piece of the quote: fine
        load(path)
        return
    with pytest.raises(BenefitsError, match=re.escape(message)):
        load(path)


def test_load_names_a_missing_file(tmp_path):
    with pytest.raises(BenefitsError, match="nope.toml"):
        load(tmp_path / "nope.toml")


def test_core_modules_import_nothing_from_telegram():
    modules = sorted(Path(benefits.__file__).parent.glob("*.py"))
    assert len(modules) > 1  # the package's modules, not just __init__
    for module in modules:
        tree = ast.parse(module.read_text(encoding="utf-8"))
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [n for n in names if n and n.split(".")[0] in ("telegram", "handlers")], (
            module.name
        )


# ------------------------------------------------------------------------------ what couriers type


@pytest.mark.parametrize(
    "text, grade, wage, average",
    [
        ("七级伤残", 7, None, None),
        ("评了7级", 7, None, None),
        ("7级工伤能赔多少", 7, None, None),
        ("九级", 9, None, None),
        ("九级能拿多少钱", 9, None, None),
        ("十级伤残", 10, None, None),
        ("伤残等级是八级", 8, None, None),
        ("伤残等级：6", 6, None, None),
        ("我评残评了个四级", 4, None, None),
        ("鉴定为一级", 1, None, None),
        ("七級傷殘", 7, None, None),  # traditional characters
        ("１０级伤残", 10, None, None),  # full-width digits
        ("七级伤残 月工资6000", 7, 6000.0, None),
        ("评了7级，工资6千", 7, 6000.0, None),
        ("九级伤残，一个月5000块", 9, 5000.0, None),
        ("五级 月薪八千", 5, 8000.0, None),
        ("我十级，月工资6,000元", 10, 6000.0, None),
        ("评了7级工资六千五", 7, 6500.0, None),
        ("6级 月薪1.2万", 6, 12000.0, None),
        ("8级伤残 4500一个月", 8, 4500.0, None),
        ("八级伤残 月工资3000 当地平均工资7000", 8, 3000.0, 7000.0),
        ("伤残3级，工资2000，社平工资6000", 3, 2000.0, 6000.0),
        ("当地平均工资7000，我评了2级", 2, None, 7000.0),
        ("工资6000 7级", 7, 6000.0, None),
        ("伤残7级 一个月拿4千多", 7, 4000.0, None),
        ("七级伤残 月工资是六千", 7, 6000.0, None),
    ],
)
def test_parse_courier_phrasings(text, grade, wage, average):
    assert parse(text) == Request("grade", grade=grade, wage=wage, average=average)


@pytest.mark.parametrize(
    "text",
    [
        "伤残鉴定怎么申请",
        "我7号受的伤",
        "工资6000",
        "评残要带什么材料",
        "送快递摔了三级台阶",
        "我英语考了四级",
        "上一级部门不管怎么办",
        "十一级伤残",
        "11级",
        "伤残3个月了还没鉴定",
        "工作时间突发疾病死亡算工伤吗",  # a 工伤认定 question, not a benefit one
        "伤残等级分几级 一级重还是十级重",  # about the grades, not one grade's amounts
        "评了十级 复查能改成九级吗",
        "家里人派件时失联了好几个月 听说能先预支工亡补助金?",  # missing is not dead
        "",
    ],
)
def test_parse_leaves_other_messages_alone(text):
    assert parse(text) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("7 6000", Request("grade", grade=7, wage=6000.0)),
        ("7 6000 7000", Request("grade", grade=7, wage=6000.0, average=7000.0)),
        ("七级 6000", Request("grade", grade=7, wage=6000.0)),
        ("七", Request("grade", grade=7)),
        ("10", Request("grade", grade=10)),
        ("三级台阶", Request("grade", grade=3)),  # after /benefit, any 级 is the grade
        ("工亡", Request("death")),
        ("11", None),
        ("6000", None),
        ("abc", None),
    ],
)
def test_parse_command_arguments(text, expected):
    assert parse(text, command=True) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("工友因工死亡，家属能赔多少", Request("death")),
        ("老公送快递出车祸去世了，工亡补助金怎么算", Request("death")),
        (
            "工亡 月工资5000 当地平均工资7000 人均可支配收入50000",
            Request("death", wage=5000.0, average=7000.0, income=50000.0),
        ),
        ("工亡待遇 可支配收入5万", Request("death", income=50000.0)),
        ("丈夫送件时意外身亡，老板失联了，能赔多少", Request("death")),  # the boss is missing
        (
            "网点老板失联了 我评了九级伤残 月工资5000能赔多少",
            Request("grade", grade=9, wage=5000.0),
        ),
    ],
)
def test_parse_death_and_a_missing_boss(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text, value",
    [
        ("七", 7),
        ("十", 10),
        ("十五", 15),
        ("八千", 8000),
        ("八千五", 8500),
        ("三千八百", 3800),
        ("一万二", 12000),
        ("八千零五", 8005),
        ("两千", 2000),
        ("八五", None),
    ],
)
def test_cn_number(text, value):
    assert cn_number(text) == value


# ------------------------------------------------------------------------------ the arithmetic


@pytest.mark.parametrize("grade, months, percent, payer, article", GRADES)
def test_compute_every_grade_with_a_wage(rules, grade, months, percent, payer, article):
    b = compute(Request("grade", grade=grade, wage=6000.0), rules)
    assert b.lump_sum == months * 6000
    assert b.allowance == (None if percent is None else 6000 * percent / 100)
    assert (b.leaving is None) == (grade <= 4)


def test_seventh_grade_with_6000_is_13_months_78000(rules):
    b = compute(parse("七级伤残 月工资6000"), rules)
    assert (b.grade.lump_sum_months, b.lump_sum) == (13, 78000)
    assert (b.wage.used, b.wage.adjusted) == (6000, None)


def test_without_a_wage_no_amount(rules):
    b = compute(Request("grade", grade=3), rules)
    assert (b.wage, b.lump_sum, b.allowance, b.bounds, b.care) == (None, None, None, None, None)


@pytest.mark.parametrize(
    "wage, average, used, adjusted",
    [
        (2000, 6000, 3600, "floor"),  # below 60% of the average: counts as 60%
        (3600, 6000, 3600, None),
        (5000, 6000, 5000, None),
        (18000, 6000, 18000, None),
        (20000, 6000, 18000, "cap"),  # above 300%: counts as 300%
        (2000, None, 2000, None),  # average unknown: nothing to apply
    ],
)
def test_personal_wage_floor_and_cap(rules, wage, average, used, adjusted):
    w = personal_wage(wage, average, rules.wage)
    assert (w.typed, w.used, w.adjusted) == (wage, used, adjusted)


def test_floor_applies_to_the_lump_sum_and_the_allowance(rules):
    b = compute(Request("grade", grade=5, wage=2000.0, average=6000.0), rules)
    assert b.bounds == (3600, 18000)
    assert (b.lump_sum, b.allowance) == (18 * 3600, 3600 * 0.7)
    assert b.care == (3000, 2400, 1800)


def test_death_formulas(rules):
    b = compute(Request("death"), rules)
    assert (b.funeral, b.pension, b.death_lump_sum, b.grade) == (None, None, None, None)
    b = compute(Request("death", wage=5000.0, average=7000.0, income=50000.0), rules)
    assert b.funeral == 6 * 7000
    assert b.death_lump_sum == 20 * 50000
    assert b.pension == (2000, 1500, 500)
    b = compute(Request("death", wage=3000.0, average=7000.0), rules)
    assert b.wage.used == 4200 and b.pension == (1680, 1260, 420)  # 本人工资 floor applies too


def test_compute_refuses_a_grade_it_has_no_rule_for(rules):
    with pytest.raises(ValueError):
        compute(Request("grade", grade=11), rules)


# ------------------------------------------------------------------------------ the messages


def test_seventh_grade_message(rules):
    text = text_of(reply("七级伤残 月工资6000", rules))
    assert text.startswith(
        "七级伤残的一次性伤残补助金是13个月的本人工资：按月工资6000元算是78000元。"
    )
    assert "一次性工伤医疗补助金" in text and "一次性伤残就业补助金" in text
    assert "具体标准由省、自治区、直辖市人民政府规定" in text
    assert "📄 依据：《工伤保险条例》第三十七条" in text
    assert "📄 依据：《工伤保险条例》第六十四条" in text
    assert "缴费工资" in text and "申报" in text  # the base matters
    assert (
        "60%" in text and "300%" in text and "当地平均工资" in text
    )  # floor/cap needs the average
    assert "伤残津贴" not in text


def test_floor_is_said_in_the_message(rules):
    text = text_of(reply("评了7级 工资2000 当地平均工资6000", rules))
    assert text.startswith(
        "七级伤残的一次性伤残补助金是13个月的本人工资：你的月工资2000元低于当地职工"
        "平均工资的60%，按3600元算，是46800元。"
    )
    assert "按3600元算" in text and "18000元" in text


def test_cap_is_said_in_the_message(rules):
    text = text_of(reply("九级 月工资30000 当地平均工资6000", rules))
    assert "高于当地职工平均工资的300%，按18000元算，是162000元" in text


@pytest.mark.parametrize(
    "grade, words, absent",
    [
        (
            1,
            [
                "一级伤残的一次性伤残补助金是27个月的本人工资",
                "由工伤保险基金按月发伤残津贴",
                "90%",
                "退休",
            ],
            ["一次性伤残就业补助金"],
        ),
        (4, ["21个月", "75%", "工伤保险基金补足差额"], ["一次性工伤医疗补助金"]),
        (
            5,
            [
                "18个月",
                "安排不了工作的，由用人单位按月发伤残津贴",
                "70%",
                "各项社会保险费",
                "由用人单位补足差额",
                "你本人提出",
                "第三十六条",
            ],
            [],
        ),
        (6, ["16个月", "60%", "一次性伤残就业补助金"], []),
        (10, ["十级伤残的一次性伤残补助金是7个月的本人工资", "合同", "第三十七条"], ["伤残津贴"]),
    ],
)
def test_grade_messages_without_a_wage(rules, grade, words, absent):
    text = text_of(reply(f"评了{grade}级", rules))
    assert "月工资X" in text  # asks for the wage, names no figure
    for word in words:
        assert word in text, word
    for word in absent:
        assert word not in text, word


def test_allowance_amount_in_the_message(rules):
    text = text_of(reply("五级 月工资6000", rules))
    assert "按6000元算，每月4200元" in text


def test_death_message_gives_formulas_without_figures(rules):
    text = text_of(reply("工亡", rules, command=True))
    assert text.startswith("因工死亡的，近亲属从工伤保险基金领三项")
    assert "6个月的统筹地区上年度职工月平均工资" in text
    assert "上一年度全国城镇居民人均可支配收入的20倍" in text
    assert "配偶每月40%" in text and "其他亲属每人每月30%" in text and "再加10%" in text
    assert not re.search(r"\d元", text)  # never a recalled figure
    assert "📄 依据：《工伤保险条例》第三十九条" in text


def test_death_message_computes_the_figures_given(rules):
    text = text_of(reply("工亡 月工资5000 当地平均工资7000 人均可支配收入50000", rules))
    assert "按你给的7000元算，是42000元" in text
    assert "按你给的50000元算，是1000000元" in text
    assert "配偶每月2000元" in text and "其他亲属每人每月1500元" in text


def test_usage_for_the_command(rules):
    assert "用法：/benefit" in text_of(reply("", rules, command=True))
    text = text_of(reply("帮我算算", rules, command=True))
    assert "用法：/benefit" in text and "没看懂“帮我算算”" in text
    assert reply("伤残鉴定怎么申请", rules) is None  # chat: left to the FAQ


MESSAGES = [
    "七级伤残 月工资6000",
    "评了2级 工资2000 当地平均工资6000",
    "六级 月薪1.2万 社平工资8000",
    "伤残等级是八级",
    "工亡 月工资5000 当地平均工资7000 人均可支配收入51821",
    "十级伤残 月工资3333.33",
]


@pytest.mark.parametrize("message", MESSAGES)
def test_every_number_shown_is_the_law_or_the_arithmetic(rules, message):
    """No figure in a reply comes from anywhere but the articles, the courier, or compute()."""
    b = compute(parse(message), rules)
    known = set(re.findall(r"\d+(?:\.\d+)?", " ".join(rules.articles.values())))
    figures = [
        b.lump_sum,
        b.allowance,
        b.funeral,
        b.death_lump_sum,
        *(b.pension or ()),
        *(b.care or ()),
        *(b.bounds or ()),
        b.request.wage,
        b.request.average,
        b.request.income,
        b.wage and b.wage.used,
    ]
    for x in figures:
        if x is not None:
            known |= {f"{x:.2f}", f"{x:g}", str(int(x))}
    html = reply(message, rules)
    for number in re.findall(r"\d+(?:\.\d+)?", text_of(html)):
        assert number in known, number


@pytest.mark.parametrize("message", MESSAGES)
def test_messages_are_telegram_html_and_cite_held_articles(rules, message):
    html = reply(message, rules)
    assert not re.sub(_TAG, "", html).count("<")  # only tags Telegram accepts
    cited = re.findall(r"📄 依据：《工伤保险条例》(第.+?条)", html)
    assert cited and set(cited) <= set(rules.articles)
    assert len(html) < 4096  # one Telegram message
