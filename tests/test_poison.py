"""An update PTB cannot parse (a field another Bot API version leaves out) is skipped and logged
once by kind; the updates around it are answered (issue 10, item 8)."""

import logging

from handlers.polling import _parsable


async def test_an_unparsable_update_between_two_messages_does_not_stop_the_bot(telegram, caplog):
    caplog.set_level(logging.WARNING, logger="courier_bot.updates")
    telegram.message("你好")
    # A poll without the fields PTB 22 requires: PTB cannot parse this update.
    telegram.push("poll", {"id": "p1", "question": "q"})
    telegram.message("谢谢")
    calls = await telegram.wait_for("sendMessage", count=2)
    texts = [c.params["text"] for c in calls]
    assert any("不客气" in t for t in texts)
    skipped = [r for r in caplog.records if "unparsable_update" in r.getMessage()]
    assert len(skipped) == 1 and '"poll"' in skipped[0].getMessage()
    assert "q" not in skipped[0].getMessage().replace("unparsable", "")  # no content logged


def test_a_parsable_update_is_kept_as_it_is():
    update = {
        "update_id": 7,
        "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, "text": "hi"},
    }
    assert _parsable(update) is update
    assert _parsable({"update_id": 8, "poll": {"id": "x"}}) == {"update_id": 8}
