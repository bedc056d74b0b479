"""conversations.* methods for channels and IMs (Slack Connect invites live in connect.py)."""

from __future__ import annotations

import base64
import copy
import re
from decimal import Decimal, InvalidOperation

from slack_sandbox.errors import WebApiError
from slack_sandbox.methods.args import Args
from slack_sandbox.methods.metadata import without_metadata
from slack_sandbox.methods.paging import page
from slack_sandbox.models import Channel, Json
from slack_sandbox.state import Workspace

_NAME_CHARS = re.compile(r"[a-z0-9_\-]+")
_TOPIC_MAX = 250


def _info(ws: Workspace, channel: Channel, **flags: bool) -> Json:
    return channel.to_slack(bot_user_id=ws.bot.id, **flags)


def _visible(ws: Workspace, args: Args) -> Channel:
    """A channel the bot can see: private ones only when it is a member."""
    channel = ws.require_channel(args.text("channel"))
    if channel.is_private and not channel.is_im and ws.bot.id not in channel.members:
        raise WebApiError("channel_not_found")
    return channel


def _member_of(ws: Workspace, args: Args) -> Channel:
    channel = _visible(ws, args)
    if ws.bot.id not in channel.members:
        raise WebApiError("not_in_channel")
    return channel


def check_name(ws: Workspace, name: str) -> None:
    """Slack's channel-name rules, with its error codes."""
    if not name:
        raise WebApiError("invalid_name_required")
    if len(name) > 80:
        raise WebApiError("invalid_name_maxlength")
    if not _NAME_CHARS.fullmatch(name):
        raise WebApiError("invalid_name_specials")
    if not re.search(r"[a-z0-9]", name):
        raise WebApiError("invalid_name_punctuation")
    if ws.channel_by_name(name) is not None:
        raise WebApiError("name_taken")


def create(ws: Workspace, args: Args) -> Json:
    if ws.create_channel_error is not None:
        # A workspace setting (e.g. only admins may create channels) refuses the app.
        raise WebApiError(ws.create_channel_error)
    name = args.text("name")
    check_name(ws, name)
    channel = ws.add_channel(name=name, is_private=args.flag("is_private"))
    return {"ok": True, "channel": _info(ws, channel)}


def info(ws: Workspace, args: Args) -> Json:
    channel = _visible(ws, args)
    return {
        "ok": True,
        "channel": _info(ws, channel, include_num_members=args.flag("include_num_members")),
    }


def list_(ws: Workspace, args: Args) -> Json:
    types = set(args.many("types") or ["public_channel"])
    exclude_archived = args.flag("exclude_archived")
    found = []
    for channel in ws.channels.values():
        kind = (
            "im" if channel.is_im else "private_channel" if channel.is_private else "public_channel"
        )
        if channel.is_slackbot_dm or kind not in types:
            continue
        if exclude_archived and channel.is_archived:
            continue
        if kind == "private_channel" and ws.bot.id not in channel.members:
            continue
        found.append(_info(ws, channel))
    chunk, cursor = page(found, cursor=args.opt("cursor"), limit=args.number("limit", 100))
    return {"ok": True, "channels": chunk, "response_metadata": {"next_cursor": cursor}}


def members(ws: Workspace, args: Args) -> Json:
    channel = _visible(ws, args)
    chunk, cursor = page(
        channel.members, cursor=args.opt("cursor"), limit=args.number("limit", 100)
    )
    return {"ok": True, "members": chunk, "response_metadata": {"next_cursor": cursor}}


