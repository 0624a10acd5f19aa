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
