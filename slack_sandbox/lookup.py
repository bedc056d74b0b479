"""Finding a button the app really posted: in a channel, a message, an ephemeral or a view."""

from __future__ import annotations

import copy
from typing import Any

from slack_sandbox.buttons import describe, find_one
from slack_sandbox.errors import DriverError
from slack_sandbox.models import ButtonRef, Json
from slack_sandbox.state import Workspace


def find_button(
    ws: Workspace, target: str | Json, *, action_id: str, value: str | None
) -> ButtonRef:
    """The element, or DriverError saying what is there instead. Caller holds `ws.lock`.

    `target` is a channel id or name (newest message first), a message dict from
    `Sandbox.messages()`, an ephemeral dict from `Sandbox.ephemerals()`, or a view
    (dict or `V...` id).
    """
    if isinstance(target, str) and target.startswith("V"):
        return _in_view(ws, target, action_id, value)
    if isinstance(target, str):
        return _in_channel(ws, target, action_id, value)
    if target.get("is_ephemeral"):
        ephemeral = ws.find_ephemeral(str(target["ts"]))
        if ephemeral is None:
            raise DriverError(f"ephemeral message {target['ts']} is gone")
        return _in_blocks(
            ephemeral.blocks,
            f"ephemeral {ephemeral.ts}",
            action_id,
            value,
            channel_id=ephemeral.channel,
            message_ts=ephemeral.ts,
            is_ephemeral=True,
        )
    if target.get("type") in {"modal", "home"} and "id" in target:
        return _in_view(ws, str(target["id"]), action_id, value)
    if "channel" not in target or "ts" not in target:
        raise DriverError("pass a message from sandbox.messages(), a channel id or a view")
    channel = ws.require_channel(str(target["channel"]))
    message = channel.find_message(str(target["ts"]))
    if message is None:
        raise DriverError(f"message {target['ts']} is not (any more) in {channel.id}")
    return _in_blocks(
        message.get("blocks"),
        f"message {message['ts']}",
        action_id,
        value,
        channel_id=channel.id,
        message_ts=message["ts"],
    )


def _in_channel(ws: Workspace, ref: str, action_id: str, value: str | None) -> ButtonRef:
    channel = ws.channel(ref) or ws.channel_by_name(ref)
    if channel is None:
        raise DriverError(f"no channel {ref}")
    for message in reversed(channel.messages):
        hit = find_one(
            message.get("blocks"),
            action_id=action_id,
            value=value,
            where=f"message {message['ts']}",
        )
        if hit is not None:
            return ButtonRef(
                action_id,
                hit[0],
                copy.deepcopy(hit[1]),
                channel_id=channel.id,
                message_ts=message["ts"],
            )
    raise DriverError(f"no element {action_id!r} (value={value!r}) in any message of {ref}")


def _in_view(ws: Workspace, view_id: str, action_id: str, value: str | None) -> ButtonRef:
    view = ws.views.get(view_id)
    if view is None or view.closed:
        raise DriverError(f"view {view_id} is not open")
    return _in_blocks(
        view.payload.get("blocks"), f"view {view_id}", action_id, value, view_id=view_id
    )


def _in_blocks(
    blocks: list[Json] | None, where: str, action_id: str, value: str | None, **location: Any
) -> ButtonRef:
    hit = find_one(blocks, action_id=action_id, value=value, where=where)
    if hit is None:
        raise DriverError(
            f"no element {action_id!r} (value={value!r}) in {where}; it has {describe(blocks)}"
        )
    return ButtonRef(action_id, hit[0], copy.deepcopy(hit[1]), **location)
