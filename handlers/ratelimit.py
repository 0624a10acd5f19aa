"""Outgoing Bot API calls: PTB's AIORateLimiter, plus retries when the network or server fails."""

from __future__ import annotations

import asyncio
import logging

from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)


class RetryingRateLimiter(AIORateLimiter):
    """Keeps within Telegram's flood limits and retries after 429 (PTB's AIORateLimiter), and also
    retries a call that failed in transit: 5xx, time-outs, dropped connections (NetworkError).
    A call Telegram refused on its merits (BadRequest, Forbidden) is not retried."""

    def __init__(self, network_retries: int = 3, backoff: float = 0.2, **limits) -> None:
        super().__init__(**limits)
        self.network_retries = network_retries
        self.backoff = backoff

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        for attempt in range(max(0, self.network_retries) + 1):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except NetworkError as exc:
                if isinstance(exc, BadRequest) or attempt >= self.network_retries:
                    raise  # PTB makes BadRequest a NetworkError; a refused call stays refused
                log.warning("%s failed (%s); retry %d", endpoint, type(exc).__name__, attempt + 1)
                await asyncio.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable")
