"""Replies go to the Bot API as one UTF-8 JSON body (handlers/jsonrequest.py), through the real
PTB Bot over HTTP to the fake Bot API; uploads and text UTF-8 cannot hold go PTB's own way."""

import json

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import NetworkError

from bench.fakeapi import TOKEN, FakeBotAPI
from handlers.jsonrequest import JsonRequest


async def _bot(api: FakeBotAPI) -> Bot:
    bot = Bot(TOKEN, base_url=api.base_url, request=JsonRequest())
    await bot.initialize()
    return bot


async def test_a_reply_with_buttons_is_one_json_body():
    api = await FakeBotAPI().start()
    try:
        bot = await _bot(api)
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton("📄 查看原文", callback_data="src:x")]]
        )
        await bot.send_message(42, "工伤认定：单位30日内申请", reply_markup=keyboard)
        [call] = api.sent("sendMessage")
        assert call.content_type == "application/json"
        assert call.params["text"] == "工伤认定：单位30日内申请"
        markup = json.loads(call.params["reply_markup"])
        assert markup["inline_keyboard"][0][0]["callback_data"] == "src:x"
        await bot.shutdown()
    finally:
        await api.stop()


async def test_uploads_and_lone_surrogates_go_ptbs_own_way():
    """An upload is multipart as PTB sends it; text UTF-8 cannot hold (a lone surrogate) fails
    as it does without this class, as PTB's NetworkError the bot's error handler expects."""
    api = await FakeBotAPI().start()
    try:
        bot = await _bot(api)
        await bot.send_document(42, InputFile(b"%PDF-1.4", filename="清单.pdf"))
        [upload] = api.sent("sendDocument")
        assert upload.content_type == "multipart/form-data" and upload.files
        with pytest.raises(NetworkError):
            await bot.send_message(42, "坏字符\ud83d")
        assert api.sent("sendMessage") == []
        await bot.shutdown()
    finally:
        await api.stop()
