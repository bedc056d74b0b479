"""Per-token rate limit of the HTTP API: a token bucket per token, in this process."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable


class RateLimiter:
    """`per_minute` requests a minute per token, in bursts of up to `per_minute`."""

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # name → (tokens, at)

    def take(self, name: str) -> int | None:
        """None when the request may go ahead; else the seconds to wait (Retry-After)."""
        now = self._clock()
        with self._lock:
            tokens, at = self._buckets.get(name, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - at) * self.rate)
            if tokens >= 1.0:
                self._buckets[name] = (tokens - 1.0, now)
                return None
            self._buckets[name] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / self.rate))
