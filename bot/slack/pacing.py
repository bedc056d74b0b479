"""Client-side pacing so the bot stays inside Slack's rate limits before any 429."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
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


def per_minute(limit: int, *, burst_share: float = 0.5) -> Rate:
    """A bucket that never makes more than `limit - 1` calls in any 60 seconds (Slack's
    tiers count calls per minute, bursts included): `burst_share` of them at once, the
    rest spread out. A long run goes at the spread-out rate: a small burst share for
    what must keep flowing (a morning's posts), half for calls that come in bursts."""
    burst = max(1, int((limit - 1) * burst_share))
    return Rate(calls=max(1, limit - 1 - burst), per_seconds=60, burst=burst)


# chat.postMessage: about one message per second per channel, short bursts allowed, and a
# workspace-wide limit of several hundred a minute.
POST_PER_CHANNEL = Rate(calls=1, per_seconds=1, burst=4)
# Slack publishes no number for the workspace-wide limit; "several hundred a minute" is
# what apps meet in practice. A deployment that knows its own sets SLACK_POSTS_PER_MINUTE.
POSTS_PER_MINUTE = 300
POSTS_BURST_SHARE = 0.1
POSTS_PER_WORKSPACE = per_minute(POSTS_PER_MINUTE, burst_share=POSTS_BURST_SHARE)
# Queued sends (the outbox) use at most this share of it; the rest answers people.
BULK_SHARE = 0.8
# After a 429, a queued send whose post would wait longer than this for its Retry-After is
# handed back for then instead of holding a worker (and its batch) asleep.
LONGEST_BULK_HOLD = 2.0


@dataclass(frozen=True)
class Window:
    """At most `calls` calls in any `per_seconds`, as Slack counts a tier: nobody waits
    while the last minute had room, so a click's update goes out at once unless the
    minute's budget is really spent."""

    calls: int
    per_seconds: float = 60.0


# docs.slack.dev/apis/web-api/rate-limits: Tier 2 is 20 a minute, Tier 3 50, Tier 4 100
# (one fewer here, for the clocks' disagreement).
TIER_2 = Window(19)
TIER_3 = Window(49)
TIER_4 = Window(99)
# Every other method the bot calls, by its documented tier (pins, channels: Tier 2).
METHOD_RATES: dict[str, Rate | Window] = {
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
    return per_minute(max(2, int(posts_per_minute * BULK_SHARE)), burst_share=POSTS_BURST_SHARE)


# A budget learned from 429s is never set below this (SLACK_POSTS_PER_MINUTE's minimum).
LEAST_LEARNED = 10
# One 429 says little: a busy channel, a moment's hiccup, another app's burst. The budget is
# lowered only when Slack answers 429 again, in another channel, at least REPEAT_AFTER
# seconds after the first (not a post that was already on its way) and within REPEAT_WITHIN:
# the bot keeps meeting a wall every channel shares.
REPEAT_AFTER = 5.0
REPEAT_WITHIN = 120.0
# A lowered budget is tried a step higher after each RAISE_EVERY seconds without a 429, up
# to the configured one, so a wall that has moved (or was never the workspace's) stops
# slowing the bot down.
RAISE_EVERY = 600.0
RAISE_BY = 1.25


class PostBudget:
    """chat.postMessage's workspace-wide budget, and the share of it queued sends may use.

    It starts at the configured number. When Slack keeps answering 429 although the bot kept
    to it, the workspace allows fewer: the budget becomes what Slack accepted from this
    process in the minute before, so the bot paces itself under the workspace's real limit
    instead of meeting it every minute. Each quiet RAISE_EVERY raises it by RAISE_BY.
    """

    def __init__(self, posts_per_minute: int) -> None:
        self.configured = posts_per_minute
        self._lock = threading.Lock()
        self._accepted: deque[float] = deque()  # when Slack accepted a post (pacer clock)
        self._streak: tuple[float, str] | None = None  # the first 429 not yet learned from
        self._quiet_since = 0.0  # the last 429 or change of budget
        self._set(posts_per_minute)

    def _set(self, posts_per_minute: int) -> None:
        self.per_minute = posts_per_minute
        self.workspace = per_minute(posts_per_minute, burst_share=POSTS_BURST_SHARE)
        self.bulk = bulk_share(posts_per_minute)

    def accepted(self, now: float) -> None:
        with self._lock:
            self._accepted.append(now)
            while self._accepted and self._accepted[0] <= now - 60:
                self._accepted.popleft()
            steps = int((now - self._quiet_since) // RAISE_EVERY)
            if self.per_minute < self.configured and steps > 0:
                raised = math.ceil(self.per_minute * RAISE_BY**steps)
                self._set(min(self.configured, raised))
                self._quiet_since = now

    def limited(self, now: float, *, channel: str = "") -> int | None:
        """Slack answered 429 to a post in `channel`: the budget lowered to what it accepted
        in the last minute when that is a repeat (see REPEAT_AFTER), or None."""
        with self._lock:
            self._quiet_since = now
            first = self._streak
            if first is None or now - first[0] > REPEAT_WITHIN:
                self._streak = (now, channel)
                return None
            if now - first[0] < REPEAT_AFTER or channel == first[1]:
                return None
            seen = sum(1 for at in self._accepted if at > now - 60)
            if seen < LEAST_LEARNED or seen >= self.per_minute:
                return None
            self._streak = None
            self._set(seen)
            return seen


class Pacer:
    """Thread-safe token buckets and windows keyed by (method, channel or workspace), and
    hold-offs after Slack's 429s."""

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
        self._windows: dict[tuple[str, str], deque[float]] = {}  # key -> call times
        self._held: dict[tuple[str, str], float] = {}  # key -> no call before

    def wait(self, key: tuple[str, str], rate: Rate | Window) -> float:
        """Block until a call under `key` may go out; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            start = max(now, self._held.get(key, now))
            if isinstance(rate, Window):
                start = self._window_slot(key, rate, start)
            else:
                start = self._bucket_slot(key, rate, start)
        delay = max(0.0, start - now)
        if delay:
            self._sleep(delay)
        return delay

    def _bucket_slot(self, key: tuple[str, str], rate: Rate, start: float) -> float:
        tokens, at = self._buckets.get(key, (float(rate.burst), start))
        tokens = min(float(rate.burst), tokens + (start - at) / rate.interval)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, start)
            return start
        # Reserve the next token now so concurrent callers queue behind each other.
        start += (1 - tokens) * rate.interval
        self._buckets[key] = (0.0, start)
        return start

    def _window_slot(self, key: tuple[str, str], rate: Window, start: float) -> float:
        calls = self._windows.setdefault(key, deque())
        while calls and calls[0] <= start - rate.per_seconds:
            calls.popleft()
        if len(calls) >= rate.calls:
            # The earliest call of the window leaves it: take its place (reserved, so
            # concurrent callers queue behind each other).
            start = max(start, calls.popleft() + rate.per_seconds)
        calls.append(start)
        return start

    def now(self) -> float:
        return self._clock()

    def held_off(self, key: tuple[str, str]) -> float:
        """Seconds until a call under `key` may go out after a `hold_off` (0 when none)."""
        with self._lock:
            return max(0.0, self._held.get(key, 0.0) - self._clock())

    def sit_out(self, key: tuple[str, str], *, longest: float) -> float:
        """Sleep through a hold-off under `key` that began while the caller waited for its
        slot (a 429 answered meanwhile to a call that went out before it). Returns 0, or,
        without sleeping, the seconds still held when that is more than `longest`."""
        while (held := self.held_off(key)) > 0:
            if held > longest:
                return held
            self._sleep(held)
        return 0.0

    def hold_off(self, key: tuple[str, str], seconds: float) -> None:
        """Nobody calls under `key` for `seconds` from now (Slack answered 429)."""
        with self._lock:
            until = self._clock() + seconds
            self._held[key] = max(self._held.get(key, until), until)


def pace(
    pacer: Pacer,
    posts: PostBudget,
    method: str,
    *,
    rate: Rate | Window | None,
    pace_key: str,
    bulk: bool,
) -> float:
    """Wait for a call's turn: its own `rate` under `pace_key` (chat.postMessage per
    channel), the queued sends' share (`bulk` posts), the method's workspace budget, and
    any 429 Slack answered another call of the method meanwhile. Returns 0, or, for a
    `bulk` call held longer than LONGEST_BULK_HOLD, the seconds still held (not slept)."""
    method_key, longest = (method, ""), LONGEST_BULK_HOLD if bulk else math.inf
    # A queued post never sleeps through a long 429 hold-off (its rows go back to the
    # outbox for then): checked before each wait, as `Pacer.wait` would wait one out.
    if held := pacer.sit_out(method_key, longest=longest):
        return held
    if rate is not None:
        pacer.wait((method, f"key:{pace_key}"), rate)
    if bulk and method == "chat.postMessage":
        pacer.wait((method, "bulk"), posts.bulk)
    workspace = posts.workspace if method == "chat.postMessage" else METHOD_RATES.get(method)
    if workspace is not None:
        if held := pacer.sit_out(method_key, longest=longest):
            return held
        pacer.wait(method_key, workspace)
    return pacer.sit_out(method_key, longest=longest)


def slowed(
    pacer: Pacer, posts: PostBudget, method: str, *, retry_after: float | None, channel: str = ""
) -> int | None:
    """Slack answered 429: every call of the method waits for Retry-After (its limits are
    per method and workspace); for chat.postMessage, the budget may be lowered (returned)."""
    pacer.hold_off((method, ""), max(1.0, retry_after or 0.0))
    if method != "chat.postMessage":
        return None
    return posts.limited(pacer.now(), channel=channel)
