"""Reminders that keep their word (walkthrough M6, M7, L9): the offer promises exactly the reminders
plan() stores, states the hour they go out, a deadline today gets no offer, cancelling names what
was cancelled, and a stale "不用了" tells what is still set. The clock is fixed everywhere."""

from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest

from bot import dates
from bot.dates import CHINA, Deadline
from bot.guides import reminders
from bot.guides.reminders import AT, Reminders
from bot.render import plain
from bot.storage.database import Storage, user_key
from handlers import reminders as chat_reminders
from tests.support.telegram import buttons, step

TODAY = date(2026, 11, 30)  # a Monday; no holiday moves the deadlines below
MORNING, NOON = (datetime(2026, 11, 30, h, tzinfo=CHINA) for h in (8, 12))  # before/after 09:00
HOUR = f"{AT:%H:%M}"


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


# (moment, days until the last day, the days reminders go out, the line said instead of an offer)
CASES = [
    (MORNING, 0, [], "今天（2026年11月30日）就是最后一天，请今天去办"),
    (NOON, 0, [], "今天（2026年11月30日）就是最后一天，请今天去办"),
    (MORNING, 1, [days(0)], None),  # the 1-day reminder is at 09:00 today, still ahead
    (NOON, 1, [], "明天（2026年12月1日）就是最后一天"),
    (NOON, 3, [days(2)], None),  # never a 7-day reminder for a deadline 3 days away
    (MORNING, 7, [days(0), days(6)], None),
    (NOON, 7, [days(6)], None),
    (NOON, 20, [days(13), days(19)], None),
]


@pytest.mark.parametrize("moment, left, dues, instead", CASES)
def test_offer_promises_exactly_what_plan_stores(storage, config, moment, left, dues, instead):
    deadline = Deadline("employer_apply", days(left), TODAY)
    offer = reminders.offer([deadline], moment)
    text = plain(reminders.text("reminders_offer", o=offer))
    assert offer.items == [(deadline, dues)]
    stored = Reminders(storage, config.user_salt).plan([deadline], 1, "u", moment)
    assert [reminders.describe(r)["due"] for r in stored] == dues
    assert all(reminders.due_at(r).astimezone(CHINA).time() == AT for r in stored)
    for day in dues:
        assert day.strftime("%Y年%-m月%-d日") in text
    assert ("要不要我在到期前提醒你" in text) == bool(dues)
    assert (f"北京时间{HOUR}" in text) == bool(dues)
    assert "7天前" not in text and "1天前" not in text
    if instead:
        assert instead in text and "来不及提前提醒" in text


def test_offer_leaves_out_passed_deadlines_and_names_itself_by_its_deadlines():
    passed = Deadline("employer_apply", days(-1), TODAY)
    near, far = Deadline("reassess", TODAY, TODAY), Deadline("self_apply", days(300), TODAY)
    offer = reminders.offer([passed, near, far], NOON)
    assert [d for d, _ in offer.items] == [near, far] and offer.remindable == [far]
    assert offer.token == reminders.offer([far], MORNING).token
    assert offer.token != reminders.offer([near, Deadline("self_apply", days(301), TODAY)], NOON)


@pytest.mark.parametrize(
    "stored, token, expected",
    [
        (None, "0000abcd", None),  # nothing offered (declined offers stay; taken ones go)
        ({"token": "0000abcd", "deadlines": [["reassess", "2026-12-05"]]}, "0000abcd", 1),
        ({"token": "0000abcd", "deadlines": [["reassess", "2026-12-05"]]}, "1111abcd", None),
        ({"token": "0000abcd", "deadlines": [["reassess", "2026-12-05"]]}, None, 1),  # old button
        ([["reassess", "2026-12-05"]], None, 1),  # kept by the version without tokens
        ([["reassess", "2026-12-05"]], "0000abcd", None),
    ],
)
def test_a_button_belongs_to_the_latest_offer_only(monkeypatch, stored, token, expected):
    monkeypatch.setattr(chat_reminders, "clock", lambda: NOON)
    user_data = {} if stored is None else {chat_reminders.OFFERED: stored}
    found = chat_reminders._current(SimpleNamespace(user_data=user_data), token)
    assert (found and len(found)) == expected
    if found:
        assert found == [Deadline("reassess", date(2026, 12, 5), TODAY)]


