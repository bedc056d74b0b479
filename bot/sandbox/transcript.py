"""A readable transcript of what people saw in the sandbox: posts, edits, ephemeral notes."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from bot.sandbox.sandbox import Sandbox

Json = dict[str, Any]
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#(C[A-Z0-9]+)(?:\|([^>]*))?>")
_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")


class Transcript:
    """Follows the sandbox and prints what changed since the last call to `flush`."""

    def __init__(self, sandbox: Sandbox, *, write: Callable[[str], None] = print) -> None:
        self.sandbox = sandbox
        self.write = write
        self._calls_seen = 0
        self._ephemerals_seen = 0
        self._rendered: dict[tuple[str, str], list[str]] = {}

    def step(self, title: str) -> None:
        self.write("")
        self.write(f"━━ {title} " + "━" * max(0, 70 - len(title)))

    def flush(self) -> None:
        """Print every post, edit and ephemeral note that happened since the last flush."""
        calls = self.sandbox.calls()
        for call in calls[self._calls_seen :]:
            if call.status == 200 and call.result.get("ok"):
                self._show_call(call.method, call.args, call.result)
        self._calls_seen = len(calls)
        notes = self.sandbox.ephemerals()
        for note in notes[self._ephemerals_seen :]:
            who = self.name(note.get("user", ""))
            self.write(f"  👁  only {who} sees:")
            self._lines(self.render(note), indent="      ")
        self._ephemerals_seen = len(notes)

    def _show_call(self, method: str, args: Json, result: Json) -> None:
        if method == "conversations.create":
            self.write(f"  ✚ channel #{result['channel']['name']} created")
        elif method == "conversations.inviteShared":
            who = args.get("emails") or args.get("user_ids")
            self.write(f"  ✉ Slack Connect invitation sent to {who}")
        elif method == "pins.add":
            self.write("  📌 checklist pinned")
        elif method == "views.open":
            self.write(f"  ▭ a form opened: {result['view'].get('title', {}).get('text', '')}")
        elif method == "chat.postMessage":
            self._show_post(result["channel"], result["ts"], edited=False)
        elif method == "chat.update":
            self._show_post(result["channel"], result["ts"], edited=True)

    def _show_post(self, channel: str, ts: str, *, edited: bool) -> None:
        message = self.sandbox.message(channel, ts)
        if message is None:
            return
        where = self.where(channel)
        lines = self.render(message)
        key = (channel, ts)
        if edited:
            before = self._rendered.get(key, [])
            changed = [line for line in lines if line not in before]
            self.write(f"  ✎ {where}: the checklist was updated")
            self._lines(changed or lines[:1], indent="      ")
        else:
            thread = " (in thread)" if message.get("thread_ts") not in (None, ts) else ""
            self.write(f"  💬 {where}{thread}:")
            self._lines(lines, indent="      ")
        self._rendered[key] = lines

    def _lines(self, lines: list[str], *, indent: str) -> None:
        for line in lines:
            self.write(indent + line)

    # -- rendering ------------------------------------------------------------------------
    def where(self, channel: str) -> str:
        info = self.sandbox.channel(channel)
        if info.get("is_im"):
            return f"DM to {self.name(info.get('user', ''))}"
        return f"#{info.get('name', channel)}"

    def name(self, user_id: str) -> str:
        try:
            user = self.sandbox.user(user_id)
        except (KeyError, ValueError, LookupError):
            return user_id
        return "@" + (user.get("real_name") or user.get("name") or user_id)

    def render(self, message: Json) -> list[str]:
        """Blocks as plain lines: sections, context, buttons as [Label]."""
        blocks = message.get("blocks") or []
        if not blocks:
            return [self.text(message.get("text", ""))]
        lines: list[str] = []
        for block in blocks:
            kind = block.get("type")
            if kind in ("section", "header"):
                text = self.text((block.get("text") or {}).get("text", ""))
                accessory = block.get("accessory") or {}
                if accessory.get("type") == "button":
                    text += f"  [{accessory['text']['text']}]"
                lines += text.splitlines() or [""]
                for field in block.get("fields") or []:
                    lines.append(self.text(field.get("text", "")))
            elif kind == "context":
                parts = [
                    self.text(e.get("text", "")) for e in block.get("elements", []) if "text" in e
                ]
                lines.append("  " + " · ".join(parts))
            elif kind == "actions":
                buttons = [
                    f"[{e['text']['text']}]"
                    for e in block.get("elements", [])
                    if e.get("type") == "button"
                ]
                lines.append("  " + " ".join(buttons))
            elif kind == "divider":
                lines.append("─" * 40)
        return [line.rstrip() for line in lines]

    def text(self, mrkdwn: str) -> str:
        text = _USER.sub(lambda m: self.name(m.group(1)), mrkdwn)
        text = _CHANNEL.sub(lambda m: "#" + (m.group(2) or self._channel_name(m.group(1))), text)
        text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
        return html.unescape(text.replace("*", ""))

    def _channel_name(self, channel_id: str) -> str:
        try:
            return str(self.sandbox.channel(channel_id).get("name", channel_id))
        except (KeyError, ValueError, LookupError):
            return channel_id
