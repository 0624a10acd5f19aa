"""Bot API calls sent as JSON bodies instead of PTB's default form encoding.

PTB's HTTPXRequest posts parameters form-urlencoded: every Chinese character becomes nine bytes
(%E5%B7%A5), so an answer of 600 characters is a 5 KB body that urllib has to quote character by
character. The Bot API takes JSON as well ("application/json"), where the same answer is about
1.8 KB and is encoded by the json module in C. Measured with `courier-bot bench` (see the README):
the quoting was the largest single cost of a reply on our side. Uploads (multipart) are left to PTB.
Integers (ids) are numbers in JSON as the Bot API documents them; nested objects (reply_markup)
are sent nested, which the Bot API accepts as it accepts their JSON string in a form.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

JSON = {"Content-Type": "application/json"}


class JsonRequest(HTTPXRequest):
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
        timeout = httpx.Timeout(
            connect=_given(connect_timeout, timeout.connect),
            read=_given(read_timeout, timeout.read),
            write=_given(write_timeout, timeout.write),
            pool=_given(pool_timeout, timeout.pool),
        )
        headers = {"User-Agent": self.USER_AGENT, **JSON}
        try:
            res = await self._client.request(
                method, url, headers=headers, timeout=timeout, content=body
            )
        except httpx.TimeoutException as err:  # the same mapping as PTB's HTTPXRequest
            if isinstance(err, httpx.PoolTimeout):
                raise TimedOut("Pool timeout: all connections are in use; not sent") from err
            raise TimedOut from err
        except httpx.HTTPError as err:
            raise NetworkError(f"httpx.{err.__class__.__name__}: {err}") from err
        return res.status_code, res.content


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
