"""Raw requests to the bot, signed or not, and what they must never cause.

Shared by the request-check tests and the HTTP fuzz test: a recorder standing in for an
internal URL a forged `response_url` might point at, a log handler that catches tracebacks,
and builders for interaction payloads with any field replaced.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlencode

from slack_sandbox import User
from tests.e2e.harness import SECRET, Harness

FORM = "application/x-www-form-urlencoded"
_VIEW_IDS = itertools.count(1)
JSON = "application/json"


class Recorder:
    """An HTTP server that only counts what reaches it (an "internal" URL)."""

    def __init__(self) -> None:
        hits: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                hits.append(self.path)
                self.send_response(200)
                self.end_headers()

            do_GET = do_POST

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.hits = hits
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/internal/admin"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Tracebacks(logging.Handler):
    """Every log record that carries a stack trace, or is an error saying "unhandled"
    (Bolt's warning about a request no listener takes is its 404, not a failure)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        unhandled = "unhandled" in record.getMessage().lower()
        if record.exc_info or record.stack_info or (unhandled and record.levelno >= logging.ERROR):
            self.records.append(record)

    def summary(self) -> list[str]:
        return [f"{r.name}: {r.getMessage()}" for r in self.records]


@contextmanager
def watching_logs() -> Iterator[Tracebacks]:
    handler = Tracebacks()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


@dataclass
class Answer:
    status: int
    text: str

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.text)
        except ValueError:
            return None


def signature_headers(
    body: bytes, *, secret: str = SECRET, timestamp: str | None = None
) -> dict[str, str]:
    stamp = timestamp if timestamp is not None else str(int(time.time()))
    digest = hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=" + digest.hexdigest()}


def send(
    bot: Harness,
    body: str | bytes,
    content_type: str | None = FORM,
    *,
    signed: bool = True,
    headers: dict[str, str] | None = None,
) -> Answer:
    """POST `body` to the bot; signed with the bot's secret unless `signed` is False
    (then with another secret); `headers` are added last (they may replace the signature's)."""
    data = body.encode() if isinstance(body, str) else body
    all_headers = signature_headers(data, secret=SECRET if signed else "another-secret")
    if content_type is not None:
        all_headers["Content-Type"] = content_type
    all_headers.update(headers or {})
    request = urllib.request.Request(bot.url, data=data, headers=all_headers, method="POST")
    if content_type is None:
        request.remove_header("Content-type")
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return Answer(response.status, response.read().decode("utf-8", "replace"))
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.read().decode("utf-8", "replace"))


def interaction(
    bot: Harness, user: User, kind: str = "block_actions", **fields: Any
) -> dict[str, Any]:
    """An interaction payload as Slack would send it from #general, with `fields` on top."""
    ws = bot.sandbox.workspace
    with ws.lock:
        response_url = ws.issue_response_url(channel_id=bot.general, user_id=user.id)
        trigger_id = ws.issue_trigger(user.id)
        team = ws.teams[user.team_id]
    payload: dict[str, Any] = {
        "type": kind,
        "user": {"id": user.id, "username": user.name, "name": user.name, "team_id": team.id},
        "team": {"id": team.id, "domain": team.domain},
        "api_app_id": ws.app_id,
        "token": "sandbox-verification-token",
        "trigger_id": trigger_id,
        "enterprise": None,
        "is_enterprise_install": False,
    }
    if kind == "block_actions":
        payload.update(
            container={"type": "message", "channel_id": bot.general, "message_ts": "1.2"},
            channel={"id": bot.general, "name": "general"},
            response_url=response_url,
            actions=[],
        )
    payload.update(fields)
    return payload


def click(action_id: str, value: Any) -> dict[str, Any]:
    return {"type": "button", "action_id": action_id, "block_id": "b1", "value": value}


def view(callback_id: str, *, metadata: Any = "", values: Any = None) -> dict[str, Any]:
    """A submitted modal; each gets a view id of its own, as each opened modal has."""
    return {
        "id": f"V0F{next(_VIEW_IDS):07d}",
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": metadata,
        "state": {"values": values or {}},
    }


def as_form(payload: Any) -> str:
    return urlencode({"payload": json.dumps(payload)})