def invite(ws: Workspace, args: Args) -> Json:
    channel = _visible(ws, args)
    if channel.is_im:
        raise WebApiError("method_not_supported_for_channel_type")
    if channel.is_archived:
        raise WebApiError("is_archived")
    if ws.bot.id not in channel.members:
        raise WebApiError("not_in_channel")
    user_ids = args.many("users")
    if not user_ids:
        raise WebApiError("no_user")
    if len(user_ids) > 1000:
        raise WebApiError("too_many_users")
    failures = [
        {"user": u, "ok": False, "error": e}
        for u in user_ids
        if (e := _invite_problem(ws, channel, u)) is not None
    ]
    if failures:
        raise WebApiError(str(failures[0]["error"]), errors=failures)
    for user_id in user_ids:
        ws.add_member(channel, user_id, inviter=ws.bot.id)
    return {"ok": True, "channel": _info(ws, channel)}


def _invite_problem(ws: Workspace, channel: Channel, user_id: str) -> str | None:
    user = ws.user(user_id)
    if user_id == ws.bot.id:
        return "cant_invite_self"
    if user is None or user.deleted:
        return "user_not_found"
    if user_id in channel.members:
        return "already_in_channel"
    if ws.is_external(user) and user.team_id not in channel.shared_team_ids:
        # People from other organizations arrive through conversations.inviteShared.
        return "cant_invite"
    return None


def join(ws: Workspace, args: Args) -> Json:
    channel = ws.require_channel(args.text("channel"))
    if channel.is_im:
        raise WebApiError("method_not_supported_for_channel_type")
    if channel.is_private and ws.bot.id not in channel.members:
        raise WebApiError("channel_not_found")
    if channel.is_archived:
        raise WebApiError("is_archived")
    if ws.bot.id in channel.members:
        return {
            "ok": True,
            "channel": _info(ws, channel),
            "warning": "already_in_channel",
            "response_metadata": {"warnings": ["already_in_channel"]},
        }
    ws.add_member(channel, ws.bot.id, inviter=None)
    return {"ok": True, "channel": _info(ws, channel)}


def archive(ws: Workspace, args: Args) -> Json:
    channel = _member_of(ws, args)
    if channel.is_im:
        raise WebApiError("method_not_supported_for_channel_type")
    if channel.is_archived:
        raise WebApiError("already_archived")
    if channel.is_general:
        raise WebApiError("cant_archive_general")
    channel.is_archived = True
    return {"ok": True}


def _set_text(ws: Workspace, args: Args, *, field: str, subtype: str) -> Json:
    channel = _member_of(ws, args)
    if channel.is_archived:
        raise WebApiError("is_archived")
    value = args.text(field)
    if len(value) > _TOPIC_MAX:
        raise WebApiError("too_long")
    setattr(channel, field, {"value": value, "creator": ws.bot.id, "last_set": ws.now()})
    ws.system_message(
        channel,
        subtype=subtype,
        user=ws.bot.id,
        text=f"set the channel {field}: {value}",
        **{field: value},
    )
    return {"ok": True, "channel": _info(ws, channel)}


def set_topic(ws: Workspace, args: Args) -> Json:
    return _set_text(ws, args, field="topic", subtype="channel_topic")


def set_purpose(ws: Workspace, args: Args) -> Json:
    return _set_text(ws, args, field="purpose", subtype="channel_purpose")


def _top_level(message: Json) -> bool:
    thread_ts = message.get("thread_ts")
    return thread_ts in (None, message["ts"]) or message.get("subtype") == "thread_broadcast"


def history(ws: Workspace, args: Args) -> Json:
    """Top-level messages, newest first, between `oldest` and `latest`, a page at a time."""
    channel = _member_of(ws, args)
    oldest = _timestamp(args, "oldest", default=Decimal(0))
    latest = _timestamp(args, "latest", default=Decimal("Infinity"))
    inclusive = args.flag("inclusive")
    found = [
        m
        for m in reversed(channel.messages)
        if _top_level(m) and _between(Decimal(m["ts"]), oldest, latest, inclusive=inclusive)
    ]
    start = _history_cursor(args.opt("cursor"))
    if start is not None:
        found = [m for m in found if Decimal(m["ts"]) <= start]
    size = max(1, min(args.number("limit", 100), 999))
    chunk, rest = found[:size], found[size:]
    # Slack's history cursors name the next message's ts, so messages posted
    # between two pages do not shift the second page.
    cursor = _encode_cursor(rest[0]["ts"]) if rest else ""
    return {
        "ok": True,
        "messages": _shown(chunk, include_metadata=args.flag("include_all_metadata")),
        "has_more": bool(rest),
        "pin_count": len(channel.pins),
        "response_metadata": {"next_cursor": cursor},
    }


