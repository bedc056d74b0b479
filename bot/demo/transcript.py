"""What people saw in the sandbox, as a CS manager would read it: each scene headed with its
simulated date, time and who acts; for every message who sees it; a checklist edit as the
lines that changed, under their task's title. Narration is in the demo's language only."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.demo.text import TEXT
from slack_sandbox.sandbox import Sandbox

Json = dict[str, Any]
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#(C[A-Z0-9]+)(?:\|([^>]*))?>")
_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")
_SPECIAL = re.compile(r"<!(\w+)(?:\|[^>]*)?>")
_TASK_BLOCK = re.compile(r"^(task-\d+)")
REPEATED_KINDS = ("reminder", "digest", "habit", "summary")  # sent again and again
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
INDENT, BODY = "  ", "      "


def when(moment: datetime, zone: ZoneInfo, label: str, lang: str) -> str:
    local = moment.astimezone(zone)
    text = TEXT[lang]
    return text["when"].format(
        month=local.month,
        day=local.day,
        weekday=text["weekdays"].split()[local.weekday()]
        if lang == "en"
        else text["weekdays"][local.weekday()],
        hour=local.hour,
        minute=local.minute,
        zone=label,
    )


class Transcript:
    """Follows the sandbox and prints what changed since the last `flush`."""

    def __init__(
        self,
        sandbox: Sandbox,
        *,
        lang: str,
        write: Callable[[str], None] = print,
        keep: Path | None = None,
    ) -> None:
        self.sandbox, self.lang, self.write, self.keep = sandbox, lang, write, keep
        self.text = TEXT[lang]
        self.kept: list[Path] = []
        self._calls_seen = 0
        self._ephemerals_seen = 0
        self._rendered: dict[tuple[str, str], list[tuple[str, list[str]]]] = {}
        self._kinds: set[tuple[str, str]] = set()
        self._full = False
        self._pending: str | None = None
        self._opening: dict[str, Json] = {}

    # -- scenes -----------------------------------------------------------------------------
    def scene(self, heading: str, *, lazy: bool = False) -> None:
        """A scene's heading; a `lazy` one is printed only if something happens in it."""
        self._pending = heading
        if not lazy:
            self._heading()

    def _heading(self) -> None:
        if self._pending is None:
            return
        title, self._pending = self._pending, None
        self.write("")
        fill = 66 - _width(title)
        self.write(f"━━ {title} " + "━" * fill if fill > 0 else f"━━ {title}")

    def say(self, line: str, *, indent: str = INDENT) -> None:
        self._heading()
        self.write(indent + line)

    def _t(self, key: str, **values: Any) -> str:
        return self.text[key].format(**values)

    def sent_kinds(self) -> list[str]:
        """What the messages posted since the last flush are (their outbox keys' first
        part: reminder, escalation, digest…), in order, each once."""
        kinds: list[str] = []
        for call in self.sandbox.calls()[self._calls_seen :]:
            if call.method != "chat.postMessage" or not call.result.get("ok"):
                continue
            message = self.sandbox.message(call.result["channel"], call.result["ts"]) or {}
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            kind = str(payload.get("key") or "").split(":", 1)[0]
            if kind and kind not in kinds:
                kinds.append(kind)
        return kinds

    # -- what changed ---------------------------------------------------------------------
    def flush(self, *, full: bool = False) -> None:
        """Show what happened since the last flush; `full`: every message in full, even
        one that comes every day."""
        self._full = full
        calls = self.sandbox.calls()
        for call in calls[self._calls_seen :]:
            if call.status == 200 and call.result.get("ok"):
                self._show_call(call.method, call.args, call.result)
        self._calls_seen = len(calls)
        for view in self._opening.values():
            self._show_form(view)
        self._opening.clear()
        notes = self.sandbox.ephemerals()
        for note in notes[self._ephemerals_seen :]:
            self.say(self._t("ephemeral", who=self.name(note.get("user", ""))))
            self._lines(self.render(note))
        self._ephemerals_seen = len(notes)

    def _show_call(self, method: str, args: Json, result: Json) -> None:
        if method == "conversations.create":
            self.say(self._t("channel_created", name=result["channel"]["name"]))
        elif method == "conversations.inviteShared":
            who = args.get("emails") or args.get("user_ids")
            self.say(self._t("invited", who=who))
        elif method == "pins.add":
            self.say(self._t("pinned"))
        elif method == "views.open":
            # Forms open with a "preparing…" view and are filled in by views.update.
            self._opening[result["view"]["id"]] = result["view"]
        elif method == "views.update" and result["view"]["id"] in self._opening:
            del self._opening[result["view"]["id"]]
            self._show_form(result["view"])
        elif method == "chat.postMessage":
            self._show_post(result["channel"], result["ts"])
        elif method == "chat.update":
            self._show_edit(result["channel"], result["ts"])
        elif method == "files.completeUploadExternal":
            self._show_files(args, result)
        elif method == "response_url" and str(args.get("replace_original")).lower() == "true":
            # The message whose button was pressed, rewritten (seen where it was).
            self.say(self.text["replaced"])
            self._lines(self.render(args))

    def _where(self, channel: str, *, thread: bool) -> tuple[str, str]:
        info = self.sandbox.channel(channel)
        suffix = self.text["in_thread"] if thread else ""
        if info.get("is_im"):
            return "dm", self._t("dm", who=self.name(info.get("user", "")), thread=suffix)
        return "post", self._t("post", channel=info.get("name", channel), thread=suffix)

    def _show_post(self, channel: str, ts: str) -> None:
        message = self.sandbox.message(channel, ts)
        if message is None:
            return
        thread = message.get("thread_ts") not in (None, ts)
        _, where = self._where(channel, thread=thread)
        groups = self.groups(message)
        self._rendered[(channel, ts)] = groups
        lines = [line for _, group in groups for line in group]
        kind = _kind(message)
        if kind is not None and not self._full:
            # Tomorrow's reminder, next week's digest: after the first, the first line.
            if (kind, channel) in self._kinds and len(lines) > 1:
                first = next((line.strip() for line in lines if line.strip()), "")
                self.say(f"{where} {first} {self.text['repeat']}")
                return
            self._kinds.add((kind, channel))
        self.say(where)
        self._lines(lines)

    def _show_edit(self, channel: str, ts: str) -> None:
        message = self.sandbox.message(channel, ts)
        if message is None:
            return
        before = dict(self._rendered.get((channel, ts), []))
        groups = self.groups(message)
        self._rendered[(channel, ts)] = groups
        changed: list[str] = []
        for key, lines in groups:
            old = before.get(key)
            if old == lines:
                continue
            if key.startswith("task-"):
                # The task's title, then what changed under it.
                changed.append(lines[0])
                changed += [line for line in lines[1:] if old is None or line not in old]
            else:
                changed += [line for line in lines if old is None or line not in old]
        if not changed:
            return
        info = self.sandbox.channel(channel)
        if any(key.startswith("task-") for key, _ in groups):
            self.say(self._t("edited", channel=info.get("name", channel)))
        else:
            self.say(self._t("edited_other", where=self._where(channel, thread=False)[1]))
        self._lines(changed)

    def _show_files(self, args: Json, result: Json) -> None:
        channel = str(args.get("channel_id") or "")
        thread = bool(args.get("thread_ts"))
        info = self.sandbox.channel(channel) if channel else {}
        where = "#" + str(info.get("name", channel))
        if thread:
            where += self.text["in_thread"]
        stored = {f["id"]: f for f in self.sandbox.files()}
        for entry in result.get("files", []):
            found = stored.get(entry["id"], {})
            self.say(self._t("file", where=where, title=entry.get("title", "")))
            if self.keep is not None and found.get("content"):
                path = self.keep / str(found.get("name") or f"{entry['id']}.png")
                path.write_bytes(found["content"])
                self.kept.append(path)
                self.say(self._t("file_kept", path=path), indent=BODY)

    def _show_form(self, view: Json) -> None:
        self.say(self._t("form_opened", who=self._viewer(view["id"]), title=_view_title(view)))

    def _viewer(self, view_id: str) -> str:
        with self.sandbox.workspace.lock:
            view = self.sandbox.workspace.views.get(view_id)
            user = view.user_id if view is not None else ""
        return self.name(user)

    def _lines(self, lines: list[str]) -> None:
        for line in lines:
            self.write(BODY + line)

    # -- rendering ------------------------------------------------------------------------
    def name(self, user_id: str) -> str:
        try:
            user = self.sandbox.user(user_id)
        except (KeyError, ValueError, LookupError):
            return user_id
        return str(user.get("real_name") or user.get("name") or user_id)

    def render(self, message: Json) -> list[str]:
        return [line for _, group in self.groups(message) for line in group]

    def groups(self, message: Json) -> list[tuple[str, list[str]]]:
        """The message as plain lines, grouped by block (a task's blocks form one group)."""
        blocks = message.get("blocks") or []
        if not blocks:
            text = self.text_of(message.get("text", ""))
            return [("text", text.splitlines() or [""])] if text else []
        groups: list[tuple[str, list[str]]] = []
        for n, block in enumerate(blocks):
            lines = self._block(block)
            match = _TASK_BLOCK.match(str(block.get("block_id") or ""))
            key = match.group(1) if match else f"block-{n}"
            if match and groups and groups[-1][0] == key:
                groups[-1][1].extend(lines)
            else:
                groups.append((key, lines))
        return groups

    def _block(self, block: Json) -> list[str]:
        kind = block.get("type")
        if kind in ("section", "header"):
            text = self.text_of((block.get("text") or {}).get("text", ""))
            accessory = block.get("accessory") or {}
            if accessory.get("type") == "button":
                text += f"  [{accessory['text']['text']}]"
            lines = text.splitlines() or [""]
            for field in block.get("fields") or []:
                lines.append(self.text_of(field.get("text", "")))
            return [line.rstrip() for line in lines]
        if kind == "context":
            parts = [
                self.text_of(e.get("text", "")) for e in block.get("elements", []) if "text" in e
            ]
            return ["  " + " · ".join(parts)]
        if kind == "actions":
            buttons = [
                f"[{e['text']['text']}]"
                for e in block.get("elements", [])
                if e.get("type") == "button"
            ]
            return ["  " + " ".join(buttons)] if buttons else []
        if kind == "divider":
            return ["─" * 40]
        if kind == "image":
            return [f"[{block.get('alt_text', '')}]"]
        return []

    def text_of(self, mrkdwn: str) -> str:
        text = _USER.sub(lambda m: "@" + self.name(m.group(1)), mrkdwn)
        text = _CHANNEL.sub(lambda m: "#" + (m.group(2) or self._channel_name(m.group(1))), text)
        text = _LINK.sub(lambda m: m.group(2), text)
        text = _SPECIAL.sub(lambda m: "@" + m.group(1), text)
        return html.unescape(text.replace("*", ""))

    def _channel_name(self, channel_id: str) -> str:
        try:
            return str(self.sandbox.channel(channel_id).get("name", channel_id))
        except (KeyError, ValueError, LookupError):
            return channel_id


def _kind(message: Json) -> str | None:
    """What repeats: the outbox key without its day or week (`reminder:U1`, `digest:detail:2`,
    `habit:3`); None for what does not."""
    key = str(((message.get("metadata") or {}).get("event_payload") or {}).get("key") or "")
    parts = key.split(":")
    if parts[0] not in REPEATED_KINDS:
        return None
    if parts[0] == "habit":
        parts = parts[:-1]  # habit:<project>:<week>
    return ":".join(p for p in parts if not _DAY.fullmatch(p))


def _view_title(view: Json) -> str:
    """The form's title, and its first line of text when the title is only the app's name."""
    title = str((view.get("title") or {}).get("text", ""))
    for block in view.get("blocks") or []:
        text = str(((block.get("text") or {}).get("text")) or "")
        if block.get("type") in ("header", "section") and text:
            first = text.replace("*", "").splitlines()[0]
            return f"{title} — {first}" if title else first
    return title


def _width(text: str) -> int:
    """Columns on a terminal: CJK characters take two."""
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)
