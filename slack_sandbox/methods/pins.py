"""pins.* methods."""

from __future__ import annotations

import copy

from slack_sandbox.errors import WebApiError
from slack_sandbox.methods.args import Args
from slack_sandbox.models import Channel, Json
from slack_sandbox.state import Workspace


def _channel(ws: Workspace, args: Args) -> Channel:
    channel = ws.require_channel(args.text("channel"))
    if ws.bot.id not in channel.members:
        raise WebApiError("channel_not_found" if channel.is_private else "not_in_channel")
    return channel


def add(ws: Workspace, args: Args) -> Json:
    channel = _channel(ws, args)
    ts = args.opt("timestamp")
    if ts is None:
        raise WebApiError("no_item_specified")
    if channel.is_archived:
        raise WebApiError("is_archived")
    message = channel.find_message(ts)
    if message is None:
        raise WebApiError("message_not_found")
    if ts in channel.pins:
        raise WebApiError("already_pinned")
    channel.pins.append(ts)
    message["pinned_to"] = [channel.id]
    message["pinned_info"] = {channel.id: {"pinned_by": ws.bot.id, "pinned_ts": ws.now()}}
    return {"ok": True}


def remove(ws: Workspace, args: Args) -> Json:
    channel = _channel(ws, args)
    ts = args.opt("timestamp")
    if ts is None:
        raise WebApiError("no_item_specified")
    if ts not in channel.pins:
        raise WebApiError("no_pin")
    channel.pins.remove(ts)
    message = channel.find_message(ts)
    if message is not None:
        message.pop("pinned_to", None)
        message.pop("pinned_info", None)
    return {"ok": True}


def list_(ws: Workspace, args: Args) -> Json:
    channel = _channel(ws, args)
    items = []
    for ts in reversed(channel.pins):
        message = channel.find_message(ts)
        if message is None:
            continue
        pinned = message.get("pinned_info", {}).get(channel.id, {})
        items.append(
            {
                "type": "message",
                "created": pinned.get("pinned_ts", 0),
                "created_by": pinned.get("pinned_by", ws.bot.id),
                "channel": channel.id,
                "message": copy.deepcopy(message),
            }
        )
    return {"ok": True, "items": items}
