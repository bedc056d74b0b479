"""The one error handler: a localized answer to the person, never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.blocks.replies import reply
from bot.deps import Deps
from bot.errors import UserError
from bot.flows.locale import locale_for
from bot.flows.start_modal import notify
from handlers.payload import caller_from_command, caller_from_interaction


def register(app: App, deps: Deps) -> None:
    @app.error
    def on_error(error: Exception, body: dict[str, Any], logger: logging.Logger) -> None:
        if body.get("type") == "event_callback" or ("user" not in body and "user_id" not in body):
            logger.exception("error while handling an event", exc_info=error)
            return
        caller = caller_from_command(body) if "command" in body else caller_from_interaction(body)
        locale = locale_for(deps, caller)
        if isinstance(error, UserError):
            message = reply(locale, error.key, **error.values)
        else:
            logger.exception("unhandled error", exc_info=error)
            message = reply(locale, "error.unexpected")
        response_url = body.get("response_url") or next(
            (u.get("response_url") for u in body.get("response_urls") or []), None
        )
        if response_url:
            deps.gateway.respond(response_url, message)
        elif caller.user_id:
            notify(deps, caller, [message])
