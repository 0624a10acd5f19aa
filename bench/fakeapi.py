"""A small fake Telegram Bot API server on 127.0.0.1, for tests and the benchmark.

The real python-telegram-bot Application talks HTTP to it (PTB's `base_url`): it hands out
queued updates through getUpdates long polling and records every method the bot calls.
Standard library only, so `courier-bot bench` needs no test dependencies.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.parser
import email.policy
import itertools
import json
import random
import time
import urllib.parse
from collections import Counter, deque
from dataclasses import dataclass, field

BOT_USER = {
    "id": 1000,
    "is_bot": True,
    "first_name": "工伤助手",
    "username": "courier_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
TOKEN = "1000:TEST"


@dataclass
class Call:
    method: str
    params: dict
    files: dict = field(default_factory=dict)  # field name -> (filename, bytes)
    at: float = field(default_factory=time.perf_counter)
    result: object = None  # what the server answered (a sent message: its message_id)
    content_type: str = ""  # how the body came: JSON, a form or multipart


FAULTS = ("429", "500", "502", "timeout", "drop")


class FakeBotAPI:
    """`faults` maps a kind in FAULTS to the share of calls (other than getUpdates) that fail that
    way. A failed call is not carried out, as when Telegram rejects it, so a retry is safe."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: dict | None = None,
        seed: int = 7,
        retry_after: int = 1,
        stall: float = 2.0,
        latency: float = 0.0,
    ):
        self.host, self.port = host, port
        self.faults = dict(faults or {})
        self.injected: Counter = Counter()  # fault kind -> times injected
        self._rng = random.Random(seed)
        self.retry_after, self.stall = retry_after, stall
        self.latency = latency  # seconds before each answer (not getUpdates): a network round trip
        self.calls: list[Call] = []
        self.counts: Counter = Counter()  # method -> calls so far
        self._updates: deque[dict] = deque()
        self._new_update = asyncio.Event()
        self._new_call = asyncio.Event()
        self._ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._server: asyncio.base_events.Server | None = None
        self._handlers: set[asyncio.Task] = set()
        self.delivered_at: dict[int, float] = {}  # update_id -> when getUpdates handed it out

    # --- lifecycle ----------------------------------------------------------------------------
    async def start(self) -> FakeBotAPI:
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server:
            self._server.close()
            for task in list(self._handlers):
                task.cancel()
            await asyncio.gather(*self._handlers, return_exceptions=True)
            await self._server.wait_closed()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/bot"

    # --- queueing updates ---------------------------------------------------------------------
    def push(self, kind: str, payload: dict) -> int:
        uid = next(self._ids)
        self._updates.append({"update_id": uid, kind: payload})
        self._new_update.set()
        return uid

    def message(
        self,
        text: str | None = None,
        chat_id: int = 42,
        user_id: int = 42,
        chat_type: str = "private",
        **extra,
    ) -> int:
        msg = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": chat_type},
            "from": {"id": user_id, "is_bot": False, "first_name": "快递员"},
            **extra,
        }
        if text is not None:
            msg["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self.push("message", msg)

    def sticker(self, chat_id: int = 42, user_id: int = 42) -> int:
        sticker = {
            "file_id": "st1",
            "file_unique_id": "st1u",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        }
        return self.message(None, chat_id, user_id, sticker=sticker)

    def photo(self, chat_id: int = 42, user_id: int = 42) -> int:
        photo = [{"file_id": "ph1", "file_unique_id": "ph1u", "width": 90, "height": 90}]
        return self.message(None, chat_id, user_id, photo=photo)

    def callback(
        self,
        data: str,
        chat_id: int = 42,
        user_id: int = 42,
        chat_type: str = "private",
        **message_fields,
    ) -> int:
        """A button pressed on one of the bot's messages; `message_fields` (message_id,
        reply_markup …) describe that message, else it is a new one."""
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": chat_type},
            "from": BOT_USER,
            "text": "…",
            **message_fields,
        }
        query = {
            "id": str(next(self._ids)),
            "chat_instance": "ci",
            "data": data,
            "message": message,
            "from": {"id": user_id, "is_bot": False, "first_name": "快递员"},
        }
        return self.push("callback_query", query)

    # --- waiting for the bot ------------------------------------------------------------------
    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == method
            and (chat_id is None or str(c.params.get("chat_id")) == str(chat_id))
        ]

    async def wait_for(
        self,
        method: str = "sendMessage",
        count: int = 1,
        chat_id: int | None = None,
        timeout: float = 10.0,
    ) -> list[Call]:
        """Wait until the bot has called `method` at least `count` times; return those calls."""
        deadline = time.monotonic() + timeout
        while (self.counts[method] if chat_id is None else len(self.sent(method, chat_id))) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(
                    f"bot called {method} {len(self.sent(method, chat_id))} times, "
                    f"expected {count}; calls: {[c.method for c in self.calls]}"
                )
            self._new_call.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_call.wait(), remaining)
        return self.sent(method, chat_id)

    # --- the Bot API ----------------------------------------------------------------------------
    async def _get_updates(self, params: dict) -> list[dict]:
        offset = int(params.get("offset") or 0)
        while self._updates and self._updates[0]["update_id"] < offset:
            self._updates.popleft()  # confirmed by the bot
        timeout = float(params.get("timeout") or 0)
        if not self._updates and timeout > 0:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout)
        batch = list(itertools.islice(self._updates, int(params.get("limit") or 100)))
        moment = time.perf_counter()
        for u in batch:
            self.delivered_at.setdefault(u["update_id"], moment)
        return batch

    def _message_result(self, params: dict, **extra) -> dict:
        chat_id = int(params.get("chat_id", 0))
        result = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
            **extra,
        }
        if "text" in params:
            result["text"] = params["text"]
        return result

    async def _dispatch(self, method: str, params: dict, files: dict):
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            return await self._get_updates(params)
        if method in ("sendMessage", "editMessageText"):
            return self._message_result(params)
        if method == "sendDocument":
            name = next(iter(files.values()), ("file", b""))[0]
            doc = {"file_id": "doc1", "file_unique_id": "doc1u", "file_name": name}
            return self._message_result(params, document=doc)
        return True

    async def _fail(self, method: str, writer: asyncio.StreamWriter) -> bool:
        """Maybe inject a fault instead of answering; True if one was injected."""
        roll, kind = self._rng.random(), None
        for name, share in self.faults.items():
            if roll < share:
                kind = name
                break
            roll -= share
        if kind is None:
            return False
        self.injected[kind] += 1
        if kind == "429":
            _write_json(
                writer,
                {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {self.retry_after}",
                    "parameters": {"retry_after": self.retry_after},
                },
                status=429,
            )
        elif kind in ("500", "502"):
            _write_json(
                writer,
                {
                    "ok": False,
                    "error_code": int(kind),
                    "description": "Internal Server Error" if kind == "500" else "Bad Gateway",
                },
                status=int(kind),
            )
        elif kind == "timeout":
            await asyncio.sleep(self.stall)  # longer than the bot's read timeout
            writer.close()
        else:  # "drop": hang up without a word
            writer.close()
        await writer.drain()
        return True

    # --- HTTP plumbing ----------------------------------------------------------------------------
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._handlers.add(asyncio.current_task())
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    break
                path, headers, body = request
                method = path.rstrip("/").rsplit("/", 1)[-1].split("?")[0]
                params, files = _parse_body(headers, body)
                if method != "getUpdates" and await self._fail(method, writer):
                    if writer.is_closing():
                        break
                    continue
                result = await self._dispatch(method, params, files)
                if method != "getUpdates" and self.latency:
                    await asyncio.sleep(self.latency)
                if method != "getUpdates":
                    kind = headers.get("content-type", "").split(";")[0]
                    self.calls.append(Call(method, params, files, result=result, content_type=kind))
                    self.counts[method] += 1
                    self._new_call.set()
                _write_json(writer, {"ok": True, "result": result})
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # the client went away, or the server is stopping
        finally:
            self._handlers.discard(asyncio.current_task())
            writer.close()


