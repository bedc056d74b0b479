"""Checking a request from Slack before Bolt sees it: its signature, then its shape.

Nothing about a request is acted on before its signature is verified: not its
`response_url`, not its user. A request that fails verification (a wrong or missing
signature, a timestamp that is not a number or more than five minutes off, a body that is
not UTF-8) is refused with 401 and nothing else happens. A verified request whose body
Bolt (or our listeners) could not read (broken JSON in `payload=`, a list where Slack sends
an object, `actions: []`, a `user` that is a number) is refused with 400: it cannot have come
from Slack as it is, and answering it with a traceback helps nobody.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from slack_bolt.request.internals import parse_body
from slack_sdk.signature import SignatureVerifier

# What the bot listens to (and url_verification / app_rate_limited, which Bolt answers).
HANDLED_KINDS = {
    "block_actions",
    "view_submission",
    "view_closed",
    "event_callback",
    "url_verification",
    "app_rate_limited",
}
MAX_BODY_BYTES = 1_000_000  # Slack's largest payloads (a 100-block view's state) are far smaller
_REF_KEYS = ("team", "user", "channel", "enterprise")  # a string id, or an object with an id
_NESTED = ("event", "message", "previous_message", "item", "assistant_thread")


class _Clock:
    def __init__(self, now: Callable[[], float]) -> None:
        self.now = now


def verified(
    *,
    secret: str,
    body: bytes,
    headers: Mapping[str, str],
    now: Callable[[], float] = time.time,
) -> bool:
    """True only for a body signed with `secret` within Slack's five-minute window."""
    timestamp = headers.get("x-slack-request-timestamp") or ""
    signature = headers.get("x-slack-signature") or ""
    if not secret or not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    verifier = SignatureVerifier(secret, clock=_Clock(now))  # type: ignore[arg-type]  # slack_sdk wants its Clock class; _Clock has the one method it calls
    return verifier.is_valid(text, timestamp, signature)


def shape_problem(body: bytes, content_type: str | None) -> tuple[int, str] | None:
    """Why Bolt or our listeners could not (or would not) read this verified body: the
    HTTP status to answer (400 unreadable, 404 a kind of request no listener takes) and
    the reason; None when Bolt may have it."""
    try:
        payload = parse_body(body.decode("utf-8"), (content_type or "").split(";")[0] or None)
    except (ValueError, TypeError, RecursionError):  # JSON and UTF-8 errors are ValueErrors
        return 400, "the body is not JSON or a form Slack sends"
    if not isinstance(payload, dict):
        return 400, "the payload is not an object"
    if payload.get("ssl_check") == "1":
        return None  # Slack's certificate check: Bolt answers it
    kind = payload.get("type")
    if "command" not in payload and not (isinstance(kind, str) and kind in HANDLED_KINDS):
        # Bolt would answer 404 too, after reading fields such a body need not have.
        return 404, "no listener takes this kind of request"
    problem = _envelope_problem(payload, depth=0) or _kind_problem(payload)
    return None if problem is None else (400, problem)


def _envelope_problem(payload: dict[str, Any], *, depth: int) -> str | None:
    """The keys Bolt reads from every request (and from an event inside one)."""
    for key in _REF_KEYS:
        value = payload.get(key)
        if value is None or isinstance(value, str):
            continue
        if not isinstance(value, dict) or not _optional_str(value, "id"):
            return f"{key} is neither an id nor an object with a string id"
    if "type" in payload and not isinstance(payload["type"], str):
        return "type is not a string"
    for key in ("response_url", "trigger_id", "team_id", "user_id", "channel_id", "enterprise_id"):
        if not _optional_str(payload, key):
            return f"{key} is not a string"
    if payload.get("response_url") is not None and not _is_url(payload["response_url"]):
        return "response_url is not a URL"
    authorizations = payload.get("authorizations")
    if authorizations is not None and not (
        isinstance(authorizations, list) and all(isinstance(a, dict) for a in authorizations)
    ):
        return "authorizations is not a list of objects"
    for item in authorizations or []:
        if problem := _envelope_problem(item, depth=depth + 1):
            return f"authorizations: {problem}"
    urls = payload.get("response_urls")
    if urls is not None and not (
        isinstance(urls, list)
        and all(isinstance(u, dict) and _is_url(u.get("response_url")) for u in urls)
    ):
        return "response_urls is not a list of objects with a response_url"
    if not isinstance(payload.get("container", {}), dict | None):
        return "container is not an object"
    for key in _NESTED:
        value = payload.get(key)
        if value is None:
            continue
        if not isinstance(value, dict):
            return f"{key} is not an object"
        if depth < 2 and (problem := _envelope_problem(value, depth=depth + 1)):
            return f"{key}: {problem}"
    return None


def _kind_problem(payload: dict[str, Any]) -> str | None:
    """What each kind of request we listen to must carry."""
    kind = payload.get("type")
    if "command" in payload:
        if not all(isinstance(payload.get(k), str) and payload[k] for k in ("command", "user_id")):
            return "a command without a command name or user"
        if not _optional_str(payload, "text"):
            return "a command's text is not a string"
        return None
    if kind in ("block_actions", "view_submission", "view_closed"):
        user = payload.get("user")
        if not isinstance(user, dict) or not isinstance(user.get("id"), str) or not user["id"]:
            return f"{kind} without a user"
    if kind == "block_actions":
        actions = payload.get("actions")
        if not isinstance(actions, list) or not actions:
            return "block_actions without actions"
        for action in actions:
            if not isinstance(action, dict) or not isinstance(action.get("action_id"), str):
                return "an action without an action_id"
            if not _optional_str(action, "value") or not _optional_str(action, "block_id"):
                return "an action whose value is not a string"
    if kind in ("view_submission", "view_closed"):
        view = payload.get("view")
        if not isinstance(view, dict) or not isinstance(view.get("callback_id"), str):
            return f"{kind} without a view and its callback_id"
        if not isinstance(view.get("type"), str):
            return "a view without its type"
        for key in ("id", "private_metadata", "app_installed_team_id", "team_id"):
            if not _optional_str(view, key):
                return f"view.{key} is not a string"
        state = view.get("state", {})
        values = state.get("values", {}) if isinstance(state, dict) else None
        if not isinstance(values, dict) or not all(
            isinstance(block, dict) and all(isinstance(e, dict) for e in block.values())
            for block in values.values()
        ):
            return "view.state.values is not an object of objects"
    if kind == "event_callback":
        event = payload.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            return "an event without its type"
    if kind == "url_verification" and not isinstance(payload.get("challenge"), str):
        return "url_verification without a challenge"
    return None


def _is_url(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _optional_str(data: dict[str, Any], key: str) -> bool:
    return data.get(key) is None or isinstance(data.get(key), str)
