"""Who is asking and where, read from the payload once per request.

Listeners take it as `caller` (Bolt injects context values by name); the acting `Actor` and
the language to answer in are resolved from it once, when a flow first needs them. Lazy
listeners get the same `Caller` (Bolt deep-copies the context for them; a Caller copies as
itself), with what the ack function resolved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext

from bot.blocks.ids import CallbackId
from bot.deps import Deps
from handlers.payload import caller_of


def register(app: App, deps: Deps) -> None:
    @app.middleware
    def resolve_caller(
        body: dict[str, Any], context: BoltContext, next_: Callable[[], None]
    ) -> None:
        if body.get("user_id") or (body.get("user") or {}).get("id"):
            context["caller"] = caller_of(body, deps=deps, form_channel=_start_form_channel(body))
        context["parsed"] = None  # what the ack function read, for the lazy part (see errors)
        next_()


def _start_form_channel(body: dict[str, Any]) -> str | None:
    """The start form carries the channel it was opened from (to answer there); nothing
    else in a submission is taken for a channel."""
    view = body.get("view") or {}
    if body.get("type") != "view_submission" or view.get("callback_id") != CallbackId.START_PROJECT:
        return None
    metadata = view.get("private_metadata")
    return metadata if isinstance(metadata, str) and metadata.isalnum() else None
