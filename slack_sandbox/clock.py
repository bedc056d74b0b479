"""`WorldClock`: simulated time that runs on in real time between the moments it is set."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class WorldClock:
    """The simulated time of a sandbox session or a test.

    The bot's jobs read `now`; Slack's rate limits (the sandbox's and the bot's own pacing)
    count in `monotonic()`, so a simulated day later the budgets are full again, while calls
    made within one simulated moment are limited in real time, as Slack would.
    """

    def __init__(self, now: datetime) -> None:
        self._lock = threading.Lock()
        self._now, self._base, self._set_at = now, now.timestamp(), time.monotonic()

    @property
    def now(self) -> datetime:
        """The moment last set (or advanced to); it does not run on by itself."""
        return self._now

    @now.setter
    def now(self, value: datetime) -> None:
        with self._lock:
            # Forward jumps with the simulated time; going back to an earlier moment (tests
            # do) only keeps running in real time, so the seconds never go back.
            current = self._base + (time.monotonic() - self._set_at)
            self._now, self._base = value, max(value.timestamp(), current)
            self._set_at = time.monotonic()

    def monotonic(self) -> float:
        """Seconds since the epoch in simulated time, running on in real time."""
        with self._lock:
            return self._base + (time.monotonic() - self._set_at)

    def running_now(self) -> datetime:
        """The simulated moment including the real seconds since it was set."""
        return datetime.fromtimestamp(self.monotonic(), UTC)

    def advance(self, seconds: float) -> None:
        """`seconds` pass, for the simulated moment and for the seconds alike."""
        with self._lock:
            self._base += seconds
            self._now += timedelta(seconds=seconds)
