"""Calling the bot's HTTP API as a CRM does: real HTTP to the running server."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

API_TOKEN = "crm-token-0123456789abcdefghijklmnop"
READ_TOKEN = "bi-token-0123456789abcdefghijklmnopqr"
API_TOKENS = f"hubspot:{API_TOKEN},reporting:{READ_TOKEN}:read"


NO_BODY = object()


@dataclass
class Answer:
    status: int
    headers: Any  # case-insensitive, as HTTP headers are
    text: str

    @property
    def json(self) -> Any:
        return json.loads(self.text)


def call(
    base: str,
    method: str,
    path: str,
    *,
    body: Any = NO_BODY,
    raw: bytes | None = None,
    token: str | None = API_TOKEN,
    content_type: str = "application/json",
) -> Answer:
    data = raw if raw is not None else (None if body is NO_BODY else json.dumps(body).encode())
    request = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", content_type)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Answer(response.status, response.headers, response.read().decode())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.headers, exc.read().decode())


def base_url(events_url: str) -> str:
    return events_url.removesuffix("/slack/events")
