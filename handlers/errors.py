"""The one error reporter: a localized answer to the person, never a stack trace.

Bolt's `@app.error` sees errors raised before `ack()`. An error raised after `ack()`
races Bolt's wait for the ack (Bolt may then answer Slack 404), so listeners are wrapped
with `after_ack`, which hands such errors to the same `report` instead.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App

from bot.blocks.replies import reply
from bot.deps import Deps
from bot.errors import UserError
from bot.flows.locale import locale_for
from bot.flows.start_modal import notify
from handlers.payload import caller_from_command, caller_from_interaction

logger = logging.getLogger("onboardbot.handlers")


def register(app: App, deps: Deps) -> None:
    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        report(deps, error, body)


def report(deps: Deps, error: Exception, body: dict[str, Any]) -> None:
    """Tell the person what went wrong in their language (or log an event's failure)."""
    if body.get("type") == "event_callback" or ("user" not in body and "user_id" not in body):
        logger.error("error while handling an event", exc_info=error)
        return
    caller = caller_from_command(body) if "command" in body else caller_from_interaction(body)
    locale = locale_for(deps, caller)
    if isinstance(error, UserError):
        message = reply(locale, error.key, **error.values)
    else:
        logger.error("unhandled error", exc_info=error)
        message = reply(locale, "error.unexpected")
    response_url = body.get("response_url") or next(
        (u.get("response_url") for u in body.get("response_urls") or []), None
    )
    if response_url:
        deps.gateway.respond(response_url, message)
    elif caller.user_id:
        notify(deps, caller, [message])


def after_ack(deps: Deps) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Decorate a listener: errors raised once it has acknowledged go to `report`."""

    def decorate(listener: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(listener)
        def wrapper(**kwargs: Any) -> None:
            try:
                listener(**kwargs)
            except Exception as error:
                ack = kwargs.get("ack")
                if ack is not None and getattr(ack, "response", None) is None:
                    raise  # not acknowledged yet: Bolt's error path answers Slack
                report(deps, error, kwargs.get("body") or {})

        return wrapper

    return decorate
