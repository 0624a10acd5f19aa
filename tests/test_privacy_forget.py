"""/forgetme (M14): it asks first, and its reply counts what the courier could see."""

from bot.guides.reminders import Reminders
from bot.handoff_chats import chat_key
from bot.storage.database import user_key
from bot.storage.sealed import seal
from handlers import guide, privacy
from tests.support.telegram import buttons, step

YES, NO = "forget:yes", "forget:no"


def add_reminders(storage, key: str, *statuses: str) -> None:
    storage.db.table("reminders").insert_all(
        {
            "chat_id": 42,
            "user_key": key,
            "deadline_key": "employer",
            "last_day": "2027-01-01",
            "days_before": n,
            "due_at": "2026-12-01T01:00:00+00:00",
            "status": status,
            "created_at": "2026-11-01T00:00:00+00:00",
        }
        for n, status in enumerate(statuses)
    )


def test_forget_reports_pending_reminders_and_a_region_only_if_set(storage):
    add_reminders(storage, "k", "pending", "pending", "cancelled", "sent")
    removed = storage.forget("k")
    assert len(removed["pending"]) == 2 and len(removed["reminder_ids"]) == 4
    assert removed["region"] is False
    assert not list(storage.db["reminders"].rows_where("user_key = ?", ["k"]))
    storage.set_region("k", "广西")
    assert storage.forget("k")["region"] is True and storage.forget("k")["region"] is False


def test_forget_closes_the_chats_tickets_and_drops_their_links(storage):
    """The chat is what ties a courier to a ticket: found by its hash (the id is sealed), the
    link goes, and their tickets close."""
    db = storage.db
    for ticket, chat, status in (
        ("AAAAAA", 42, "open"),
        ("BBBBBB", 42, "answered"),
        ("CCCCCC", 42, "expired"),  # closed already (its link is normally gone by then)
        ("DDDDDD", 43, "open"),  # another courier's
    ):
        tid = db.table("handoff_tickets").insert({"ticket": ticket, "status": status}).last_pk
        db.table("handoff_chats").insert(
            {
                "ticket_id": tid,
                "chat_key": chat_key("salt", chat),
                "sealed_chat": seal("salt", chat),
            }
        )
    assert storage.forget("k", chat_key("salt", 42))["tickets"] == 2
    statuses = {r["ticket"]: r["status"] for r in db.table("handoff_tickets").rows}
    assert statuses == {"AAAAAA": "closed", "BBBBBB": "closed", "CCCCCC": "expired"} | {
        "DDDDDD": "open"
    }
    assert [r["chat_key"] for r in db.table("handoff_chats").rows] == [chat_key("salt", 43)]
    assert storage.forget("k", chat_key("salt", 42))["tickets"] == 0


async def test_forgetme_asks_then_counts_what_the_courier_saw(telegram, config, storage):
    key = user_key(config.user_salt, "telegram", 42)
    add_reminders(storage, key, "pending", "pending", "pending", "cancelled")  # /reminders: 3
    ask = await step(telegram, 1, "/forgetme")
    assert "确定要删除吗" in ask.params["text"] and buttons(ask) == [YES, NO]
    assert len(Reminders(storage, config.user_salt).pending(key)) == 3  # nothing gone before "yes"
    done = await step(telegram, 2, YES)
    text = done.params["text"]
    assert "3个提醒" in text and "地区设置" not in text and "进行中的指引" not in text
    assert not list(storage.db["reminders"].rows_where("user_key = ?", [key]))
    again = await step(telegram, 3, YES)  # the same button pressed twice
    assert "没有你的记录" in again.params["text"] and "已经删掉" not in again.params["text"]


async def test_no_keeps_everything_and_yes_names_the_region(telegram, config, storage):
    key = user_key(config.user_salt, "telegram", 42)
    await step(telegram, 1, "/region 济宁")
    await step(telegram, 2, "/forgetme")
    kept = await step(telegram, 3, NO)
    assert "没有删除" in kept.params["text"] and storage.region(key) == "济宁"
    await step(telegram, 4, "/forgetme")
    done = await step(telegram, 5, YES)
    assert "地区设置" in done.params["text"] and "提醒" not in done.params["text"]
    assert storage.region(key) is None


async def test_mid_guide_no_goes_on_and_yes_ends_the_guide(telegram):
    await step(telegram, 1, "/injury")
    ask = await step(telegram, 2, "/forgetme")
    assert buttons(ask) == [YES, NO]
    await step(telegram, 3, NO)
    assert "第2步" in (await step(telegram, 4, "1")).params["text"]  # still in the guide
    await step(telegram, 5, "/forgetme")
    done = await step(telegram, 6, YES)
    assert "进行中的指引" in done.params["text"]
    after = await step(telegram, 7, "派件途中摔伤算工伤吗")  # a question again, not guide input
    assert "依据" in after.params["text"]


def test_privacy_knows_where_the_guide_keeps_its_session():
    assert privacy.GUIDE_SESSION == guide.SESSION
