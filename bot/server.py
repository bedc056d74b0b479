"""The HTTP surface: POST /slack/events (Bolt), GET /healthz, GET /metrics and the HTTP API
(`/api/v1/…`, when API_TOKENS is set), served by waitress."""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text
from waitress.server import create_server

from bot import metrics
from bot.deps import Deps
from bot.logs import log_context, new_request_id
from bot.slack import inbound
from storage import outbox, webhooks
from storage.db import session_scope

logger = logging.getLogger(__name__)
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def wsgi_app(app: App, deps: Deps, *, api: WSGIApp | None = None) -> WSGIApp:
    """Slack's requests to Bolt; `/api/…` to the HTTP API when there is one (API_TOKENS)."""
    slack = SlackRequestHandler(app, path="/slack/events")

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if api is not None and str(path or "").startswith("/api/"):
            return api(environ, start_response)
        if path == "/healthz" and method == "GET":
            return _healthz(deps, start_response)
        if path == "/metrics" and method == "GET":
            return _metrics(deps, start_response)
        if path != "/slack/events":
            return slack(environ, start_response)
        return _slack_request(slack, deps.settings.slack_signing_secret, environ, start_response)

    return application


def _slack_request(
    slack: SlackRequestHandler,
    secret: str,
    environ: dict[str, Any],
    start_response: Callable[..., Any],
) -> Iterable[bytes]:
    """Bolt, for requests whose signature verifies and whose body Bolt can read; with the
    request's kind, ids, latency and outcome recorded."""
    started = time.perf_counter()
    raw_length = str(environ.get("CONTENT_LENGTH") or "0")
    length = int(raw_length) if raw_length.isdigit() else -1
    if length < 0 or length > inbound.MAX_BODY_BYTES:
        metrics.REQUESTS.labels("unknown", "413" if length > 0 else "400").inc()
        return _refuse(start_response, 413 if length > 0 else 400, "body too large or unsized")
    body = environ["wsgi.input"].read(length) if length else b""
    headers = {
        "x-slack-request-timestamp": str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or ""),
        "x-slack-signature": str(environ.get("HTTP_X_SLACK_SIGNATURE") or ""),
    }
    # Verified first: an unverified body is never read for a URL, a user or anything else.
    if not inbound.verified(secret=secret, body=body, headers=headers):
        logger.info("refused a request whose signature did not verify (%d bytes)", len(body))
        metrics.REQUESTS.labels("unverified", "401").inc()
        return _refuse(start_response, 401, "invalid request")
    info = describe(body, environ.get("CONTENT_TYPE", ""))
    info["kind"] = _label(str(info["kind"]))
    info["ids"] = {k: v for k, v in info["ids"].items() if isinstance(v, str) and len(v) <= 40}
    problem = inbound.shape_problem(body, environ.get("CONTENT_TYPE"))
    if problem is not None:
        status, reason = problem
        if status == 400:
            logger.warning("refused a signed request Slack would not send: %s", reason)
        metrics.REQUESTS.labels(info["kind"], str(status)).inc()
        return _refuse(start_response, status, reason)
    environ["wsgi.input"] = io.BytesIO(body)
    codes: list[str] = []

    def recording_start_response(code: str, headers: list[tuple[str, str]], *args: Any) -> Any:
        codes.append(code.split(" ", 1)[0])
        return start_response(code, headers, *args)

    with log_context(request_id=new_request_id(), **info["ids"]):
        result = list(slack(environ, recording_start_response))
    metrics.ACK_LATENCY.labels(info["kind"]).observe(time.perf_counter() - started)
    metrics.REQUESTS.labels(info["kind"], codes[0] if codes else "none").inc()
    return result


def _refuse(start_response: Callable[..., Any], status: int, reason: str) -> Iterable[bytes]:
    phrase = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 413: "Payload Too Large"}
    start_response(f"{status} {phrase[status]}", [("Content-Type", "application/json")])
    if status == 404:
        return [json.dumps({"error": "unhandled request"}).encode()]
    return [json.dumps({"error": "invalid request", "reason": reason}).encode()]


def describe(body: bytes, content_type: str) -> dict[str, Any]:
    """The kind of a Slack request (command, block_actions, …) and the ids worth logging."""
    try:
        if "json" in content_type:
            data = json.loads(body or b"{}")
            event = data.get("event") or {}
            if not isinstance(event, dict):
                event = {}
            kind = (
                f"event:{event.get('type')}"
                if data.get("type") == "event_callback"
                else str(data.get("type"))
            )
            ids = {
                "team_id": data.get("team_id"),
                "channel_id": event.get("channel"),
                "user_id": event.get("user"),
            }
            return {"kind": kind, "ids": ids}
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        if "payload" in form:
            payload = json.loads(form["payload"])
            ids = {
                "team_id": (payload.get("team") or {}).get("id"),
                "channel_id": (payload.get("channel") or {}).get("id"),
                "user_id": (payload.get("user") or {}).get("id"),
            }
            return {"kind": str(payload.get("type")), "ids": ids}
        if "command" in form:
            ids = {
                "team_id": form.get("team_id"),
                "channel_id": form.get("channel_id"),
                "user_id": form.get("user_id"),
            }
            return {"kind": "command", "ids": ids}
    except (ValueError, AttributeError, TypeError, RecursionError):
        pass
    return {"kind": "unknown", "ids": {}}


def _label(kind: str) -> str:
    """A metrics label from a request's kind: a short word, never whatever a body says."""
    word = kind.removeprefix("event:")
    if len(word) <= 40 and word.replace("_", "").isalnum() and word.isascii():
        return kind
    return "event:other" if kind.startswith("event:") else "other"


def _healthz(deps: Deps, start_response: Callable[..., Any]) -> Iterable[bytes]:
    try:
        with deps.engine.connect() as connection:
            connection.execute(text("select 1"))
        status, body = "200 OK", {"ok": True, "database": "ok"}
    except Exception as exc:  # any database failure makes the instance unhealthy
        status, body = "503 Service Unavailable", {"ok": False, "database": type(exc).__name__}
    start_response(status, [("Content-Type", "application/json")])
    return [json.dumps(body).encode()]


def _metrics(deps: Deps, start_response: Callable[..., Any]) -> Iterable[bytes]:
    try:
        with session_scope(deps.engine) as session:
            metrics.OUTBOX_BACKLOG.set(outbox.backlog(session=session))
            metrics.WEBHOOK_BACKLOG.set(webhooks.backlog(session=session))
    except Exception:  # metrics must answer even when the database does not
        metrics.OUTBOX_BACKLOG.set(float("nan"))
        metrics.WEBHOOK_BACKLOG.set(float("nan"))
    start_response("200 OK", [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")])
    return [metrics.render()]


def make_server(application: WSGIApp, *, host: str, port: int, threads: int = 8) -> Any:
    """A waitress server (not Bolt's development server); `.run()` serves, `.close()` stops."""
    return create_server(application, host=host, port=port, threads=threads, ident="onboardbot")
