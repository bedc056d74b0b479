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


def per_minute(limit: int) -> Rate:
    """A bucket that never makes more than `limit - 1` calls in any 60 seconds (Slack's
    tiers count calls per minute, bursts included): half at once, the rest spread out."""
    burst = (limit - 1) // 2
    return Rate(calls=limit - 1 - burst, per_seconds=60, burst=burst)


# chat.postMessage: about one message per second per channel, short bursts allowed, and a
# workspace-wide limit of several hundred a minute.
POST_PER_CHANNEL = Rate(calls=1, per_seconds=1, burst=4)
# Slack publishes no number for the workspace-wide limit; "several hundred a minute" is
# what apps meet in practice. A deployment that knows its own sets SLACK_POSTS_PER_MINUTE.
POSTS_PER_MINUTE = 300
POSTS_PER_WORKSPACE = per_minute(POSTS_PER_MINUTE)
# Queued sends (the outbox) use at most this share of it; the rest answers people.
BULK_SHARE = 0.8
# docs.slack.dev/apis/web-api/rate-limits: Tier 2 is 20 a minute, Tier 3 50, Tier 4 100.
TIER_2 = per_minute(20)
TIER_3 = per_minute(50)
TIER_4 = per_minute(100)
# Every other method the bot calls, by its documented tier (pins, channels: Tier 2).
METHOD_RATES: dict[str, Rate] = {
    "auth.test": TIER_4,
    "chat.postEphemeral": TIER_4,
    "chat.update": TIER_3,
    "conversations.create": TIER_2,
    "conversations.history": TIER_3,
    "conversations.invite": TIER_3,
    "conversations.inviteShared": TIER_2,
    "conversations.members": TIER_4,
    "conversations.open": TIER_3,
    "conversations.replies": TIER_3,
    "conversations.setPurpose": TIER_2,
    "conversations.setTopic": TIER_2,
    "pins.add": TIER_2,
    "users.info": TIER_4,
    "views.open": TIER_4,
    "views.publish": TIER_4,
    "views.update": TIER_4,
}


def bulk_share(posts_per_minute: int) -> Rate:
    """The part of the workspace's chat.postMessage budget queued sends may use."""
    return per_minute(max(2, int(posts_per_minute * BULK_SHARE)))


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

    def held_off(self, key: tuple[str, str]) -> float:
        """Seconds until a call under `key` may go out after a `hold_off` (0 when none)."""
        with self._lock:
            _tokens, at = self._buckets.get(key, (0.0, 0.0))
            return max(0.0, at - self._clock())

    def hold_off(self, key: tuple[str, str], seconds: float) -> None:
        """Nobody calls under `key` for `seconds` from now (Slack answered 429)."""
        with self._lock:
            now = self._clock()
            _tokens, at = self._buckets.get(key, (0.0, now))
            # No tokens until then: `wait` counts refills from `at`, which lies ahead.
            self._buckets[key] = (0.0, max(at, now + seconds))
