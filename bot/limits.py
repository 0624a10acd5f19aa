"""Per-courier limits: a few questions a minute is plenty for a person, a flood is not."""

from __future__ import annotations

import time
from collections import deque


class PerUserLimit:
    """At most `count` actions per `window` seconds for each user key (a sliding window)."""

    def __init__(
        self, count: int, window: float = 60.0, clock=time.monotonic, max_users: int = 100_000
    ):
        self.count, self.window, self.clock, self.max_users = count, window, clock, max_users
        self._seen: dict[str, deque] = {}

    def allow(self, key: str | None) -> bool:
        if self.count <= 0 or key is None:
            return True
        now = self.clock()
        if len(self._seen) >= self.max_users:
            self._forget_idle(now)
        times = self._seen.setdefault(key, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) >= self.count:
            return False
        times.append(now)
        return True

    def _forget_idle(self, now: float) -> None:
        idle = [k for k, t in self._seen.items() if not t or now - t[-1] >= self.window]
        for k in idle:
            del self._seen[k]
        if len(self._seen) >= self.max_users:  # all busy: start afresh rather than grow
            self._seen.clear()
