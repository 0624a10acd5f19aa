"""Bot API calls sent as JSON bodies instead of PTB's default form encoding.

PTB's HTTPXRequest posts parameters form-urlencoded: every Chinese character becomes nine bytes
(%E5%B7%A5), so an answer of 600 characters is a 5 KB body that urllib has to quote character by
character. The Bot API takes JSON as well ("application/json"), where the same answer is about
1.8 KB and is encoded by the json module in C. Measured with `courier-bot bench` (see the README):
the quoting was the largest single cost of a reply on our side. Uploads (multipart) are left to PTB.
Integers (ids) are numbers in JSON as the Bot API documents them; nested objects (reply_markup)
are sent nested, which the Bot API accepts as it accepts their JSON string in a form. They go
out through httpcore's connection pool directly (handlers/connections.py says why).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.request import getproxies

import httpcore
import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from handlers import connections

HEADERS = {"Content-Type": "application/json", "User-Agent": HTTPXRequest.USER_AGENT}
RAW_HEADERS = [(k.encode(), v.encode()) for k, v in HEADERS.items()]  # httpcore's form
# A call that did not get through, as httpx and, one level down, httpcore raise it.
TIMEOUTS = (httpx.TimeoutException, httpcore.TimeoutException)
POOL_TIMEOUTS = (httpx.PoolTimeout, httpcore.PoolTimeout)
FAILURES = (
    httpx.HTTPError,
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.ProxyError,
    httpcore.UnsupportedProtocol,
)


class JsonRequest(HTTPXRequest):
    """PTB's HTTPXRequest, but a call that fits in JSON goes as JSON, through a lean pool of our
    own (handlers/connections.py). Behind a proxy, from the arguments or the environment (httpx
    reads HTTPS_PROXY and the like), or with socket options or HTTP/2, it goes through PTB's httpx
    client instead, which knows how to use them."""

    def __init__(self, connection_pool_size: int = 1, **kwargs: Any) -> None:
        super().__init__(connection_pool_size=connection_pool_size, **kwargs)
        special = ("proxy", "socket_options", "httpx_kwargs")  # what only httpx's client knows
        plain = not any(kwargs.get(k) for k in special) and not _proxy_in_environment()
        plain = plain and kwargs.get("http_version", "1.1") == "1.1"
        self._size = connection_pool_size
        self._pool = connections.pool(connection_pool_size) if plain else None

    async def initialize(self) -> None:
        if self._pool is not None and self._client.is_closed:  # started again after shutdown
            self._pool = connections.pool(self._size)
        await super().initialize()

    async def shutdown(self) -> None:
        try:
            if self._pool is not None:
                await self._pool.aclose()
        finally:
            await super().shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        body = _utf8_json(request_data)
        if body is None or self._client.is_closed:  # uploads, odd text: PTB's own way
            return await super().do_request(
                url,
                method,
                request_data,
                read_timeout,
                write_timeout,
                connect_timeout,
                pool_timeout,
            )
        timeout = self._client.timeout
        timeouts = {
            "connect": _given(connect_timeout, timeout.connect),
            "read": _given(read_timeout, timeout.read),
            "write": _given(write_timeout, timeout.write),
            "pool": _given(pool_timeout, timeout.pool),
        }
        try:
            if self._pool is None:
                res = await self._client.request(
                    method, url, headers=HEADERS, timeout=httpx.Timeout(**timeouts), content=body
                )
                return res.status_code, res.content
            sent = await self._pool.request(
                method, url, headers=RAW_HEADERS, content=body, extensions={"timeout": timeouts}
            )
            return sent.status, sent.content
        except TIMEOUTS as err:  # the same mapping as PTB's HTTPXRequest
            if isinstance(err, POOL_TIMEOUTS):
                raise TimedOut("Pool timeout: all connections are in use; not sent") from err
            raise TimedOut from err
        except FAILURES as err:
            raise NetworkError(f"{type(err).__module__}.{type(err).__name__}: {err}") from err


def _proxy_in_environment() -> bool:
    """Whether HTTP(S)_PROXY or ALL_PROXY is set (httpx would use it). NO_PROXY alone, common in
    containers, is no proxy: getproxies() lists it too, under "no"."""
    return any(scheme in ("http", "https", "all") for scheme in getproxies())


def _utf8_json(request_data: RequestData | None) -> bytes | None:
    """The parameters as one UTF-8 JSON body, or None for an upload or for text UTF-8 cannot
    hold (a lone surrogate, which PTB's ASCII-escaped form encoding still sends). One pass, UTF-8
    as is: PTB's json_payload encodes each object parameter to a string first and escapes every
    Chinese character to six bytes (\\uXXXX)."""
    if request_data is None or request_data.contains_files:
        return None
    text = json.dumps(request_data.parameters, ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode()
    except UnicodeEncodeError:
        return None


def _given(value: Any, default: float | None) -> float | None:
    return default if isinstance(value, type(BaseRequest.DEFAULT_NONE)) else value
