"""Pushing Events API callbacks to the app, signed, in order, off the request thread."""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections.abc import Callable

from slack_sandbox.models import Json
from slack_sandbox.payloads import event_envelope
from slack_sandbox.state import Workspace
from slack_sandbox.transport import DriverResponse, post_signed

logger = logging.getLogger(__name__)


class EventPusher:
    """Delivers events the workspace emits (e.g. `member_joined_channel`) to `events_url`.

    Delivery happens on one background thread so an app that calls the Web API
    while handling the event never deadlocks the call that caused it. Failures
    are logged and kept in `deliveries`, never raised.
    """

    def __init__(
        self, *, workspace: Workspace, signing_secret: str, events_url: Callable[[], str | None]
    ) -> None:
        self._ws = workspace
        self._secret = signing_secret
        self._events_url = events_url
        self._queue: queue.Queue[Json | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self.deliveries: list[tuple[Json, DriverResponse | None]] = []

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="slack-sandbox-events", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=5)
            self._thread = None

    def emit(self, event: Json) -> None:
        """Queue one event (called by the workspace, under its lock)."""
        if self._events_url() is None:
            return
        self._queue.put(event_envelope(self._ws, event))

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every queued event was delivered (or failed); False on timeout."""
        done = threading.Event()
        self._queue.put({"__flush__": done})
        return done.wait(timeout)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            marker = item.get("__flush__")
            if isinstance(marker, threading.Event):
                marker.set()
                continue
            self._deliver(item)

    def _deliver(self, envelope: Json) -> None:
        url = self._events_url()
        if url is None:
            return
        try:
            result: DriverResponse | None = post_signed(
                url,
                body=json.dumps(envelope),
                content_type="application/json",
                secret=self._secret,
                timeout=10.0,
            )
            if result is not None and not result.ok:
                logger.warning(
                    "event %s to %s answered HTTP %s", envelope["event"]["type"], url, result.status
                )
        except OSError:
            logger.warning(
                "event %s could not reach %s", envelope["event"]["type"], url, exc_info=True
            )
            result = None
        with self._ws.lock:
            self.deliveries.append((envelope, result))
