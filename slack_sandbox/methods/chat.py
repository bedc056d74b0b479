"""chat.* methods: post, update, delete, ephemeral, permalink."""

from __future__ import annotations

import copy

from slack_sandbox.errors import WebApiError
from slack_sandbox.methods.args import Args
from slack_sandbox.methods.content import check_content
from slack_sandbox.methods.metadata import check_metadata
from slack_sandbox.models import Channel, Ephemeral, Json
from slack_sandbox.scopes import POST_UNJOINED
from slack_sandbox.state import Workspace


def post_target(ws: Workspace, ref: str) -> Channel:
    """Where chat.postMessage puts a message: a channel, the app's DM (its `D…` id from
    conversations.open), or, for a bare user id, the user's DM with Slackbot."""
    if not ref:
        raise WebApiError("channel_not_found")
    if ref[0] in "UW":
        user = ws.user(ref)
        # A user id is not a conversation: Slack delivers to the person's Slackbot DM,
        # which no deactivated user or person of another organisation has here.
        if user is None or user.deleted or ws.is_external(user):
            raise WebApiError("channel_not_found")
        if user.is_bot:
            raise WebApiError("cannot_dm_bot")
        return ws.slackbot_dm_for(user.id)
    channel = ws.require_channel(ref)
    writable(ws, channel, unjoined_public=POST_UNJOINED in ws.scopes)
    return channel


def writable(ws: Workspace, channel: Channel, *, unjoined_public: bool = False) -> None:
    """Raise what Slack says when the bot may not post in this conversation.

    `unjoined_public`: chat.postMessage with `chat:write.public` may post in a public
    channel the bot has not joined.
    """
    if channel.is_archived:
        raise WebApiError("is_archived")
    if ws.bot.id not in channel.members:
        if channel.is_private:
            raise WebApiError("channel_not_found")
        if not unjoined_public:
            raise WebApiError("not_in_channel")


def post_message(ws: Workspace, args: Args) -> Json:
    channel = post_target(ws, args.text("channel"))
    content = check_content(
        ws,
        method="chat.postMessage",
        target=channel.id,
        text=args.json("text"),
        blocks=args.json("blocks"),
        attachments=args.json("attachments"),
    )
    metadata = check_metadata(args.json("metadata"))
    message = ws.bot_message(
        text=content.text, blocks=content.blocks, attachments=content.attachments
    )
    if metadata is not None:
        message["metadata"] = metadata
    thread_ts = args.opt("thread_ts")
    ws.append_message(channel, message, thread_ts)
    if thread_ts and args.flag("reply_broadcast"):
        message["subtype"] = "thread_broadcast"
    return {
        "ok": True,
        "channel": channel.id,
        "ts": message["ts"],
        "message": copy.deepcopy(message),
    }


def _own_message(ws: Workspace, args: Args, *, refuse: str) -> tuple[Channel, Json]:
    channel = ws.require_channel(args.text("channel"))
    if ws.bot.id not in channel.members and not channel.is_im:
        raise WebApiError("channel_not_found" if channel.is_private else "not_in_channel")
    message = channel.find_message(args.text("ts"))
    if message is None:
        raise WebApiError("message_not_found")
    if message.get("user") != ws.bot.id or message.get("subtype") not in (None, "thread_broadcast"):
        raise WebApiError(refuse)
    return channel, message


def update(ws: Workspace, args: Args) -> Json:
    channel, message = _own_message(ws, args, refuse="cant_update_message")
    if channel.is_archived:
        # chat.update's word for a frozen, archived or deleted conversation.
        raise WebApiError("is_inactive")
    # Slack keeps the previous blocks/attachments when the field is left out; an
    # empty array removes them.
    blocks = args.json("blocks") if "blocks" in args.values else message.get("blocks")
    attachments = (
        args.json("attachments") if "attachments" in args.values else message.get("attachments")
    )
    content = check_content(
        ws,
        method="chat.update",
        target=channel.id,
        text=args.json("text"),
        blocks=blocks,
        attachments=attachments,
    )
    # As with blocks, leaving metadata out keeps it; an empty object removes it.
    sent_metadata = args.json("metadata")
    metadata = None if sent_metadata == {} else check_metadata(sent_metadata)
    message["text"] = content.text
    if sent_metadata == {}:
        message.pop("metadata", None)
    elif metadata is not None:
        message["metadata"] = metadata
    for key, value in (("blocks", content.blocks), ("attachments", content.attachments)):
        if value is None:
            message.pop(key, None)
        else:
            message[key] = value
    message["edited"] = {"user": ws.bot.id, "ts": ws.ids.ts()}
    return {
        "ok": True,
        "channel": channel.id,
        "ts": message["ts"],
        "text": content.text,
        "message": copy.deepcopy(message),
    }


def delete(ws: Workspace, args: Args) -> Json:
    channel, message = _own_message(ws, args, refuse="cant_delete_message")
    channel.messages.remove(message)
    if message["ts"] in channel.pins:
        channel.pins.remove(message["ts"])
    return {"ok": True, "channel": channel.id, "ts": message["ts"]}


def post_ephemeral(ws: Workspace, args: Args) -> Json:
    channel = ws.require_channel(args.text("channel"))
    writable(ws, channel)
    user_id = args.text("user")
    if ws.user(user_id) is None:
        raise WebApiError("user_not_found")
    if user_id not in channel.members:
        raise WebApiError("user_not_in_channel")
    content = check_content(
        ws,
        method="chat.postEphemeral",
        target=channel.id,
        text=args.json("text"),
        blocks=args.json("blocks"),
        attachments=args.json("attachments"),
    )
    ephemeral = Ephemeral(
        channel.id,
        user_id,
        ws.ids.ts(),
        content.text,
        content.blocks or [],
        content.attachments or [],
        "chat.postEphemeral",
        args.opt("thread_ts"),
    )
    ws.add_ephemeral(ephemeral)
    return {"ok": True, "message_ts": ephemeral.ts}


def get_permalink(ws: Workspace, args: Args) -> Json:
    channel = ws.require_channel(args.text("channel"))
    message = channel.find_message(args.text("message_ts"))
    if message is None:
        raise WebApiError("message_not_found")
    link = f"https://{ws.team.domain}.slack.com/archives/{channel.id}/p{message['ts'].replace('.', '')}"
    thread_ts = message.get("thread_ts")
    if thread_ts and thread_ts != message["ts"]:
        link += f"?thread_ts={thread_ts}&cid={channel.id}"
    return {"ok": True, "channel": channel.id, "permalink": link}
