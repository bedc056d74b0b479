"""Slack-looking identifiers and message timestamps, unique per sandbox."""

from __future__ import annotations

import itertools
import secrets
import threading
from collections.abc import Callable

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _base36(number: int, width: int) -> str:
    digits = []
    while number:
        number, rest = divmod(number, 36)
        digits.append(_ALPHABET[rest])
    return "".join(reversed(digits)).rjust(width, "0")


class IdFactory:
    """Hands out ids like `C0000000A1` and strictly increasing `ts` strings."""

    def __init__(self, *, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._counters: dict[str, itertools.count[int]] = {}
        self._last_ts_micros = 0

    def new(self, prefix: str) -> str:
        """A fresh id with Slack's type prefix (C, D, U, T, V, F, I, B, Ev...)."""
        with self._lock:
            counter = self._counters.setdefault(prefix, itertools.count(1))
            return f"{prefix}0{_base36(next(counter), 8)}"

    def ts(self) -> str:
        """A message timestamp: seconds.microseconds, unique and increasing."""
        with self._lock:
            micros = max(int(self._clock() * 1_000_000), self._last_ts_micros + 1)
            self._last_ts_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def trigger_id(self) -> str:
        """A trigger id shaped like Slack's `12345.98765.abcd2358fdea`."""
        with self._lock:
            counter = self._counters.setdefault("trigger", itertools.count(1))
            number = next(counter)
        return f"{int(self._clock())}{number:04d}.{number:06d}.{secrets.token_hex(16)}"

    def secret(self) -> str:
        """An unguessable token for URLs (response_url, upload URL)."""
        return secrets.token_urlsafe(18)
