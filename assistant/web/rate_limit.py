"""Per-user token buckets: a burst is fine, a flood is refused (429). One for chat messages
(before they reach the engine), one for searches and exports (each reads the whole index or
renders a document). Kept per web-app process: behind a proxy with N apps a user's ceiling
is at most N times the rate, which is still a ceiling.

Routes spend a token in their body (`rate.spend()`), not in a dependency: FastAPI resolves
dependencies before it reports a request as invalid, so a 422 would cost a token."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# Users not seen for this long are forgotten, so the table does not grow without bound.
IDLE_FORGET_SECONDS = 3600.0


class RateLimitedError(Exception):
    def __init__(self, retry_after_seconds: int, what: str = "messages") -> None:
        super().__init__(
            f"Too many {what} in a short time; please wait {retry_after_seconds} s and try again."
        )
        self.retry_after_seconds = retry_after_seconds
        self.what = what


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class RateLimiter:
    per_minute: float  # 0: no limit
    burst: int
    what: str = "messages"  # what is counted, for the 429's message
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, _Bucket] = field(default_factory=dict)
    _last_sweep: float = 0.0
    # Routes declared with `def` run in worker threads.
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, key: str) -> None:
        """One message for `key`, or RateLimitedError saying how long to wait."""
        if self.per_minute <= 0:
            return
        with self._lock:
            self._take(key)

    def _take(self, key: str) -> None:
        now = self.clock()
        self._forget_idle(now)
        rate = self.per_minute / 60.0
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens < 1.0:
            raise RateLimitedError(max(1, math.ceil((1.0 - bucket.tokens) / rate)), self.what)
        bucket.tokens -= 1.0

    def _forget_idle(self, now: float) -> None:
        if now - self._last_sweep < IDLE_FORGET_SECONDS:
            return
        self._last_sweep = now
        idle = [k for k, b in self._buckets.items() if now - b.updated > IDLE_FORGET_SECONDS]
        for key in idle:
            del self._buckets[key]


@dataclass(frozen=True)
class RateSpender:
    """One caller's bucket, handed to a route so that it spends only once the request is
    valid."""

    limiter: RateLimiter
    key: str

    def spend(self) -> None:
        self.limiter.take(self.key)
