"""The one error reporter: a localized answer to the person, never a stack trace.

Each listener is Bolt's `ack=` / `lazy=[...]` pair. The ack function reads and checks the
payload, answers Slack, and leaves what it parsed in `context["parsed"]`; the App processes
it before responding, in the request's own thread. Only then does Bolt start the lazy
function, on `deps.work`, so acknowledgements never wait behind slow Slack work. Errors in
the ack function reach Bolt's `@app.error`; errors in lazy work go to the same `report`.
Only requests whose signature the HTTP layer verified (or Socket Mode's) get this far.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse

from bot.deps import Deps
from bot.flows.refusals import error_message
from bot.flows.start_modal import notify
from handlers.payload import caller_of

logger = logging.getLogger("onboardbot.handlers")


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


def reported(deps: Deps, work: Callable[..., None]) -> Callable[..., None]:
    """`work` as a lazy listener: `app.action(...)(ack=..., lazy=[reported(deps, work)])`.

    Bolt starts it on `deps.work` once the ack function has returned, with a copy of the
    request's context. It runs only when the ack function left the request it parsed in
    `context["parsed"]`: not after a refusal shown on a form, nor after an error (Bolt's
    `@app.error` has it). Bolt only logs a lazy listener's errors: these go to `report`.
    `work` takes `parsed` and `body` (Bolt injects arguments by name)."""
    missing = {"parsed", "body"} - set(inspect.signature(work).parameters)
    if missing:
        raise TypeError(f"{work.__name__} must take {', '.join(sorted(missing))}")

    @functools.wraps(work)
    def run(**kwargs: Any) -> None:
        if kwargs["parsed"] is None:
            return
        try:
            work(**kwargs)
        except Exception as error:
            report_quietly(deps, error, kwargs["body"])

    return run


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
