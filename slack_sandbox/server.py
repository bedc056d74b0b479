"""The sandbox's HTTP face: /api/<method>, upload URLs and response URLs (stdlib only)."""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from slack_sandbox import response_urls
from slack_sandbox.methods.files import receive_upload
from slack_sandbox.web_api import WebApi

logger = logging.getLogger(__name__)


class SandboxServer(ThreadingHTTPServer):
    """A threading HTTP server bound to 127.0.0.1 that carries the WebApi it serves."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, *, api: WebApi, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.api = api
        self.thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self.socket.getsockname()[:2]  # what server_address holds, typed
        return f"http://{host}:{port}"

    def start_in_thread(self) -> None:
        # A short poll interval keeps shutdown() (and so each test) fast.
        self.thread = threading.Thread(
            target=self.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="slack-sandbox",
            daemon=True,
        )
        self.thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self.thread is not None:
            self.thread.join(timeout=5)


class _Handler(BaseHTTPRequestHandler):
    server: SandboxServer
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self._route()

    def do_GET(self) -> None:
        self._route()

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("sandbox %s", format % args)

    def _route(self) -> None:
        parts = urlsplit(self.path)
        body = self._read_body()
        if parts.path.startswith("/api/"):
            self._web_api(parts.path[len("/api/") :], query=parts.query, body=body)
        elif parts.path.startswith("/upload/v1/"):
            self._upload(parts.path[len("/upload/v1/") :], body)
        elif parts.path.startswith("/response/"):
            self._response_url(parts.path[len("/response/") :], body)
        else:
            self._send(404, b"not found", "text/plain")

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _web_api(self, method: str, *, query: str, body: bytes) -> None:
        raw_args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
        content_type = (self.headers.get("Content-Type") or "").lower()
        if body:
            if content_type.startswith("application/json"):
                try:
                    parsed = json.loads(body)
                except json.JSONDecodeError:
                    parsed = None
                if not isinstance(parsed, dict):
                    self._send_json(200, {"ok": False, "error": "invalid_json"})
                    return
                raw_args.update(parsed)
            elif content_type.startswith("application/x-www-form-urlencoded"):
                raw_args.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
            else:
                self._send_json(200, {"ok": False, "error": "invalid_post_type"})
                return
        token = None
        auth = self.headers.get("Authorization") or ""
        if auth.lower().startswith("bearer "):
            token = auth[len("bearer ") :].strip()
        answer = self.server.api.call(method, raw_args=raw_args, token=token)
        self._send_json(answer.status, answer.body, answer.headers)

    def _upload(self, token: str, body: bytes) -> None:
        ws = self.server.api.workspace
        with ws.lock:
            stored = receive_upload(ws, token=token, data=body)
            ws.record_call(
                method="upload",
                args={"token": token, "bytes": len(body)},
                result={"ok": stored is not None},
                status=200 if stored else 404,
            )
        if stored is None:
            self._send(404, b"not found", "text/plain")
        else:
            self._send(200, f"OK - {len(body)}".encode(), "text/plain")

    def _response_url(self, token: str, body: bytes) -> None:
        ws = self.server.api.workspace
        try:
            payload = json.loads(body or b"{}")
        except json.JSONDecodeError:
            payload = dict(parse_qsl(body.decode("utf-8")))
        if not isinstance(payload, dict):
            payload = {}
        with ws.lock:
            status, text = response_urls.answer(ws, token=token, body=payload)
            ws.record_call(
                method="response_url",
                args=payload,
                result={"ok": status == 200, "error": None if status == 200 else text},
                status=status,
            )
        self._send(status, text.encode(), "text/plain")

    def _send_json(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        self._send(status, json.dumps(body).encode(), "application/json; charset=utf-8", headers)

    def _send(
        self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
