"""One Web API call from start to finish: method, token, faults, rate limits, scopes,
handler, log."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from slack_sandbox.errors import WebApiError
from slack_sandbox.faults import Faults
from slack_sandbox.methods import METHODS, NO_AUTH
from slack_sandbox.methods.args import Args, normalize
from slack_sandbox.rate_limits import RateLimits
from slack_sandbox.scopes import check_scopes
from slack_sandbox.state import Workspace


@dataclass
class ApiAnswer:
    """The HTTP answer to a Web API call."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class WebApi:
    """Answers Web API calls against a workspace, like slack.com/api/ does.

    Args:
        workspace: the state every method reads and changes.
        bot_token: the only token accepted.
        faults: injected failures, consulted before each call.
        limits: Slack's rate limits, or None to allow any rate (unit tests of the switch).
    """

    def __init__(
        self, *, workspace: Workspace, bot_token: str, faults: Faults, limits: RateLimits | None
    ) -> None:
        self.workspace = workspace
        self.bot_token = bot_token
        self.faults = faults
        self.limits = limits

    def call(self, method: str, *, raw_args: dict[str, Any], token: str | None) -> ApiAnswer:
        ws = self.workspace
        answer = self._answer(method, raw_args=raw_args, token=token)
        with ws.lock:
            ws.record_call(
                method=method, args=_loggable(raw_args), result=answer.body, status=answer.status
            )
        return answer

    def _answer(self, method: str, *, raw_args: dict[str, Any], token: str | None) -> ApiAnswer:
        handler = METHODS.get(method)
        if handler is None:
            return ApiAnswer(200, {"ok": False, "error": "unknown_method"})
        token = token or raw_args.get("token")
        if method not in NO_AUTH:
            if not token:
                return ApiAnswer(200, {"ok": False, "error": "not_authed"})
            if token != self.bot_token:
                return ApiAnswer(200, {"ok": False, "error": "invalid_auth"})
        outcome = self.faults.take(method)
        if outcome.delay:
            time.sleep(outcome.delay)
        if outcome.status is not None:
            headers = {"Retry-After": str(outcome.retry_after)} if outcome.retry_after else {}
            return ApiAnswer(outcome.status, {"ok": False, "error": outcome.error}, headers)
        try:
            args = Args(normalize(raw_args))
            if self.limits is not None:
                wait = self.limits.admit(method, channel=args.text("channel"))
                if wait is not None:
                    return ApiAnswer(
                        429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(wait)}
                    )
            with self.workspace.lock:
                check_scopes(self.workspace, method, args)
                body = handler(self.workspace, args)
        except WebApiError as exc:
            return ApiAnswer(exc.status, exc.body())
        lost = self.faults.take_after_success(method)
        if lost.status is not None:
            return ApiAnswer(lost.status, {"ok": False, "error": lost.error})
        return ApiAnswer(200, body)


def _loggable(raw_args: dict[str, Any]) -> dict[str, Any]:
    """The call's arguments with JSON fields decoded, for `calls()`."""
    try:
        return {k: v for k, v in normalize(raw_args).items() if k != "token"}
    except WebApiError:
        return {k: v for k, v in raw_args.items() if k != "token"}
