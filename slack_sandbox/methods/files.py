"""The external upload flow: files.getUploadURLExternal, the upload URL, files.completeUploadExternal."""

from __future__ import annotations

from slack_sandbox.errors import WebApiError
from slack_sandbox.methods.args import Args
from slack_sandbox.methods.chat import writable
from slack_sandbox.models import Json, StoredFile
from slack_sandbox.state import Workspace


def get_upload_url(ws: Workspace, args: Args) -> Json:
    filename = args.text("filename")
    length = args.number("length", -1)
    if not filename or length < 0:
        raise WebApiError(
            "invalid_arguments",
            response_metadata={"messages": ["[ERROR] filename and length are required"]},
        )
    stored = StoredFile(
        ws.ids.new("F"),
        filename,
        length,
        ws.bot.id,
        ws.now(),
        ws.ids.secret(),
        alt_txt=args.opt("alt_txt"),
    )
    ws.files[stored.id] = stored
    return {
        "ok": True,
        "upload_url": f"{ws.public_url}/upload/v1/{stored.upload_token}",
        "file_id": stored.id,
    }


def receive_upload(ws: Workspace, *, token: str, data: bytes) -> StoredFile | None:
    """Bytes POSTed to an upload URL; None when the URL is unknown."""
    stored = next((f for f in ws.files.values() if f.upload_token == token), None)
    if stored is not None:
        stored.data = data
    return stored


def complete_upload(ws: Workspace, args: Args) -> Json:
    entries = args.json("files")
    if not isinstance(entries, list) or not entries:
        raise WebApiError(
            "invalid_arguments",
            response_metadata={"messages": ["[ERROR] files must be a non-empty array"]},
        )
    stored: list[StoredFile] = []
    for entry in entries:
        found = ws.files.get(str(entry.get("id", ""))) if isinstance(entry, dict) else None
        if found is None or found.data is None or found.completed:
            raise WebApiError("file_not_found")
        stored.append(found)
    channel_ids = args.many("channels") or (
        [args.text("channel_id")] if "channel_id" in args else []
    )
    channels = []
    for channel_id in channel_ids:
        channel = ws.channel(channel_id)
        if channel is None:
            raise WebApiError("invalid_channel")
        try:
            writable(ws, channel)
        except WebApiError as exc:
            raise WebApiError("posting_to_channel_denied") from exc
        channels.append(channel)
    for entry, found in zip(entries, stored, strict=True):
        found.title = str(entry.get("title") or found.name)
        found.completed = True
    for channel in channels:
        for found in stored:
            found.channels.append(channel.id)
        message = ws.bot_message(
            text=args.text("initial_comment"), blocks=args.json("blocks"), attachments=None
        )
        message["files"] = [f.to_slack(domain=ws.team.domain) for f in stored]
        message["upload"] = True
        ws.append_message(channel, message, args.opt("thread_ts"))
    return {"ok": True, "files": [{"id": f.id, "title": f.title} for f in stored]}


def info(ws: Workspace, args: Args) -> Json:
    found = ws.files.get(args.text("file"))
    if found is None or not found.completed:
        raise WebApiError("file_not_found")
    return {"ok": True, "file": found.to_slack(domain=ws.team.domain)}


def upload_v1(ws: Workspace, args: Args) -> Json:
    raise WebApiError("method_deprecated")
