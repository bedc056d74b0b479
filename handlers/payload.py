"""Reading the common parts of Slack payloads."""

from __future__ import annotations

from typing import Any

from bot.errors import UserError
from bot.flows.context import Caller


def caller_from_command(body: dict[str, Any]) -> Caller:
    return Caller(
        user_id=body["user_id"],
        channel_id=body.get("channel_id"),
        payload_team_id=body.get("user_team_id") or body.get("team_id"),
    )


def caller_from_interaction(body: dict[str, Any]) -> Caller:
    user = body.get("user") or {}
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    return Caller(user_id=user["id"], channel_id=channel, payload_team_id=user.get("team_id"))


def without_nul(text: str) -> str:
    """Slack passes NUL characters through; PostgreSQL text columns can't store them."""
    return text.replace("\x00", "")


def id_value(action: dict[str, Any]) -> int:
    """The numeric id a button carries as its value (a project, task or risk id).

    A value that isn't one (a forged payload) is refused like a vanished task.
    """
    value = str(action.get("value") or "")
    if not value.isdigit():
        raise UserError("error.task_not_found")
    return int(value)
