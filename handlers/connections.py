"""The connection pool replies go out through: httpcore's, the one httpx itself is built on.

A reply is one small JSON POST to one host. httpx's AsyncClient wraps each in layers that do
nothing for a Bot API call (URL and header models, auth and redirect flows, a cookie jar, a
response stream in four wrappers), and httpcore's pool, before every request and after every
response, asks each idle connection whether the server closed it, through anyio's attribute
lookup that builds a table of lambdas for each question. With 8 updates at once there are 8
connections, asked twice per reply. Measured with `courier-bot bench` (README, Benchmark): the
layers cost about 0.25 ms of CPU per update and the lookups another 0.15 ms, of 2.3 ms in all.
Nothing else changes: the same pool limits, keep-alive, TLS context and time-outs as PTB's client.
"""

from __future__ import annotations

import select
import socket
import ssl
from typing import Any

import httpcore
import httpx


def pool(size: int) -> httpcore.AsyncConnectionPool:
    """A pool with the limits PTB gives its httpx client (HTTPXRequest: connection_pool_size
    connections, all of them kept alive, httpx's keep-alive expiry) and httpx's TLS context."""
    limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
    return httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_Backend(),
    )


class _Backend(httpcore.AnyIOBackend):
    """httpcore's own asyncio backend, with streams that answer "is it readable?" cheaply."""

    async def connect_tcp(self, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        return _Stream(await super().connect_tcp(*args, **kwargs))


class _Stream(httpcore.AsyncNetworkStream):
    """Everything is the anyio stream's, but the socket is looked up once, not at every check."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._socket: socket.socket | None = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return _readable(self._socket)
        return self._inner.get_extra_info(info)


def _readable(sock: socket.socket | None) -> bool:
    """httpcore's test (_utils.is_socket_readable): an idle connection with something to read has
    been closed by the server; a socket that is gone counts as readable, i.e. closed."""
    if sock is None or sock.fileno() < 0:
        return True
    if not hasattr(select, "poll"):  # Windows: select() takes sockets there
        return bool(select.select([sock], [], [], 0)[0])
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))
