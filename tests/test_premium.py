"""The premium estimate: parsing what a manager types, the arithmetic, the rules from config (only
Jining's 0.4% is shipped, never a wage figure), and what every reply must say."""

import dataclasses
from pathlib import Path

import pytest

from bot import config as config_mod
from bot.assistant import Assistant
from bot.outlets.premium import DEFAULT_RULES, PremiumRule, estimate, parse_request, rule_for
from tests.support.cli import run_cli

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "text, headcount, base, rate, region",
    [
        ("12 98000 0.4% 济宁", 12, 98000.0, 0.004, "济宁"),
        ("济宁 12人 9.8万", 12, 98000.0, None, "济宁"),
        ("12", 12, None, None, None),
        ("１２ ９８，０００", 12, 98000.0, None, None),
        ("", None, None, None, None),
    ],
)
def test_parse_request(text, headcount, base, rate, region):
    req = parse_request(text)
    assert (req.headcount, req.base, req.rate, req.region) == (headcount, base, rate, region)
    assert not req.problems


@pytest.mark.parametrize(
    "text, problem", [("0", "headcount"), ("12 50%", "rate"), ("1000000", "headcount")]
)
def test_parse_request_problems(text, problem):
    assert problem in parse_request(text).problems


def test_only_the_jining_rate_is_shipped_and_no_wage():
    assert (PremiumRule("济宁", rate=0.004, source=DEFAULT_RULES[0].source),) == DEFAULT_RULES
    assert "三（二）" in DEFAULT_RULES[0].source
    assert all(r.base is None for r in DEFAULT_RULES)
    assert rule_for(DEFAULT_RULES, "济宁").rate == 0.004
    assert rule_for(DEFAULT_RULES, "山东") is None and rule_for(DEFAULT_RULES, None) is None


def test_estimate_needs_a_base_and_computes():
    rule = rule_for(DEFAULT_RULES, "济宁")
    assert estimate(parse_request("12"), rule) is None  # no base: no number
    e = estimate(parse_request("12 98000"), rule)
    assert (e.yearly, e.monthly, e.per_person) == pytest.approx((4704.0, 392.0, 392.0))
    assert e.base_typed and not e.rate_typed
    assert estimate(parse_request("12 98000"), None) is None  # no rate anywhere


def write_config(tmp_path, body: str) -> Path:
    path = tmp_path / "c.toml"
    path.write_text('[storage]\ndatabase = "bot.db"\n' + body, encoding="utf-8")
    return path


def test_configured_base_is_used_and_labelled(tmp_path, storage, kb):
    cfg = config_mod.load(write_config(tmp_path, '[premium."济宁"]\nbase = 90000\n'))
    rule = rule_for(cfg.premium, "济宁")
    assert (rule.rate, rule.base) == (0.004, 90000.0) and "三（二）" in rule.source
    assistant = Assistant(dataclasses.replace(cfg, database=tmp_path / "bot.db"), storage, kb)
    text = assistant.outlets.premium("10 济宁", None).text
    assert "10人 × 90,000元/年 × 0.4%" in text and "运营方在配置中填写" in text


@pytest.mark.parametrize("text", ["", "12", "12 98000 济宁", "12 吉林", "12 98000 1% 广西", "0"])
def test_every_reply_says_couriers_pay_nothing_and_the_two_outlet_rule(assistant, text):
    reply = assistant.outlets.premium(text, None).text
    assert "个人不缴纳" in reply and "第十条" in reply
    assert "两个或两个以上" in reply and "分别为他缴" in reply


# The same-month clause is 济宁方案 四（二）'s own: elsewhere only the general rule is shown.
@pytest.mark.parametrize(
    "text, jining",
    [
        ("12 98000 济宁", True),
        ("12 济宁", True),
        ("", False),
        ("12 吉林", False),
        ("12 98000 1% 广西", False),
        ("12 98000 0.5% 山东", False),
    ],
)
def test_premium_notes_show_the_jining_same_month_rule_only_in_jining(assistant, text, jining):
    reply = assistant.outlets.premium(text, None).text
    assert ("同一个缴费月" in reply) == jining and ("四（二）" in reply) == jining
    assert ("劳社部函〔2004〕256号 一" in reply) != jining


# M12: 个人不缴纳 is 《工伤保险条例》第十条 for everyone; 济宁方案 is cited in 济宁 only.
@pytest.mark.parametrize(
    "text, jining", [("12 98000 0.5% 广西", False), ("广西", False), ("12 98000 济宁", True)]
)
def test_only_jining_is_told_jining_rules(assistant, text, jining):
    reply = assistant.outlets.premium(text, None).text
    assert "个人不缴纳工伤保险费" in reply and "《工伤保险条例》第十条" in reply
    assert ("济宁方案" in reply) == jining and ("两个网点的规则" in reply) == jining


def test_no_rate_known_asks_instead_of_guessing(assistant):
    text = assistant.outlets.premium("12 98000 吉林", None).text
    assert "还缺费率" in text and "五类行业" in text and "元/年 ×" not in text


@pytest.mark.parametrize(
    "body, key",
    [
        ('[premium."火星"]\nrate = 0.004\n', "premium.火星"),
        ('[premium."济宁"]\nrate = 4\n', "premium.济宁.rate"),
        ('[premium."济宁"]\nbase = "很多"\n', "premium.济宁.base"),
        ('[premium."济宁"]\nwage = 1\n', "premium.济宁.wage"),
        ('[premium]\n"济宁" = 0.004\n', "premium.济宁"),
        ("[privacy]\nlookup_retention_days = -1\n", "privacy.lookup_retention_days"),
        ("[privacy]\nlookup_retention_days = '30'\n", "privacy.lookup_retention_days"),
        ("[outlets]\nload_sample = 'no'\n", "outlets.load_sample"),
    ],
)
def test_bad_outlet_config_is_one_line_naming_the_key(tmp_path, body, key):
    out = run_cli("faq", "check", config=write_config(tmp_path, body))
    assert out.returncode == 2 and key in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_config_example_documents_and_loads_the_outlet_keys():
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    for key in (
        "lookup_retention_days",
        "[outlets]",
        "load_sample",
        '[premium."济宁"]',
        "rate",
        "base",
    ):
        assert key in text, key
    cfg = config_mod.load(ROOT / "config.example.toml")
    assert cfg.lookup_retention_days == 180 and cfg.load_sample_outlets is None  # not set
    assert (
        rule_for(cfg.premium, "济宁").rate == 0.004 and rule_for(cfg.premium, "济宁").base is None
    )


def test_l15_a_negative_headcount_is_refused():
    from bot.outlets.premium import parse_request

    assert "headcount" in parse_request("-3 98000").problems
    assert parse_request("3 98000").problems == []