def _timestamp(args: Args, name: str, *, default: Decimal) -> Decimal:
    text = args.opt(name)
    if text is None:
        return default
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise WebApiError(f"invalid_ts_{name}") from exc
    if not value.is_finite() or value < 0:
        raise WebApiError(f"invalid_ts_{name}")
    return value


def _between(ts: Decimal, oldest: Decimal, latest: Decimal, *, inclusive: bool) -> bool:
    if inclusive:
        return oldest <= ts <= latest
    return oldest < ts < latest


def _encode_cursor(ts: str) -> str:
    return base64.b64encode(f"next_ts:{ts.replace('.', '')}".encode()).decode()


def _history_cursor(cursor: str | None) -> Decimal | None:
    """The ts a history cursor starts at (inclusive), or None for the first page."""
    if not cursor:
        return None
    try:
        kind, _, digits = base64.b64decode(cursor.encode(), validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError) as exc:
        raise WebApiError("invalid_cursor") from exc
    if kind != "next_ts" or not digits.isdigit() or len(digits) <= 6:
        raise WebApiError("invalid_cursor")
    return Decimal(f"{digits[:-6]}.{digits[-6:]}")


def _shown(messages: list[Json], *, include_metadata: bool) -> list[Json]:
    """Copies as history and replies return them: metadata only when asked for."""
    return [copy.deepcopy(m if include_metadata else without_metadata(m)) for m in messages]


def replies(ws: Workspace, args: Args) -> Json:
    channel = _member_of(ws, args)
    ts = args.text("ts")
    parent = channel.find_message(ts)
    if parent is None:
        raise WebApiError("thread_not_found")
    root = parent.get("thread_ts", parent["ts"])
    thread = [m for m in channel.messages if m["ts"] == root or m.get("thread_ts") == root]
    chunk, cursor = page(thread, cursor=args.opt("cursor"), limit=args.number("limit", 1000))
    return {
        "ok": True,
        "messages": _shown(chunk, include_metadata=args.flag("include_all_metadata")),
        "has_more": bool(cursor),
        "response_metadata": {"next_cursor": cursor},
    }


def open_(ws: Workspace, args: Args) -> Json:
    if "channel" in args:
        channel = ws.require_channel(args.text("channel"))
        if not channel.is_im:
            raise WebApiError("method_not_supported_for_channel_type")
        return {
            "ok": True,
            "no_op": True,
            "already_open": True,
            "channel": _info(ws, channel) if args.flag("return_im") else {"id": channel.id},
        }
    user_ids = [u for u in args.many("users") if u != ws.bot.id]
    if not user_ids:
        raise WebApiError("users_list_not_supplied")
    if len(user_ids) > 1:
        # Group DMs are out of the sandbox's scope.
        raise WebApiError("method_not_supported_for_channel_type")
    user = ws.user(user_ids[0])
    if user is None:
        raise WebApiError("user_not_found")
    if user.deleted:
        raise WebApiError("user_disabled")
    if user.is_bot:
        raise WebApiError("cannot_dm_bot")
    if ws.is_external(user) and not ws.shares_channel_with_bot(user.id):
        # An app may DM someone of another organisation once they share a channel.
        raise WebApiError("invalid_user_combination")
    already = user.id in ws.ims
    channel = ws.im_for(user.id)
    body: Json = {
        "ok": True,
        "channel": _info(ws, channel) if args.flag("return_im") else {"id": channel.id},
    }
    if already:
        body.update(no_op=True, already_open=True)
    return body
