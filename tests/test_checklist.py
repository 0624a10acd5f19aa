"""Checklist rendering against golden files (set UPDATE_GOLDEN=1 to rewrite them after a deliberate change)."""

import os
from datetime import date
from pathlib import Path

import pytest

from bot.guides.engine import Engine, load_guides
from bot.guides.flow import GuideFlow
from bot.render import plain

GOLDEN = Path(__file__).parent / "data" / "golden"
TODAY = date(2026, 11, 23)
SCENARIOS = {
    "injury_commute": (
        "injury",
        ["commute", "2026-10-01", "minor", "no", "no", "unknown", "filed", "济宁"],
    ),
    "assess_concluded": ("assess", ["yes", "yes", "concluded", "2026-11-20", "7", "吉林"]),
}


def finish(guide, inputs):
    flow = GuideFlow(Engine(load_guides()))
    reply, session = flow.start(guide)
    for text in inputs:
        reply, session = flow.answer(session, text, today=TODAY)
    return reply


@pytest.mark.parametrize("name", SCENARIOS)
def test_checklist_matches_golden(name):
    reply = finish(*SCENARIOS[name])
    outputs = {
        f"{name}.txt": plain(reply.text) + "\n",
        f"{name}.html": reply.document[1].decode("utf-8"),
    }
    for file, actual in outputs.items():
        path = GOLDEN / file
        if os.environ.get("UPDATE_GOLDEN"):
            path.write_text(actual, encoding="utf-8")
        assert actual == path.read_text(encoding="utf-8"), f"{file} differs from the golden file"


def test_checklist_file_is_a_printable_utf8_page():
    html = finish(*SCENARIOS["injury_commute"]).document[1].decode("utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in html
    assert "@media print" in html and html.count("<li>") >= 4
    assert "<script" not in html


@pytest.mark.parametrize(
    ("name", "facts"),
    [
        (
            "injury_commute",
            [
                ("事故情形", "上下班途中遇到交通事故或轨道交通、轮渡、火车事故"),
                ("事故日期", "2026年10月1日"),
                ("地区", "山东省济宁市"),
            ],
        ),
        (
            "assess_concluded",
            [
                ("鉴定进度", "已经拿到鉴定结论"),
                ("收到鉴定结论日期", "2026年11月20日"),
                ("伤残等级", "七级"),
                ("地区", "吉林省"),
            ],
        ),
    ],
)
def test_checklist_file_records_the_situation_then_tick_boxes_then_body(name, facts):
    """Walkthrough L14: a "你的情况" header with the answers the file was built from, and the
    tick-box list ahead of the explanations, so an A4 print has the boxes on page 1."""
    html = finish(*SCENARIOS[name]).document[1].decode("utf-8")
    case = html.index("<h2>你的情况</h2>")
    for heading, value in facts:
        assert f"<dt>{heading}</dt><dd>{value}</dd>" in html[case:]
    ticks, body = html.index('<ul class="check">'), html.index('<div class="body">')
    assert case < ticks < body
    assert "生成日期" in html[:case] and '<div class="sec">' not in html[:body]
    assert "@page { size: A4; margin: 12mm; }" in html


def test_checklist_situation_names_a_diagnosis_day_for_occupational_disease():
    flow = GuideFlow(Engine(load_guides()))
    outcome = finish("injury", ["disease", "2026-09-01", "no", "no", "yes", "licensed", "上海"])
    rows = dict(flow.situation(outcome.outcome))
    assert rows["diagnosis_day"] == date(2026, 9, 1) and rows["region"] == "上海市"
    assert "date" not in rows
