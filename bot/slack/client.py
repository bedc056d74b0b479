"""The Web API client the gateway calls through: built with its retries, and the error a call
that Slack refused raises. `bot.slack.gateway` re-exports both; import them from there."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator

SEND_TIMEOUT = 15  # seconds a Web API call may take before the client gives up on it


class SlackError(Exception):
    """Slack answered `ok: false` (after retries); `code` is Slack's error code."""

    def __init__(
        self,
        method: str,
        code: str,
        response: dict[str, Any] | None = None,
        *,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"{method}: {code}")
        self.method = method
        self.code = code
        self.response = response or {}
        self.retry_after = retry_after  # seconds, from a 429's Retry-After header


def build_client(*, token: str, base_url: str, retries: int = 4, strict: bool = False) -> WebClient:
    """A WebClient that retries rate limits, server errors and dropped connections.

    `strict` retries nothing: it is the outbox's client, and the outbox decides. After a 5xx
    or a dropped connection Slack may have accepted the message, so the outbox checks before
    it sends again; a 429 is tried again after its Retry-After by the outbox, never slept
    through here, so no send outlives the outbox's lease on its row.
    """
    if strict:
        return WebClient(token=token, base_url=base_url, timeout=SEND_TIMEOUT, retry_handlers=[])
    backoff = BackoffRetryIntervalCalculator(backoff_factor=0.25)
    handlers = [
        RateLimitErrorRetryHandler(max_retry_count=retries),
        ServerErrorRetryHandler(max_retry_count=retries, interval_calculator=backoff),
        ConnectionErrorRetryHandler(max_retry_count=retries, interval_calculator=backoff),
    ]
    return WebClient(token=token, base_url=base_url, timeout=SEND_TIMEOUT, retry_handlers=handlers)


def retry_after_seconds(headers: Any) -> float | None:
    """Seconds from a Retry-After header (any capitalisation), or None."""
    for name, value in (headers or {}).items():
        if str(name).lower() == "retry-after":
            raw = value[0] if isinstance(value, list) and value else value
            try:
                return max(0.0, float(raw))
            except (TypeError, ValueError):
                return None
    return None
