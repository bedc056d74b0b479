"""Thread pools that can tell when they are idle (tests, graceful shutdown).

Bolt runs each listener's ack function in the thread that received the request (waitress'
or Socket Mode's) and its lazy work, what is left once Slack has its answer, on `Deps.work`.
Work waiting on a slow Slack, a pacing sleep or a Retry-After then never holds up the next
request's acknowledgement, which Slack wants within 3 seconds.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class TrackedExecutor(ThreadPoolExecutor):
    """ThreadPoolExecutor that counts unfinished work."""

    def __init__(self, max_workers: int = 8, *, name: str = "listener") -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix=name)
        self._pending = 0
        self._idle = threading.Condition()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._idle:
            self._pending += 1
        # Carry the request's logging context into the worker thread.
        future = super().submit(contextvars.copy_context().run, fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: Future[Any]) -> None:
        with self._idle:
            self._pending -= 1
            if self._pending == 0:
                self._idle.notify_all()

    @property
    def pending(self) -> int:
        return self._pending

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until no work is pending; False if `timeout` passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout)


def wait_all_idle(executors: Sequence[TrackedExecutor], timeout: float = 10.0) -> bool:
    """Block until every executor is idle at once (work may hand on more work)."""
    deadline = time.monotonic() + timeout
    while True:
        for executor in executors:
            if not executor.wait_idle(max(0.0, deadline - time.monotonic())):
                return False
        if all(executor.pending == 0 for executor in executors):
            return True