# --- through the real Application and the fake Bot API ------------------------------------------
@pytest.fixture
def fixed_clock(monkeypatch):
    """The guides' today and the reminders' now: noon in China on TODAY."""
    monkeypatch.setattr(dates, "today", lambda: TODAY)
    monkeypatch.setattr(chat_reminders, "clock", lambda: NOON)


async def injury(api, n: int, accident: date):
    """Walk /injury (the outlet has not applied) from reply n; returns the offer message."""
    actions = [
        "/injury",
        "g:what:at_work",
        accident.isoformat(),
        "g:exclusion:no",
        "g:employer_applied:no",
        "g:insured:yes",
        "g:outlet_kind:licensed",
    ]
    for i, action in enumerate(actions):
        await step(api, n + i, action)
    api.callback("g:region:济宁")
    return (await api.wait_for("sendMessage", n + len(actions) + 1))[-1]


async def test_m6_a_deadline_today_gets_no_offer(telegram, fixed_clock):
    api = telegram
    actions = ["/assess", "g:decision:yes", "g:stable:yes", "g:stage:concluded"]
    for n, action in enumerate(actions + [days(-15).isoformat()], 1):
        await step(api, n, action)
    api.callback("g:grade:7")
    api.callback("g:region:济宁")
    result, note = (await api.wait_for("sendMessage", 8))[-2:]
    assert "2026年11月30日" in result.params["text"]  # the result gives the date itself
    assert "今天（2026年11月30日）就是最后一天，请今天去办" in note.params["text"]
    assert "要不要我" not in note.params["text"] and buttons(note) == []
    stale = await step(api, 9, "rem:add")  # an old offer's button, before tokens
    assert "没有待发送的提醒" in stale.params["text"]


async def test_a_deadline_three_days_away_gets_only_the_1_day_reminder(
    telegram, config, fixed_clock
):
    api = telegram
    offer = await injury(api, 1, days(-27))  # the outlet's 30 days end on 12-03
    text = offer.params["text"]
    assert "网点（单位）申请工伤认定（最晚 2026年12月3日）：2026年12月2日\n" in text
    assert "2026年11月26日" not in text and f"北京时间{HOUR}" in text
    add, _ = buttons(offer)
    done = await step(api, 10, add)
    assert "已经设好3个提醒" in done.params["text"]
    key = user_key(config.user_salt, "telegram", 42)
    dues = [
        r["due"]
        for r in map(
            reminders.describe, Reminders(Storage(config.database), config.user_salt).pending(key)
        )
    ]
    assert dues == [days(2), date(2027, 10, 27), date(2027, 11, 2)]


async def test_m7_a_stale_no_tells_what_is_still_set(telegram, fixed_clock):
    api = telegram
    first = await injury(api, 1, days(-10))
    add, no = buttons(first)
    assert "已经设好4个提醒" in (await step(api, 10, add)).params["text"]
    for n, press in enumerate([no, "rem:no", add], 11):  # the same offer's buttons, and an old one
        reply = (await step(api, n, press)).params["text"]
        assert "你已经设好了4个提醒，都还在" in reply and "/reminders" in reply
        assert "不提醒" not in reply
    second = await injury(api, 14, days(-20))
    add2, no2 = buttons(second)
    older = (await step(api, 23, no)).params["text"]
    assert "之前那条消息的按钮" in older and "你已经设好了4个提醒" in older
    declined = (await step(api, 24, no2)).params["text"]
    assert "好的，不提醒" in declined and "你之前设的4个提醒还在" in declined
    changed = (await step(api, 25, add2)).params["text"]  # changed their mind: still works
    assert "已经设好4个提醒" in changed and "一共有8个提醒" in changed


async def test_l9_cancelling_names_the_reminder_and_what_is_left(telegram, fixed_clock):
    api = telegram
    add, _ = buttons(await injury(api, 1, days(-27)))
    await step(api, 10, add)
    listing = await step(api, 11, "/reminders")
    assert f"都在那天北京时间{HOUR}发" in listing.params["text"]
    first = next(b for b in buttons(listing) if b.startswith("rem:cancel:"))
    done = (await step(api, 12, first)).params["text"]
    assert "已取消2026年12月2日的提醒（网点（单位）申请工伤认定，最晚 2026年12月3日）" in done
    assert "你还有2个提醒" in done
    again = (await step(api, 13, first)).params["text"]
    assert "2026年12月2日的提醒" in again and "之前已经取消了" in again
    forged = (await step(api, 14, "rem:cancel:999")).params["text"]
    assert "这个提醒已经发过或取消过了" in forged
