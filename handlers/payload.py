"""Reading the common parts of Slack payloads."""

from __future__ import annotations

from typing import Any

from bot.deps import Deps
from bot.domain.ids import row_id
from bot.errors import UserError
from bot.flows.context import Caller


def caller_of(
    body: dict[str, Any], *, deps: Deps | None = None, form_channel: str | None = None
) -> Caller:
    """Who acted, and where, from any payload: a slash command, a button, a form. A form's
    submission names no channel; `form_channel` is the one it was opened from, when the
    form carries it. `deps` resolves who that is (see `Caller`)."""
    if "command" in body:
        return Caller(
            user_id=body["user_id"],
            channel_id=body.get("channel_id"),
            payload_team_id=body.get("user_team_id") or body.get("team_id"),
            deps=deps,
        )
    user = body.get("user") or {}
    if body.get("type") == "view_submission":
        channel = form_channel
    else:
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
            "channel_id"
        )
    return Caller(
        user_id=user["id"], channel_id=channel, payload_team_id=user.get("team_id"), deps=deps
    )


def without_nul(text: str) -> str:
    """Slack passes NUL characters through; PostgreSQL text columns can't store them."""
    return text.replace("\x00", "")


def id_value(action: dict[str, Any], *, gone: str = "error.task_not_found") -> int:
    """The numeric id a button carries as its value (a project, task or risk id).

    A value that isn't one (a forged payload) is refused like a vanished object (`gone`).
    """
    return bounded_id(action.get("value"), gone=gone)


def metadata_id(view: dict[str, Any], *, gone: str) -> int:
    """The numeric id a modal carries in its private_metadata (a project or task id)."""
    return bounded_id(view.get("private_metadata"), gone=gone)


def bounded_id(raw: object, *, gone: str) -> int:
    """A database id from a payload: ASCII digits that fit the database's integer ids.
    Anything else (40 digits, "1e9", a list, nothing) is refused with the `gone` message."""
    found = row_id(raw)
    if found is None:
        raise UserError(gone)
    return found
