"""Slack's rate limits, answered with HTTP 429 and `Retry-After` as Slack does.

docs.slack.dev/apis/web-api/rate-limits: limits apply per method per workspace per app;
Tier 2 allows 20 calls a minute, Tier 3 50, Tier 4 100 (bursts tolerated within the
minute). chat.postMessage is special: about one message per second per channel, with
short bursts, plus a workspace-wide limit ("several hundred messages per minute").
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

TIER_1, TIER_2, TIER_3, TIER_4 = 1, 20, 50, 100
WINDOW = 60.0
POST_METHOD = "chat.postMessage"

# Calls per minute per method (a method missing here is a sandbox defect: see the tests).
METHOD_TIERS: dict[str, int] = {
    "api.test": TIER_4,
    "auth.test": TIER_4,
    "bots.info": TIER_3,
    "chat.delete": TIER_3,
    "chat.getPermalink": TIER_4,
    "chat.postEphemeral": TIER_4,
    "chat.update": TIER_3,
    "conversations.archive": TIER_2,
    "conversations.create": TIER_2,
    "conversations.history": TIER_3,
    "conversations.info": TIER_3,
    "conversations.invite": TIER_3,
    "conversations.inviteShared": TIER_2,
    "conversations.join": TIER_3,
    "conversations.list": TIER_2,
    "conversations.members": TIER_4,
    "conversations.open": TIER_3,
    "conversations.replies": TIER_3,
    "conversations.setPurpose": TIER_2,
    "conversations.setTopic": TIER_2,
    "files.completeUploadExternal": TIER_4,
    "files.getUploadURLExternal": TIER_4,
    "files.info": TIER_4,
    "files.upload": TIER_2,
    "pins.add": TIER_2,
    "pins.list": TIER_2,
    "pins.remove": TIER_2,
    "team.info": TIER_3,
    "users.info": TIER_4,
    "users.list": TIER_2,
    "users.lookupByEmail": TIER_3,
    "views.open": TIER_4,
    "views.publish": TIER_4,
    "views.push": TIER_4,
    "views.update": TIER_4,
}


@dataclass(frozen=True)
class PostLimits:
    """chat.postMessage: `per_second` per channel with `burst` at once, and a workspace budget."""

    per_second: float = 1.0
    burst: int = 5
    workspace_per_minute: int = 300


class RateLimits:
    """Admits or refuses each call by its method's budget.

    Args:
        clock: monotonic seconds. Tests that simulate days pass a clock that follows their
            simulated time, so a day later the budgets are full again, as on Slack.
        posts: the chat.postMessage limits.
    """

    def __init__(self, *, clock: Callable[[], float], posts: PostLimits = PostLimits()) -> None:
        self._clock = clock
        self._posts = posts
        self._lock = threading.Lock()
        self._windows: dict[str, deque[float]] = {}
        self._channels: dict[str, tuple[float, float]] = {}  # channel -> (tokens, at)

    def admit(self, method: str, *, channel: str = "") -> int | None:
        """None when the call may go ahead (it is counted); else the Retry-After seconds."""
        now = self._clock()
        with self._lock:
            if method == POST_METHOD:
                wait = self._channel_wait(channel, now)
                if wait is None:
                    wait = self._window_wait(method, self._posts.workspace_per_minute, now)
                if wait is not None:
                    return wait
                self._take_channel(channel, now)
            else:
                wait = self._window_wait(method, METHOD_TIERS.get(method, TIER_4), now)
                if wait is not None:
                    return wait
            self._windows.setdefault(method, deque()).append(now)
            return None

    def _window_wait(self, method: str, per_minute: int, now: float) -> int | None:
        calls = self._windows.setdefault(method, deque())
        while calls and calls[0] <= now - WINDOW:
            calls.popleft()
        if len(calls) < per_minute:
            return None
        return max(1, math.ceil(calls[0] + WINDOW - now))

    def _tokens(self, channel: str, now: float) -> float:
        tokens, at = self._channels.get(channel, (float(self._posts.burst), now))
        return min(float(self._posts.burst), tokens + max(0.0, now - at) * self._posts.per_second)

    def _channel_wait(self, channel: str, now: float) -> int | None:
        tokens = self._tokens(channel, now)
        if tokens >= 1.0:
            return None
        return max(1, math.ceil((1.0 - tokens) / self._posts.per_second))

    def _take_channel(self, channel: str, now: float) -> None:
        self._channels[channel] = (self._tokens(channel, now) - 1.0, now)
