"""Signed HTTP requests, sent the way Slack sends them to an app (stdlib only)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any


@dataclass
class DriverResponse:
    """What the app answered: status, headers, body text, and the JSON if it was JSON.

    `trigger_id` and `response_url` are the ones the sandbox issued for this request
    (when it carried any); `late` is True when the app took longer than Slack waits.
    """

    status: int
    headers: dict[str, str]
    text: str
    elapsed: float = 0.0
    request_body: str = field(default="", repr=False)
    trigger_id: str | None = None
    response_url: str | None = None
    late: bool = False

    @property
    def json(self) -> Any:
        """The body parsed as JSON, or None when it isn't JSON."""
        if not self.text.strip():
            return None
        try:
            return json.loads(self.text)
        except json.JSONDecodeError:
            return None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def signature(*, secret: str, timestamp: str, body: str) -> str:
    """`v0=` + HMAC-SHA256 of `v0:{timestamp}:{body}`, Slack's request signature."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def post_signed(
    url: str,
    *,
    body: str,
    content_type: str,
    secret: str,
    timestamp: int | None = None,
    bad_signature: bool = False,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> DriverResponse:
    """POST `body` with X-Slack-Signature and X-Slack-Request-Timestamp headers."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signing_secret = secret + "-wrong" if bad_signature else secret
    all_headers = {
        "Content-Type": content_type,
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature(secret=signing_secret, timestamp=stamp, body=body),
        **(headers or {}),
    }
    request = urllib.request.Request(url, data=body.encode(), headers=all_headers, method="POST")
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, reply_headers = response.status, dict(response.headers.items())
            text = response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        status, reply_headers = exc.code, dict(exc.headers.items())
        text = exc.read().decode("utf-8", "replace")
    return DriverResponse(status, reply_headers, text, time.monotonic() - started, body)
