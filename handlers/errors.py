"""The one error reporter: a localized answer to the person, never a stack trace.

Listeners are wrapped with `after_ack`. A listener reads and checks the payload, calls
`ack()`, and returns what is left to do (a function of no arguments) instead of doing it:
that runs on `deps.work`, so acknowledgements never wait behind slow Slack work. Errors
raised before `ack()` reach Bolt's `@app.error`; errors after it go to the same `report`.
Only requests whose signature the HTTP layer verified (or Socket Mode's) get this far.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse

from bot.deps import Deps
from bot.flows.refusals import error_message
from bot.flows.start_modal import notify
from handlers.payload import caller_of

logger = logging.getLogger("onboardbot.handlers")


Later = Callable[[], None]


def register(app: App, deps: Deps) -> None:
    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> BoltResponse:
        # Telling the person may wait on Slack: never in the acknowledgement's time.
        deps.work.submit(report_quietly, deps, error, body)
        # The person is told (or, for an event, the error logged): an empty answer
        # acknowledges the request instead of making Slack show a second, generic failure.
        return BoltResponse(status=200, body="")


def report(deps: Deps, error: Exception, body: dict[str, Any]) -> None:
    """Tell the person what went wrong in their language (or log an event's failure)."""
    if body.get("type") == "event_callback" or ("user" not in body and "user_id" not in body):
        logger.error("error while handling an event", exc_info=error)
        return
    caller = caller_of(body, deps=deps)
    message = error_message(error, caller.locale)
    response_url = body.get("response_url") or next(
        (u.get("response_url") for u in body.get("response_urls") or []), None
    )
    if response_url:
        deps.gateway.respond(response_url, message)
    elif caller.user_id:
        notify(deps, caller, [message])


def after_ack(deps: Deps) -> Callable[[Callable[..., Later | None]], Callable[..., None]]:
    """Decorate a listener that returns its post-ack work: run that work on `deps.work`;
    errors raised once it has acknowledged go to `report`."""

    def decorate(listener: Callable[..., Later | None]) -> Callable[..., None]:
        @functools.wraps(listener)
        def wrapper(**kwargs: Any) -> None:
            body = kwargs.get("body") or {}
            try:
                later = listener(**kwargs)
            except Exception as error:
                ack = kwargs.get("ack")
                if ack is not None and getattr(ack, "response", None) is None:
                    raise  # not acknowledged yet: Bolt's error path answers Slack
                deps.work.submit(report_quietly, deps, error, body)
                return
            if later is not None:
                deps.work.submit(_run_later, deps, later, body)

        return wrapper

    return decorate


def _run_later(deps: Deps, later: Later, body: dict[str, Any]) -> None:
    try:
        later()
    except Exception as error:
        report_quietly(deps, error, body)


def report_quietly(deps: Deps, error: Exception, body: dict[str, Any]) -> None:
    """`report`, for a pool thread: when even the answer fails (Slack down), log why."""
    try:
        report(deps, error, body)
    except Exception as failure:  # nobody else would ever see it
        logger.warning(
            "could not tell the person about %s: %s: %s",
            type(error).__name__,
            type(failure).__name__,
            failure,
        )
