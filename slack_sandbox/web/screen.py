"""What one person of the sandbox workspace sees, as Slack would show it to them.

Their channels and DMs with unread marks, Slack Connect invitations waiting for them, the
open conversation (with only their own ephemeral messages), a thread, the pins, the App
Home and their top modal. Nothing here changes the workspace except read marks.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sandbox.models import Channel, Json, User
from slack_sandbox.sandbox import Sandbox
from slack_sandbox.web.mrkdwn import to_html
from slack_sandbox.web.render import Where, message_html, view_html

HOME = "home"  # the conversation id the page uses for the App Home tab


class Screens:
    """Every person's screen over one sandbox, with their read marks."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self._read: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    # -- people --------------------------------------------------------------------------

    def people(self) -> list[Json]:
        ws = self.sandbox.workspace
        with ws.lock:
            return [
                {
                    "id": u.id,
                    "name": u.real_name,
                    "org": ws.teams[u.team_id].name,
                    "external": ws.is_external(u),
                }
                for u in ws.users.values()
                if not u.is_bot and not u.deleted
            ]

    # -- the screen --------------------------------------------------------------------------

    def state(self, viewer_id: str, *, conversation: str | None, thread: str | None) -> Json:
        """The whole screen of `viewer_id` with `conversation` (or HOME) open."""
        ws = self.sandbox.workspace
        with ws.lock:
            viewer = ws.users.get(viewer_id)
            if viewer is None or viewer.is_bot:
                raise KeyError(viewer_id)
            visible = {c.id: c for c in self._conversations(viewer)}
            open_channel = visible.get(conversation or "")
            if open_channel is not None:
                self._mark_read(viewer.id, open_channel)
            state: Json = {
                "me": {
                    "id": viewer.id,
                    "name": viewer.real_name,
                    "org": ws.teams[viewer.team_id].name,
                    "external": ws.is_external(viewer),
                    "tz": viewer.tz,
                },
                "sidebar": self._sidebar(viewer, list(visible.values())),
                "invites": self._invites(viewer),
                "conversation": None,
                "thread": None,
                "home": None,
                "modal": self._modal(viewer),
            }
            if conversation == HOME:
                state["home"] = self._home(viewer)
            elif open_channel is not None:
                state["conversation"] = self._conversation(viewer, open_channel)
                if thread:
                    state["thread"] = self._thread(viewer, open_channel, thread)
            return state

    # -- sidebar -----------------------------------------------------------------------------

    def _conversations(self, viewer: User) -> list[Channel]:
        ws = self.sandbox.workspace
        found = [
            c
            for c in ws.channels.values()
            if viewer.id in c.members
            and not c.is_archived
            and (not c.is_im or c.im_user == viewer.id)
        ]
        return sorted(found, key=lambda c: (c.is_im, c.name))

    def _sidebar(self, viewer: User, channels: list[Channel]) -> list[Json]:
        items = []
        for channel in channels:
            items.append(
                {
                    "id": channel.id,
                    "name": self._title(channel),
                    "kind": "dm" if channel.is_im else "channel",
                    "private": channel.is_private and not channel.is_im,
                    "shared": channel.is_ext_shared,
                    "unread": self._unread(viewer.id, channel),
                }
            )
        return items

    def _title(self, channel: Channel) -> str:
        if channel.is_slackbot_dm:
            return "Slackbot"
        if channel.is_im:
            return self.sandbox.workspace.bot.name
        return channel.name

    def _invites(self, viewer: User) -> list[Json]:
        ws = self.sandbox.workspace
        email = (viewer.email or "").lower()
        found = []
        for channel in ws.channels.values():
            for invite in channel.invites:
                if invite.status != "pending" or viewer.id in channel.members:
                    continue
                if (email and (invite.email or "").lower() == email) or invite.user_id == viewer.id:
                    inviter = ws.users.get(invite.inviter_id)
                    found.append(
                        {
                            "channel": channel.id,
                            "name": channel.name,
                            "from": inviter.real_name if inviter else "",
                            "org": ws.team.name,
                        }
                    )
        return found

    def _visible_messages(self, viewer: User, channel: Channel, thread: str | None) -> list[Json]:
        """Messages (with only the viewer's ephemerals) at the top level or in one thread."""
        ws = self.sandbox.workspace
        shown: list[Json] = []
        for message in channel.messages:
            parent = message.get("thread_ts")
            is_reply = parent not in (None, message["ts"])
            if thread is None:
                if is_reply and message.get("subtype") != "thread_broadcast":
                    continue
            elif message["ts"] != thread and parent != thread:
                continue
            shown.append(message)
        for note in ws.ephemerals:
            if note.user == viewer.id and note.channel == channel.id and note.thread_ts == thread:
                # Slack's client answers some things itself (source "slack"): from Slackbot.
                author = (
                    {"user": "USLACKBOT"}
                    if note.source == "slack"
                    else {"user": ws.bot.id, "bot_id": ws.bot_id}
                )
                shown.append({**note.to_dict(), **author})
        return sorted(shown, key=lambda m: float(m["ts"]))

    def _unread(self, viewer_id: str, channel: Channel) -> int:
        mark = float(self._read.get((viewer_id, channel.id), "0"))
        viewer = self.sandbox.workspace.users[viewer_id]
        return sum(
            1
            for m in self._visible_messages(viewer, channel, None)
            if float(m["ts"]) > mark and m.get("user") != viewer_id and not m.get("subtype")
        )

    def _mark_read(self, viewer_id: str, channel: Channel) -> None:
        viewer = self.sandbox.workspace.users[viewer_id]
        messages = self._visible_messages(viewer, channel, None)
        if messages:
            with self._lock:
                self._read[(viewer_id, channel.id)] = messages[-1]["ts"]

    # -- the open conversation ------------------------------------------------------------------

    def _conversation(self, viewer: User, channel: Channel) -> Json:
        messages = self._visible_messages(viewer, channel, None)
        pinned = [m for m in channel.messages if m["ts"] in channel.pins]
        return {
            "id": channel.id,
            "name": self._title(channel),
            "kind": "dm" if channel.is_im else "channel",
            "topic": "" if channel.is_im else self._inline(channel.topic.get("value", "")),
            "shared": channel.is_ext_shared,
            # The app's DM is read-only for people (manifest: messages_tab_read_only_enabled).
            "read_only": channel.is_im and not channel.is_slackbot_dm,
            "messages": [self._message(viewer, channel, m) for m in messages],
            "pins": [{"ts": m["ts"], "text": _first_line(m.get("text", ""))} for m in pinned],
        }

    def _thread(self, viewer: User, channel: Channel, thread_ts: str) -> Json | None:
        if channel.find_message(thread_ts) is None:
            return None
        messages = self._visible_messages(viewer, channel, thread_ts)
        return {
            "ts": thread_ts,
            "messages": [self._message(viewer, channel, m, in_thread=True) for m in messages],
        }

    def _message(
        self, viewer: User, channel: Channel, message: Json, *, in_thread: bool = False
    ) -> Json:
        ws = self.sandbox.workspace
        author = ws.users.get(message.get("user", ""))
        is_bot = bool(message.get("bot_id")) or (author is not None and author.is_bot)
        is_bot = is_bot or message.get("user") == "USLACKBOT"
        ephemeral = bool(message.get("is_ephemeral"))
        attrs = {"channel": channel.id, "ts": message["ts"]}
        if ephemeral:
            attrs["ephemeral"] = "1"
        where = self._where(attrs)
        org = ""
        if author is not None and ws.is_external(author):
            org = ws.teams[author.team_id].name
        name = (
            author.real_name
            if author
            else "Slackbot"
            if message.get("user") == "USLACKBOT"
            else "?"
        )
        return {
            "ts": message["ts"],
            "author": name,
            "org": org,
            "bot": is_bot,
            "time": self._time(viewer, message["ts"]),
            "html": message_html(message, where),
            "system": bool(message.get("subtype")) and message.get("subtype") != "thread_broadcast",
            "ephemeral": ephemeral,
            "pinned": message["ts"] in channel.pins,
            "replies": 0 if in_thread else int(message.get("reply_count") or 0),
            "edited": "edited" in message,
        }

    # -- views ------------------------------------------------------------------------------------

    def _home(self, viewer: User) -> Json:
        ws = self.sandbox.workspace
        view_id = ws.home_views.get(viewer.id)
        view = ws.views.get(view_id or "")
        if view is None:
            return {"id": None, "html": ""}
        return {"id": view.id, "html": view_html(view.payload, self._where({"view": view.id}))}

    def _modal(self, viewer: User) -> Json | None:
        ws = self.sandbox.workspace
        stack = ws.modal_stacks.get(viewer.id) or []
        if not stack:
            return None
        view = ws.views[stack[-1]]
        errors = {str(k): str(v) for k, v in (view.errors or {}).items()}
        payload = view.payload
        return {
            "id": view.id,
            "hash": view.hash,
            "depth": len(stack),
            "title": (payload.get("title") or {}).get("text", ""),
            "submit": (payload.get("submit") or {}).get("text", "")
            if payload.get("submit")
            else "",
            "close": (payload.get("close") or {}).get("text", "Cancel"),
            "errors": errors,
            "html": view_html(payload, self._where({"view": view.id}, errors=errors)),
        }

    # -- helpers ----------------------------------------------------------------------------------

    def _where(self, attrs: dict[str, str], *, errors: dict[str, str] | None = None) -> Where:
        ws = self.sandbox.workspace

        def user(user_id: str) -> str:
            found = ws.users.get(user_id)
            return found.real_name if found else user_id

        def channel(channel_id: str) -> str:
            found = ws.channels.get(channel_id)
            return found.name if found else channel_id

        def file_url(file_id: str) -> str | None:
            return f"/ui/file/{file_id}" if file_id in ws.files else None

        return Where(
            attrs=attrs, user=user, channel=channel, errors=errors or {}, file_url=file_url
        )

    def _inline(self, text: str) -> str:
        """A topic or purpose (plain text with mentions) as HTML."""
        where = self._where({})
        return to_html(text, user=where.user, channel=where.channel)

    def _time(self, viewer: User, ts: str) -> str:
        moment = datetime.fromtimestamp(float(ts), UTC).astimezone(ZoneInfo(viewer.tz))
        return moment.strftime("%a %m/%d %H:%M")


def _first_line(text: Any) -> str:
    line = str(text or "").strip().splitlines()
    return line[0][:80] if line else ""
