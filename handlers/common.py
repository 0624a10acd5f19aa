"""What every handler needs: the core from bot_data, the hashed user key, sending a Reply."""

from __future__ import annotations

import time
from typing import Any

from telegram import Bot, Update
from telegram.ext import ConversationHandler
from telegram.request import BaseRequest

from bot.assistant import Assistant
from bot.reply import FEEDBACK, PROMPT_TTL, SOURCE, Reply
from bot.storage.database import user_key
from handlers.context import Context

# The channel Telegram users come through: user_key's (persistence keys user data by it too)
# and the outlet lookups log's.
CHANNEL = "telegram"
CONVERSATION = "guide"  # the guides' ConversationHandler name (its persistence key)
PROMPT = "prompt"  # user_data key: what the next text answers, and until when
BUTTONS_PER_ROW = 2
# What send_message passes for a parameter left unset: Bot._post puts the bot's Defaults in.
UNSET = BaseRequest.DEFAULT_NONE
WIDE_LABEL = 9  # characters: a longer label gets a row of its own, or a phone cuts off its end


def assistant(context: Context) -> Assistant:
    core = context.bot_data.assistant
    assert core is not None  # set by handlers.app.build before any update is handled
    return core


def user_of(update: Update, context: Context) -> str | None:
    user = update.effective_user
    if user is None:
        return None
    return user_key(assistant(context).config.user_salt, CHANNEL, user.id)


def for_another_bot(update: Update, context: Context) -> bool:
    """/cmd@another_bot (in a group): not ours to answer."""
    text = update.effective_message.text if update.effective_message else None
    if not text or not text.startswith("/"):
        return False
    _, at, bot_name = text.split()[0].partition("@")
    return bool(at) and bot_name.lower() != (context.bot.username or "").lower()


def keyboard_json(reply: Reply) -> dict[str, Any] | None:
    """The reply's buttons as the Bot API reads them (what PTB's InlineKeyboardMarkup.to_dict()
    gives for the same rows: tests/test_jsonrequest.py), built straight from the (label, data)
    pairs: making PTB's button objects and turning them back into dicts cost about 0.1 ms per
    update (measured with `courier-bot bench`, README), as most keyboards are new (an answer's
    related topics vary with the question and the region)."""
    if not reply.buttons:
        return None
    rows = button_rows(reply)
    return {"inline_keyboard": [[{"callback_data": d, "text": t} for t, d in row] for row in rows]}


def button_rows(reply: Reply) -> list[list[tuple[str, str]]]:
    """The buttons in rows of up to two short ones; the source and 👍/👎 under an answer share one."""
    rows: list[list[tuple[str, str]]] = []
    for label, data in reply.buttons:
        last = rows[-1] if rows else []
        if data.startswith(FEEDBACK) and last and last[0][1].startswith(SOURCE):
            last.append((label, data))  # one row under an answer: 📄 查看原文 👍 👎
        elif (
            0 < len(last) < BUTTONS_PER_ROW
            and _short(label)
            and _short(last[0][0])
            and not data.startswith(SOURCE)
        ):
            last.append((label, data))
        else:
            rows.append([(label, data)])
    return rows


def _short(label: str) -> bool:
    """Whether a label shares a row: the differing end of a long one (同等责任) must show."""
    return len(label) <= WIDE_LABEL


async def send(update: Update, reply: Reply, context: Context | None = None) -> None:
    """Send a reply; with `context`, a reply that asks for something (the outlet's name) is
    remembered in the courier's user_data, persisted with an expiry (handlers/outlets.pending).
    In a forum group the reply goes to the topic it was asked in, not to General."""
    if update.effective_chat is None:  # a button on an inline message: no chat to answer in
        return
    chat, message = update.effective_chat, update.effective_message
    topic = message.message_thread_id if message and message.is_topic_message else None
    await post_message(chat.get_bot(), chat.id, reply.text, keyboard_json(reply), topic)
    if context is not None and reply.expects and context.user_data is not None:
        context.user_data[PROMPT] = {"expects": reply.expects, "until": time.time() + PROMPT_TTL}


async def post_message(
    bot: Bot, chat_id: int, text: str, markup: dict[str, Any] | None, topic: int | None = None
) -> None:
    """Chat.send_message's call, the same parameters, Defaults (HTML, no link preview) and rate
    limiter, without turning Telegram's answer into a Message: no handler reads it, and PTB's
    Message.de_json of an answer with its keyboard cost about 0.13 ms of an update's 2.4 ms of CPU
    (measured with `courier-bot bench`, README). It goes through Bot._post, the protected step
    every PTB send method ends in (constraints.txt pins PTB's version; tests/test_jsonrequest.py
    checks the call is the same). A failed call still raises as before: PTB checks the answer
    before returning it. Arbitrary callback data, which would need the Message, is off here."""
    data = {  # send_message's body, in its order (_post drops the parameters left None)
        "chat_id": chat_id,
        "text": text,
        "disable_notification": UNSET,
        "link_preview_options": UNSET,
        "message_thread_id": topic,
        "parse_mode": UNSET,
        "protect_content": UNSET,
        "reply_markup": markup,
    }
    await bot._post("sendMessage", data)


async def checkpoint(update: Update, context: Context, state: object) -> None:
    """Write the courier's user data and guide state before the reply goes out. PTB persists them
    only once the handler has returned, i.e. after the courier has seen the reply: a crash (kill -9)
    in between would forget what the courier saw taken. PTB writes the same values again later."""
    persistence = context.application.persistence
    user, chat = update.effective_user, update.effective_chat
    if persistence is None or user is None or chat is None:
        return
    assert context.user_data is not None  # PTB makes it for every update with a user
    await persistence.update_user_data(user.id, dict(context.user_data))
    # The ConversationHandler's key is (chat, user); None deletes an ended conversation.
    await persistence.update_conversation(
        CONVERSATION, (chat.id, user.id), None if state == ConversationHandler.END else state
    )
