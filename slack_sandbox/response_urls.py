"""What happens when the app POSTs to a response_url the sandbox handed out."""

from __future__ import annotations

from typing import Any

from slack_sandbox.errors import WebApiError
from slack_sandbox.methods.content import check_content
from slack_sandbox.models import Ephemeral, ResponseUrl
from slack_sandbox.state import RESPONSE_URL_TTL, RESPONSE_URL_USES, Workspace


def answer(ws: Workspace, *, token: str, body: dict[str, Any]) -> tuple[int, str]:
    """Apply one response_url POST; return Slack's HTTP status and body text."""
    url = ws.response_urls.get(token)
    if url is None or ws.clock() - url.issued_at > RESPONSE_URL_TTL:
        return 404, "expired_url"
    if url.uses >= RESPONSE_URL_USES:
        return 404, "used_url"
    url.uses += 1
    try:
        _apply(ws, url, body)
    except WebApiError as exc:
        return 400, exc.error
    return 200, "ok"


def _apply(ws: Workspace, url: ResponseUrl, body: dict[str, Any]) -> None:
    if _truthy(body.get("delete_original")):
        _delete_original(ws, url)
        return
    content = check_content(
        ws,
        method="response_url",
        target=url.channel_id,
        text=body.get("text"),
        blocks=body.get("blocks"),
        attachments=body.get("attachments"),
    )
    if _truthy(body.get("replace_original")) and _replace_original(ws, url, content):
        return
    channel = ws.require_channel(url.channel_id)
    if body.get("response_type") == "in_channel":
        message = ws.bot_message(
            text=content.text, blocks=content.blocks, attachments=content.attachments
        )
        ws.append_message(channel, message, body.get("thread_ts"))
        return
    ephemeral = Ephemeral(
        channel.id,
        url.user_id,
        ws.ids.ts(),
        content.text,
        content.blocks or [],
        content.attachments or [],
        "response_url",
        body.get("thread_ts"),
    )
    ws.add_ephemeral(ephemeral)
    url.ephemeral_ts = url.ephemeral_ts or ephemeral.ts


def _replace_original(ws: Workspace, url: ResponseUrl, content: Any) -> bool:
    if url.ephemeral_ts is not None:
        ephemeral = ws.find_ephemeral(url.ephemeral_ts)
        if ephemeral is not None:
            ephemeral.text = content.text
            ephemeral.blocks = content.blocks or []
            ephemeral.attachments = content.attachments or []
            return True
    if url.message_ts is not None:
        channel = ws.require_channel(url.channel_id)
        message = channel.find_message(url.message_ts)
        if message is not None:
            message["text"] = content.text
            for key in ("blocks", "attachments"):
                value = getattr(content, key)
                if value is None:
                    message.pop(key, None)
                else:
                    message[key] = value
            message["edited"] = {"user": ws.bot.id, "ts": ws.ids.ts()}
            return True
    return False


def _delete_original(ws: Workspace, url: ResponseUrl) -> None:
    if url.ephemeral_ts is not None:
        ws.ephemerals = [e for e in ws.ephemerals if e.ts != url.ephemeral_ts]
        return
    if url.message_ts is not None:
        channel = ws.require_channel(url.channel_id)
        message = channel.find_message(url.message_ts)
        if message is not None:
            channel.messages.remove(message)


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"
