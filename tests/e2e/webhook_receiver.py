"""A local webhook receiver that can fail as real ones do: 500s, hangs, or being down."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bot.flows.webhooks import SIGNATURE_HEADER, verify


class Receiver:
    """`mode`: "ok" accepts (2xx); "fail" answers 500; "hang" answers after `hang_seconds`
    (too late: the sender has given up). Only "ok" deliveries count as accepted."""

    def __init__(self, secret: str, *, delay: float = 0.0) -> None:
        self.secret = secret
        self.mode = "ok"
        self.delay = delay
        self.hang_seconds = 2.0
        self.accepted: list[dict[str, Any]] = []
        self.refused: list[str] = []  # event ids answered with a failure
        self.bad_signatures: list[str] = []
        self._lock = threading.Lock()
        self.port = 0
        self._server: ThreadingHTTPServer | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/onboarding"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                event = json.loads(body)
                signed = verify(
                    receiver.secret,
                    self.headers.get(SIGNATURE_HEADER, ""),
                    body,
                    now=time.time(),
                )
                if receiver.delay:
                    time.sleep(receiver.delay)
                with receiver._lock:
                    mode = receiver.mode
                    if not signed:
                        receiver.bad_signatures.append(event["id"])
                    if mode == "ok":
                        receiver.accepted.append({**event, "headers": dict(self.headers)})
                    else:
                        receiver.refused.append(event["id"])
                if mode == "hang":
                    time.sleep(receiver.hang_seconds)
                status = 200 if mode in ("ok", "hang") else 500
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def kill(self) -> None:
        """Down: connections are refused until `start()` (on the same port)."""
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()
        self._server = None

    def close(self) -> None:
        if self._server is not None:
            self.kill()

    def ids(self, event_type: str | None = None) -> list[str]:
        with self._lock:
            return [e["id"] for e in self.accepted if event_type in (None, e["type"])]

    def types(self) -> list[str]:
        with self._lock:
            return [e["type"] for e in self.accepted]