async def _read_request(reader: asyncio.StreamReader):
    line = await reader.readline()
    if not line:
        return None
    _, path, _ = line.decode("latin-1").split(" ", 2)
    headers = {}
    while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", 0)))
    if "?" in path:
        body = body or path.split("?", 1)[1].encode()
    return path, headers, body


def _parse_body(headers: dict, body: bytes) -> tuple[dict, dict]:
    kind = headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + kind.encode() + b"\r\n\r\n" + body
        )
        params, files = {}, {}
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            data = part.get_payload(decode=True) or b""
            if part.get_filename():
                files[name] = (part.get_filename(), data)
            else:
                params[name] = data.decode("utf-8")
        return params, files
    if kind.startswith("application/json"):
        # As the Bot API does, take an object either nested or as a JSON string (form style);
        # tests read every object parameter (reply_markup) as its JSON string.
        params = json.loads(body or b"{}")
        return {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}, {}
    return {k: v[-1] for k, v in urllib.parse.parse_qs(body.decode("utf-8")).items()}, {}


_REASONS = {200: "OK", 429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway"}


def _write_json(writer: asyncio.StreamWriter, payload: dict, status: int = 200) -> None:
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    head = f"HTTP/1.1 {status} {_REASONS[status]}\r\nContent-Type: application/json\r\n"
    writer.write(head.encode() + b"Content-Length: " + str(len(data)).encode() + b"\r\n\r\n" + data)


def serve_burst(
    conn, messages: list[tuple[int, str]], timeout: float = 120.0, latency: float = 0.0
) -> None:
    """Benchmark server, run in its own process so its work does not share the bot's CPU:
    sends its base_url through `conn`, queues every (courier id, text) message at once, and when
    each has its reply (or the time is up) sends back throughput, latency and lost replies."""

    async def main() -> None:
        api = await FakeBotAPI(latency=latency).start()
        conn.send(api.base_url)
        asked: dict[int, list[int]] = {}
        for courier, text in messages:
            asked.setdefault(courier, []).append(
                api.message(text, chat_id=courier, user_id=courier)
            )
        with contextlib.suppress(TimeoutError):
            await api.wait_for("sendMessage", len(messages), timeout=timeout)
        answered: dict[int, list[float]] = {}
        for call in api.sent("sendMessage"):
            answered.setdefault(int(call.params["chat_id"]), []).append(call.at)
        latencies = sorted(
            (at - api.delivered_at[uid]) * 1000
            for courier, uids in asked.items()
            for uid, at in zip(uids, answered.get(courier, []), strict=False)
        )
        replies = [at for ats in answered.values() for at in ats]
        first = min(api.delivered_at.values())
        conn.send(
            {
                "updates": len(messages),
                "couriers": len(asked),
                "lost": len(messages) - len(latencies),
                "doubled": sum(
                    max(0, len(answered.get(c, [])) - len(uids)) for c, uids in asked.items()
                ),
                "per_s": len(latencies) / (max(replies) - first),
                "p50_ms": latencies[len(latencies) // 2],
                "p95_ms": latencies[int(len(latencies) * 0.95) - 1],
                "max_ms": latencies[-1],  # the longest any courier waited for a reply
            }
        )
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # the bot has stopped
        await api.stop()

    asyncio.run(main())
