"""The HTTP surface: POST /slack/events (Bolt) and GET /healthz, served by waitress."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text
from waitress.server import create_server

from bot.deps import Deps

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def wsgi_app(app: App, deps: Deps) -> WSGIApp:
    slack = SlackRequestHandler(app, path="/slack/events")

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
            return _healthz(deps, start_response)
        return slack(environ, start_response)

    return application


def _healthz(deps: Deps, start_response: Callable[..., Any]) -> Iterable[bytes]:
    try:
        with deps.engine.connect() as connection:
            connection.execute(text("select 1"))
        status, body = "200 OK", {"ok": True, "database": "ok"}
    except Exception as exc:  # any database failure makes the instance unhealthy
        status, body = "503 Service Unavailable", {"ok": False, "database": type(exc).__name__}
    start_response(status, [("Content-Type", "application/json")])
    return [json.dumps(body).encode()]


def make_server(application: WSGIApp, *, host: str, port: int, threads: int = 8) -> Any:
    """A waitress server (not Bolt's development server); `.run()` serves, `.close()` stops."""
    return create_server(application, host=host, port=port, threads=threads, ident="onboardbot")
