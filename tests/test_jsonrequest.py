"""Replies go to the Bot API as one UTF-8 JSON body (handlers/jsonrequest.py) through our own
connection pool (handlers/connections.py), via the real PTB Bot over HTTP to the fake Bot API;
uploads and text UTF-8 cannot hold go PTB's own way, and so does everything behind a proxy."""

import asyncio
import contextlib
import datetime
import json
import ssl
from ipaddress import IPv4Address

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from telegram import (
    Bot,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
)
from telegram.constants import ParseMode
from telegram.error import NetworkError
from telegram.ext import Defaults, ExtBot
from telegram.request import RequestData

from bench.fakeapi import TOKEN, FakeBotAPI
from bot.reply import Reply
from handlers.common import button_rows, keyboard_json, post_message
from handlers.jsonrequest import JsonRequest


def _ptb_markup(reply: Reply) -> InlineKeyboardMarkup:
    """The reply's buttons as PTB's own objects, in our rows: what keyboard_json must equal."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t, callback_data=d) for t, d in row] for row in button_rows(reply)]
    )


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


async def test_a_reply_is_the_call_chat_send_message_makes():
    """handlers.common.post_message skips PTB's Message parsing of the answer, not anything sent:
    the same parameters, with the bot's Defaults (HTML, no link preview), as Chat.send_message,
    and the keyboard as PTB would turn its own markup into JSON."""
    api = await FakeBotAPI().start()
    defaults = Defaults(
        parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
    )
    try:
        bot = ExtBot(TOKEN, base_url=api.base_url, request=JsonRequest(), defaults=defaults)
        await bot.initialize()
        reply = Reply(
            "工伤<b>认定</b>",
            buttons=[("📄 查看原文", "src:a"), ("👍", "fb:up:a"), ("认定时限", "faq:b")],
        )
        chat = Chat(42, "private")
        chat.set_bot(bot)
        await chat.send_message(reply.text, reply_markup=_ptb_markup(reply))
        await post_message(bot, 42, reply.text, keyboard_json(reply))
        ptb, ours = api.sent("sendMessage")
        assert ours.params == ptb.params and ours.content_type == ptb.content_type
        assert json.loads(ours.params["link_preview_options"]) == {"is_disabled": True}
        assert ours.params["parse_mode"] == "HTML"
        await bot.shutdown()
    finally:
        await api.stop()


PROXY_VARIABLES = [
    f"{scheme}_{kind}" for scheme in ("http", "https", "all", "no") for kind in ("proxy", "PROXY")
]


def _without_proxies(monkeypatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def _pooled(monkeypatch) -> JsonRequest:
    """A JsonRequest that goes through our pool (no proxy in the environment), checked to."""
    _without_proxies(monkeypatch)
    request = JsonRequest()
    assert request._pool is not None
    return request


OK = b'HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n{"ok":true}'


async def _read_request(reader: asyncio.StreamReader) -> int:
    """Read one request off the connection; its body's length."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(h.split(b":")[1])
        for h in head.split(b"\r\n")
        if h.lower().startswith(b"content-length")
    )
    await reader.readexactly(length)
    return length


async def _closing_server(answered: list[int]) -> asyncio.Server:
    """Answers each request on a connection, then closes it without saying so (no
    "Connection: close"), as a server does when a kept-alive connection times out."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        answered.append(await _read_request(reader))
        writer.write(OK)
        await writer.drain()
        writer.close()

    return await asyncio.start_server(serve, "127.0.0.1", 0)


async def test_a_connection_the_server_closed_is_not_used_again(monkeypatch):
    """Our pool's cheap "is it readable?" (handlers/connections.py) must still see an idle
    connection the server has closed: the next call opens a new one instead of failing."""
    answered: list[int] = []
    server = await _closing_server(answered)
    port = server.sockets[0].getsockname()[1]
    request = _pooled(monkeypatch)
    await request.initialize()
    try:
        data = RequestData()  # no parameters: the body "{}", through our pool
        for _ in range(3):
            status, body = await request.do_request(f"http://127.0.0.1:{port}/x", "POST", data)
            assert (status, body) == (200, b'{"ok":true}')
            await asyncio.sleep(0.05)  # the server has closed the connection by now
        assert len(answered) == 3
    finally:
        await request.shutdown()
        server.close()
        await server.wait_closed()


async def test_behind_a_proxy_calls_go_through_httpx(monkeypatch):
    """A proxy in the environment is httpx's to use: our own pool would go around it. The proxy
    here is down, so the call fails, and the fake Bot API gets nothing."""
    for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")  # the discard port: nothing listens
    api = await FakeBotAPI().start()
    try:
        bot = Bot(TOKEN, base_url=api.base_url, request=JsonRequest())
        with pytest.raises(NetworkError, match="ConnectError"):
            await bot.initialize()  # its getMe goes to the proxy
        assert api.calls == []
    finally:
        await api.stop()


def _self_signed(folder) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and its key, as PEM files in `folder`."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    start = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=36500))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_file), str(key_file)


@pytest.mark.parametrize("trusted", [True, False])
async def test_over_tls_our_pool_checks_the_certificate(tmp_path, monkeypatch, trusted):
    """Telegram is reached over HTTPS: our pool does TLS with httpx's context, so a certificate
    the machine trusts is used (one connection, kept alive) and any other refused."""
    cert_file, key_file = _self_signed(tmp_path)
    if trusted:  # httpx's context reads SSL_CERT_FILE, as for PTB's own client
        monkeypatch.setenv("SSL_CERT_FILE", cert_file)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    connections: list[int] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:  # until the client closes the connection
                await _read_request(reader)
                writer.write(OK)
                await writer.drain()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=context)
    url = f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}/x"
    request = _pooled(monkeypatch)
    await request.initialize()
    try:
        if trusted:
            for _ in range(2):
                assert await request.do_request(url, "POST", RequestData()) == (200, b'{"ok":true}')
            assert len(connections) == 1
        else:
            with pytest.raises(NetworkError, match="CERTIFICATE_VERIFY_FAILED"):
                await request.do_request(url, "POST", RequestData())
    finally:
        await request.shutdown()
        server.close()
        await server.wait_closed()


def test_no_proxy_alone_keeps_our_pool(monkeypatch):
    """NO_PROXY (common in containers) names hosts to reach directly: no proxy is in use."""
    _without_proxies(monkeypatch)
    monkeypatch.setenv("no_proxy", "localhost,127.0.0.1")
    assert JsonRequest()._pool is not None
    monkeypatch.setenv("https_proxy", "http://127.0.0.1:9")
    assert JsonRequest()._pool is None
