"""The page's HTTP server on 127.0.0.1: static assets, one person's screen, their actions.

GET  /                      the page (static/index.html)
GET  /static/NAME           its CSS and JavaScript (package data)
GET  /ui/people             the people of the workspace, for the "you are" switch
GET  /ui/state?as=U&c=C&t=TS   what U sees with conversation C (or `home`) and thread TS open
POST /ui/act                {"as": U, "op": ..., ...}: what U does (see `_act`)
GET  /ui/file/ID            an uploaded file's bytes (the digest's chart)

The page polls /ui/state; it never talks to anything but this server.
"""

from __future__ import annotations

import json
import logging
import mimetypes
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from slack_sandbox.web.session import ActionError, Session

logger = logging.getLogger(__name__)
STATIC = resources.files("slack_sandbox.web") / "static"
ASSETS = {"index.html", "app.css", "app.js"}


class PageServer(ThreadingHTTPServer):
    """Serves the page for one session."""

    daemon_threads = True
    allow_reuse_address = True  # a restart may bind at once; a live listener still refuses

    def __init__(self, session: Session, *, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.session = session
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.socket.getsockname()[:2]  # what server_address holds, typed
        return f"http://{host}:{port}/"

    def start_in_thread(self) -> PageServer:
        self.thread = threading.Thread(
            target=self.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="sandbox-page",
            daemon=True,
        )
        self.thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self.thread is not None:
            self.thread.join(timeout=5)


class _Handler(BaseHTTPRequestHandler):
    server: PageServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("page %s", format % args)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        if path in ("/", "/index.html"):
            self._asset("index.html")
        elif path.startswith("/static/"):
            self._asset(path[len("/static/") :])
        elif path == "/ui/people":
            self._json(200, self._people())
        elif path == "/ui/state":
            self._state(query)
        elif path.startswith("/ui/file/"):
            self._file(path[len("/ui/file/") :])
        else:
            self._send(404, b"not found", "text/plain")

    def do_POST(self) -> None:
        if urlsplit(self.path).path != "/ui/act":
            self._send(404, b"not found", "text/plain")
            return
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
            if not isinstance(body, dict):
                raise ValueError("not an object")
        except ValueError:
            self._json(400, {"error": "the body must be a JSON object"})
            return
        session = self.server.session
        try:
            with session.lock:
                answer = _act(session, body)
        except ActionError as exc:
            self._json(200, {"ok": False, "error": str(exc)})
            return
        except (KeyError, TypeError, ValueError) as exc:
            self._json(400, {"ok": False, "error": f"bad request: {exc}"})
            return
        self._json(200, {"ok": True, **answer})

    # -- GET ---------------------------------------------------------------------------------

    def _people(self) -> dict[str, Any]:
        roles = self.server.session.roles
        people = [
            {**p, "role": roles.labels.get(p["id"], "")}
            for p in self.server.session.screens.people()
        ]
        return {"people": people, "default": roles.default_person, "general": roles.default_channel}

    def _state(self, query: dict[str, list[str]]) -> None:
        session = self.server.session
        viewer = (query.get("as") or [""])[0]
        try:
            state = session.screens.state(
                viewer,
                conversation=next(iter(query.get("c") or []), None),
                thread=next(iter(query.get("t") or []), None),
            )
        except KeyError:
            self._json(404, {"error": f"no person {viewer}"})
            return
        zone = ZoneInfo(state["me"]["tz"])
        now = session.clock.now.astimezone(zone)
        state["clock"] = {"iso": now.isoformat(), "label": _clock_label(now)}
        state["busy"] = session.lock.locked()
        self._json(200, state)

    def _file(self, file_id: str) -> None:
        ws = self.server.session.sandbox.workspace
        with ws.lock:
            stored = ws.files.get(file_id)
            data = stored.data if stored else None
            mimetype = stored.mimetype if stored else ""
        if data is None:
            self._send(404, b"not found", "text/plain")
        else:
            self._send(200, data, mimetype)

    def _asset(self, name: str) -> None:
        if name not in ASSETS:
            self._send(404, b"not found", "text/plain")
            return
        data = (STATIC / name).read_bytes()
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        self._send(200, data, f"{kind}; charset=utf-8")

    # -- plumbing ----------------------------------------------------------------------------

    def _json(self, status: int, body: Any) -> None:
        self._send(status, json.dumps(body).encode(), "application/json; charset=utf-8")

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)


def _act(session: Session, body: dict[str, Any]) -> dict[str, Any]:
    """One person's action; ActionError for what Slack's client would refuse or tell them."""
    user, op = str(body["as"]), str(body["op"])
    if op == "compose":
        kind = session.compose(
            user, str(body["channel"]), str(body["text"]), thread=body.get("thread") or None
        )
        return {"sent": kind}
    if op == "click":
        session.act(
            user,
            target={k: str(v) for k, v in dict(body["target"]).items()},
            block_id=str(body["block_id"]),
            action_id=str(body["action_id"]),
            value=None if body.get("value") is None else str(body["value"]),
        )
        return {}
    if op == "submit":
        session.submit(user, str(body["view"]), dict(body.get("values") or {}))
        return {}
    if op == "close":
        session.close_view(user, str(body["view"]))
        return {}
    if op == "accept":
        session.accept_invite(user, str(body["channel"]))
        return {"channel": str(body["channel"])}
    if op == "home":
        session.open_home(user)
        return {}
    if op == "clock":
        result = session.jump(session.target(str(body["to"]), days=int(body.get("days") or 1)))
        return {"now": result.now.isoformat(), "runs": result.runs, "failures": result.failures}
    raise ActionError(f"unknown action {op!r}")


def _clock_label(now: datetime) -> str:
    return now.strftime("%a %Y-%m-%d %H:%M %Z")
