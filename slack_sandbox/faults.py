"""Failures a test can inject into the sandbox's Web API, one rule at a time.

Rules apply to one method, or to every method with `"*"`, for the next `times` calls
(`crash_after_success`: the next `times` calls that succeed).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

ANY_METHOD = "*"
# Rules that answer instead of the method; `crash_after_success` answers after it.
_INSTEAD = {"ratelimit", "server_error", "slack_error"}


@dataclass
class Fault:
    """What to do to one call: delay it, and/or answer it with something other than success."""

    method: str
    kind: str
    remaining: int
    retry_after: int = 1
    status: int = 200
    error: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class Outcome:
    """The faults that apply to one call: a delay first, then maybe a canned answer."""

    delay: float = 0.0
    status: int | None = None
    error: str | None = None
    retry_after: int | None = None


class Faults:
    """Thread-safe registry of injected faults (`sandbox.faults`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[Fault] = []

    def ratelimit(self, method: str = ANY_METHOD, *, times: int = 1, retry_after: int = 1) -> None:
        """Answer HTTP 429, `Retry-After: retry_after` and `{"ok": false, "error": "ratelimited"}`."""
        self._add(Fault(method, "ratelimit", times, retry_after=retry_after, status=429))

    def server_error(self, method: str = ANY_METHOD, *, times: int = 1, status: int = 500) -> None:
        """Answer with an HTTP 5xx (500, 502, 503...)."""
        self._add(Fault(method, "server_error", times, status=status))

    def slow(self, method: str = ANY_METHOD, seconds: float = 1.0, *, times: int = 1) -> None:
        """Delay the answer by `seconds`, then answer normally."""
        self._add(Fault(method, "slow", times, seconds=seconds))

    def slack_error(
        self, method: str = ANY_METHOD, *, error: str = "not_paid", times: int = 1
    ) -> None:
        """Answer HTTP 200 `{"ok": false, "error": error}` without doing anything."""
        self._add(Fault(method, "slack_error", times, error=error))

    def crash_after_success(
        self, method: str = ANY_METHOD, *, times: int = 1, status: int = 500
    ) -> None:
        """Do the call (a message is stored, a channel created), then answer HTTP `status`.

        This is Slack accepting a request whose response is lost: a client that retries
        does the work twice. Calls that fail leave the rule for the next call that succeeds.
        """
        self._add(Fault(method, "crash_after_success", times, status=status))

    def clear(self) -> None:
        """Forget every rule."""
        with self._lock:
            self._rules.clear()

    def pending(self) -> list[Fault]:
        """Rules that still have calls left."""
        with self._lock:
            return [Fault(**vars(rule)) for rule in self._rules]

    def take(self, method: str) -> Outcome:
        """Consume the rules that match this call and say what they do to it."""
        delay = 0.0
        with self._lock:
            for rule in self._rules:
                if rule.kind == "slow" and self._matches(rule, method):
                    rule.remaining -= 1
                    delay += rule.seconds
            answer = next(
                (r for r in self._rules if r.kind in _INSTEAD and self._matches(r, method)), None
            )
            if answer is not None:
                answer.remaining -= 1
            self._rules = [r for r in self._rules if r.remaining > 0]
        if answer is None:
            return Outcome(delay=delay)
        if answer.kind == "ratelimit":
            return Outcome(delay, 429, "ratelimited", answer.retry_after)
        if answer.kind == "server_error":
            return Outcome(delay, answer.status, _server_error_code(answer.status))
        return Outcome(delay, 200, answer.error)

    def take_after_success(self, method: str) -> Outcome:
        """Consume a `crash_after_success` rule for a call that just succeeded, if one matches."""
        with self._lock:
            crash = next(
                (
                    r
                    for r in self._rules
                    if r.kind == "crash_after_success" and self._matches(r, method)
                ),
                None,
            )
            if crash is None:
                return Outcome()
            crash.remaining -= 1
            self._rules = [r for r in self._rules if r.remaining > 0]
        return Outcome(status=crash.status, error=_server_error_code(crash.status))

    def _add(self, rule: Fault) -> None:
        if rule.remaining < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._rules.append(rule)

    @staticmethod
    def _matches(rule: Fault, method: str) -> bool:
        return rule.remaining > 0 and rule.method in (ANY_METHOD, method)


def _server_error_code(status: int) -> str:
    return {503: "service_unavailable", 502: "bad_gateway"}.get(status, "internal_error")
