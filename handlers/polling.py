"""getUpdates that cannot be wedged by one update PTB cannot parse.

PTB parses a whole batch of updates at once; one update it cannot parse (a field another Bot API
version leaves out, e.g. from a self-hosted server) fails the batch, and the updater asks for the
same offset again, forever: no one gets an answer and the log fills. This request class watches
for that: when PTB asks for the same offset again (after a failed batch, or an empty long poll),
it checks each update of the answer on its own and replaces one that does not parse by its bare
update_id, so PTB moves past it (after an empty long poll the next batch is checked too: cheap).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from telegram import Update
from telegram.request import BaseRequest, HTTPXRequest, RequestData

log = logging.getLogger("courier_bot.updates")


_NEVER = object()


class GetUpdatesRequest(HTTPXRequest):
    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._last_offset: object = _NEVER

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
        code, payload = await super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
        offset = request_data.parameters.get("offset") if request_data else None
        asked_again, self._last_offset = offset == self._last_offset, offset
        if code != 200 or not asked_again:  # the usual case: PTB moved on, nothing to check
            return code, payload
        data = json.loads(payload)
        if isinstance(data.get("result"), list):
            data["result"] = [_parsable(u) for u in data["result"]]
        return code, json.dumps(data).encode()


def _parsable(update: dict) -> dict:
    """The update, or only its id when PTB cannot parse it (logged by kind, never by content)."""
    try:
        Update.de_json(update, None)
    except Exception:  # any parse failure: the update is dropped, the bot goes on
        kinds = sorted(k for k in update if k != "update_id")
        log.warning(json.dumps({"event": "unparsable_update", "kinds": kinds}))
        return {"update_id": update["update_id"]}
    return update


class WithholdUpdateContent(logging.Filter):
    """PTB logs a batch or webhook body it could not parse in full (texts, names, ids); keep the
    fact and the exception, drop the content (privacy: couriers' messages never reach the log)."""

    _RAW = ("Error while parsing updates!", "Received data was *not* processed!")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith(self._RAW):
            record.msg, record.args = record.msg.split("!")[0] + "! (content withheld)", ()
        return True


def withhold_update_content() -> None:
    """Install the filter on the two PTB loggers that print raw updates."""
    for name in ("telegram.Bot", "telegram.ext.Updater"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, WithholdUpdateContent) for f in logger.filters):
            logger.addFilter(WithholdUpdateContent())
