"""Webhook mode and the liveness endpoint, through real HTTP on 127.0.0.1."""

import dataclasses
import json
import socket

import httpx

from handlers import app as app_mod
from tests.support.telegram import halt

SECRET = "s3cret-token_1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def update(text: str, uid: int = 1) -> dict:
    return {
        "update_id": uid,
        "message": {
            "message_id": uid,
            "date": 0,
            "text": text,
            "chat": {"id": 7, "type": "private"},
            "from": {"id": 7, "is_bot": False, "first_name": "快递员"},
        },
    }


async def test_webhook_answers_and_checks_the_secret(api, config):
    hook_port, health_port = free_port(), free_port()
    cfg = dataclasses.replace(
        config, base_url=api.base_url, health_port=health_port, webhook_secret=SECRET
    )
    app = app_mod.build(cfg)
    await app.initialize()
    await app.post_init(app)
    await app.start()
    await app.updater.start_webhook(
        listen="127.0.0.1",
        port=hook_port,
        url_path="telegram",
        webhook_url="https://bot.example/telegram",
        secret_token=SECRET,
    )
    try:
        [hook] = await api.wait_for("setWebhook")
        assert hook.params["secret_token"] == SECRET
        url = f"http://127.0.0.1:{hook_port}/telegram"
        async with httpx.AsyncClient() as client:
            forged = await client.post(
                url, json=update("/start"), headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
            )
            assert forged.status_code == 403
            ok = await client.post(
                url,
                json=update("派件途中摔伤算工伤吗", 2),
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )
            assert ok.status_code == 200
            [reply] = await api.wait_for("sendMessage", chat_id=7)
            assert "依据" in reply.params["text"]
            health = await client.get(f"http://127.0.0.1:{health_port}/healthz")
            body = health.json()
            assert health.status_code == 200 and body["status"] == "ok" and body["updates"] >= 1
            assert (await client.get(f"http://127.0.0.1:{health_port}/other")).status_code == 404
        assert "7" not in json.dumps(body)
    finally:
        await halt(app)
