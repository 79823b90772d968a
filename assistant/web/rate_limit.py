"""A per-user token bucket for chat messages: a burst is fine, a flood is refused (429) before
it reaches the engine. Kept per web-app process: behind a proxy with N apps a user's ceiling
is at most N times the rate, which is still a ceiling."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# Users not seen for this long are forgotten, so the table does not grow without bound.
IDLE_FORGET_SECONDS = 3600.0


class RateLimitedError(Exception):
    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(
            f"Too many messages in a short time; please wait {retry_after_seconds} s and send "
            "it again."
        )
        self.retry_after_seconds = retry_after_seconds


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class RateLimiter:
    per_minute: float  # 0: no limit
    burst: int
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, _Bucket] = field(default_factory=dict)
    _last_sweep: float = 0.0

    def take(self, key: str) -> None:
        """One message for `key`, or RateLimitedError saying how long to wait."""
        if self.per_minute <= 0:
            return
        now = self.clock()
        self._forget_idle(now)
        rate = self.per_minute / 60.0
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens < 1.0:
            raise RateLimitedError(max(1, math.ceil((1.0 - bucket.tokens) / rate)))
        bucket.tokens -= 1.0

    def _forget_idle(self, now: float) -> None:
        if now - self._last_sweep < IDLE_FORGET_SECONDS:
            return
        self._last_sweep = now
        idle = [k for k, b in self._buckets.items() if now - b.updated > IDLE_FORGET_SECONDS]
        for key in idle:
            del self._buckets[key]
