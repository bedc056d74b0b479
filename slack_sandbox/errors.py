"""The one exception a Web API handler raises to answer `ok: false`."""

from __future__ import annotations

from typing import Any


class WebApiError(Exception):
    """An `{"ok": false, "error": code}` answer, with any extra fields Slack adds.

    Args:
        error: Slack's error code, e.g. `channel_not_found`.
        status: the HTTP status (200 for every ordinary Slack error).
        extra: more top-level fields, e.g. `errors` or `response_metadata`.
    """

    def __init__(self, error: str, *, status: int = 200, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """The JSON body Slack would send."""
        return {"ok": False, "error": self.error, **self.extra}


class DriverError(AssertionError):
    """The test asked the driver for something Slack could never send (e.g. a missing button)."""
