"""Client-side pacing so the bot stays inside Slack's rate limits before any 429."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Rate:
    """A token bucket: `burst` calls at once, then one every `per_seconds / calls`."""

    calls: float
    per_seconds: float
    burst: int

    @property
    def interval(self) -> float:
        return self.per_seconds / self.calls


# chat.postMessage: about one message per second per channel, short bursts allowed.
POST_PER_CHANNEL = Rate(calls=1, per_seconds=1, burst=4)
# Tier 2 methods (e.g. conversations.inviteShared): 20 a minute.
TIER_2 = Rate(calls=20, per_seconds=60, burst=3)
# Tier 3 methods (most conversations.* and users.*): 50 a minute.
TIER_3 = Rate(calls=50, per_seconds=60, burst=10)


class Pacer:
    """Thread-safe token buckets keyed by (method, channel or workspace)."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}  # key -> (tokens, at)

    def wait(self, key: tuple[str, str], rate: Rate) -> float:
        """Block until a call under `key` may go out; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            tokens, at = self._buckets.get(key, (float(rate.burst), now))
            tokens = min(float(rate.burst), tokens + (now - at) / rate.interval)
            if tokens >= 1:
                delay, self._buckets[key] = 0.0, (tokens - 1, now)
            else:
                # Reserve the next token now so concurrent callers queue behind each other.
                delay = (1 - tokens) * rate.interval
                self._buckets[key] = (0.0, now + delay)
        if delay:
            self._sleep(delay)
        return delay
