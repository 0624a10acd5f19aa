"""A liveness endpoint (GET /healthz) for process supervisors and load balancers."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable


class HealthServer:
    """Answers GET /healthz with 200 and a few counters (no personal data); 404 otherwise."""

    def __init__(self, stats: Callable[[], dict], host: str = "127.0.0.1", port: int = 0):
        self.stats, self.host, self.port = stats, host, port
        self._server: asyncio.base_events.Server | None = None

    async def start(self) -> HealthServer:
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server:
            self._server.close()
            await self._server.wait_closed()

    def body(self) -> dict:
        s = self.stats()
        last = s.get("last_update")
        return {
            "status": "ok",
            "uptime_s": round(time.time() - s["started"]),
            "updates": s["updates"],
            "errors": s["errors"],
            "last_update_age_s": None if last is None else round(time.time() - last, 1),
        }

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readline(), 5)
            parts = request.decode("latin-1").split()
            ok = (
                len(parts) >= 2
                and parts[0] in ("GET", "HEAD")
                and parts[1].split("?")[0] == "/healthz"
            )
            data = json.dumps(self.body() if ok else {"status": "not found"}).encode()
            status = b"200 OK" if ok else b"404 Not Found"
            writer.write(
                b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\n"
                b"Connection: close\r\nContent-Length: "
                + str(len(data)).encode()
                + b"\r\n\r\n"
                + data
            )
            await writer.drain()
        except (TimeoutError, ConnectionError, UnicodeDecodeError):
            pass
        finally:
            writer.close()
